"""QueuePump: what Lambda's SQS event source mapping does, for local runs on moto."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

log = logging.getLogger(__name__)


@dataclass
class LocalContext:
    """The parts of a Lambda context that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 60
    aws_request_id: str = ""
    invoked_function_arn: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


@dataclass
class PumpResult:
    received: int = 0
    failed: int = 0


class QueuePump:
    """Receives up to ten messages, calls the handler with a real-shaped SQS event, and
    deletes only the messages that are not in `batchItemFailures`; failed ones come back
    after the visibility timeout and, past maxReceiveCount, go to the DLQ (moto applies the
    queue's redrive policy).

    `retry_after` shortens the wait for failed messages (the queue's visibility timeout is
    six times the function timeout, minutes): tests and impatient developers see the
    retries, and the DLQ, within seconds. None keeps the queue's own timeout, as Lambda does.
    """

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        *,
        function_name: str,
        region: str,
        batch_size: int = 10,
        retry_after: int | None = None,
    ) -> None:
        self._sqs = sqs
        self.queue_url = queue_url
        self._handler = handler
        self._function_name = function_name
        self._region = region
        self._batch_size = batch_size
        self.retry_after = retry_after
        self._arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def poll(self, wait_seconds: int = 0) -> PumpResult:
        response = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return PumpResult()
        event = {"Records": [self._record(message) for message in messages]}
        context = LocalContext(
            function_name=self._function_name,
            aws_request_id=str(uuid.uuid4()),
            invoked_function_arn=f"arn:aws:lambda:{self._region}:123456789012:function:"
            f"{self._function_name}",
        )
        try:
            result = self._handler(event, context)
        except Exception:
            # What Lambda does when a function raises: the whole batch comes back later.
            log.exception(
                "%s raised; all %d messages will be retried", self._function_name, len(messages)
            )
            result = {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]}
        failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
        if failed and self.retry_after is not None:
            retry = [m for m in messages if m["MessageId"] in failed]
            for start in range(0, len(retry), 10):
                self._sqs.change_message_visibility_batch(
                    QueueUrl=self.queue_url,
                    Entries=[
                        {
                            "Id": str(i),
                            "ReceiptHandle": m["ReceiptHandle"],
                            "VisibilityTimeout": self.retry_after,
                        }
                        for i, m in enumerate(retry[start : start + 10])
                    ],
                )
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(done[start : start + 10])
                ],
            )
        return PumpResult(received=len(messages), failed=len(failed))

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._region,
        }


def drain(pumps: list[QueuePump], *, idle_rounds: int = 2, workers: int = 1) -> PumpResult:
    """Poll every queue until all are empty for `idle_rounds` rounds in a row.

    Failed messages stay invisible for the queue's visibility timeout, so they do not
    keep this loop alive: they are counted and left for a later run (or the DLQ).
    `workers` > 1 polls from that many threads at once, like Lambda's concurrent
    containers: functions then really race each other on the same buckets and table.
    """
    if workers <= 1:
        return _drain_one(pumps, idle_rounds)
    results: list[PumpResult] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            result = _drain_one(pumps, idle_rounds)
        except BaseException as exc:  # re-raised in the caller's thread
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=work, name=f"pump-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    # A worker that went idle early may leave work that a busier one then created.
    final = _drain_one(pumps, idle_rounds)
    return PumpResult(
        received=sum(r.received for r in results) + final.received,
        failed=sum(r.failed for r in results) + final.failed,
    )


def _drain_one(pumps: list[QueuePump], idle_rounds: int) -> PumpResult:
    total = PumpResult()
    idle = 0
    while idle < idle_rounds:
        round_received = 0
        for pump in pumps:
            result = pump.poll()
            total.received += result.received
            total.failed += result.failed
            round_received += result.received
        idle = idle + 1 if round_received == 0 else 0
    return total
