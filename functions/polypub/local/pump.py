"""QueuePump: what Lambda's SQS event source mapping does, for local runs on moto."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


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
    queue's redrive policy)."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        *,
        function_name: str,
        region: str,
        batch_size: int = 10,
    ) -> None:
        self._sqs = sqs
        self.queue_url = queue_url
        self._handler = handler
        self._function_name = function_name
        self._region = region
        self._batch_size = batch_size
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
        result = self._handler(event, context)
        failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
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


def drain(pumps: list[QueuePump], *, idle_rounds: int = 2) -> PumpResult:
    """Poll every queue until all are empty for `idle_rounds` rounds in a row.

    Failed messages stay invisible for the queue's visibility timeout, so they do not
    keep this loop alive: they are counted and left for a later run (or the DLQ).
    """
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
