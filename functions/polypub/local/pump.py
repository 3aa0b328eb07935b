"""QueuePump: what Lambda's SQS event source mapping does, for local runs on moto."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polypub.handlers.runtime import invocation

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


class InvocationLog:
    """POLYPUB_INVOCATION_LOG: one JSON line per handler invocation, appended as it ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as stream:
            stream.write(line)


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
        timeout_seconds: int = 60,
        invocation_log: InvocationLog | None = None,
    ) -> None:
        self._sqs = sqs
        self.queue_url = queue_url
        self._handler = handler
        self._function_name = function_name
        self._region = region
        self._batch_size = batch_size
        self.retry_after = retry_after
        self._timeout_seconds = timeout_seconds
        self._invocation_log = invocation_log
        self._arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def poll(self, wait_seconds: int = 0) -> PumpResult:
        """Receive one batch (waiting up to `wait_seconds` for it) and handle it."""
        return self.handle(self.receive(wait_seconds))

    def receive(self, wait_seconds: int = 0) -> list[dict[str, Any]]:
        """Up to a batch of messages; a long poll if `wait_seconds` > 0."""
        response = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def handle(self, messages: list[dict[str, Any]]) -> PumpResult:
        """Call the handler with the batch, then delete what it did not report as failed."""
        if not messages:
            return PumpResult()
        event = {"Records": [self._record(message) for message in messages]}
        context = LocalContext(
            function_name=self._function_name,
            timeout_seconds=self._timeout_seconds,
            aws_request_id=str(uuid.uuid4()),
            invoked_function_arn=f"arn:aws:lambda:{self._region}:123456789012:function:"
            f"{self._function_name}",
        )
        error: str | None = None
        started = time.perf_counter()
        # The handler's AWS calls are this function's: checked against its policy and
        # counted (local/iam.py), whichever thread runs it.
        with invocation(self._function_name) as current:
            try:
                result = self._handler(event, context)
            except Exception as exc:
                # What Lambda does when a function raises: the whole batch comes back later.
                log.exception(
                    "%s raised; all %d messages will be retried", self._function_name, len(messages)
                )
                error = f"{type(exc).__name__}: {exc}"
                result = {
                    "batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]
                }
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
        if self._invocation_log is not None:
            self._invocation_log.write(
                {
                    "function": self._function_name,
                    "records": len(messages),
                    "failed": len(failed),
                    "duration_ms": duration_ms,
                    "aws_calls": current.aws_calls,
                    "site_writes": current.site_writes,
                    # Nothing ends a local invocation early: this says Lambda would have.
                    "timed_out": duration_ms > self._timeout_seconds * 1000,
                    "error": error,
                }
            )
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


class PumpWorkers:
    """One thread per queue, each long-polling its queue and handling a batch as soon as
    it arrives, like one event source mapping per function: a render batch never waits
    for a translate batch, nor the other way round.

    stop() lets every thread finish the batch it holds (its messages are deleted or
    released as usual) and waits for it; an idle thread leaves its long poll within
    `wait_seconds`. Ctrl-C reaches only the main thread, so a handler is never cut off
    halfway through a batch.
    """

    def __init__(
        self,
        pumps: list[QueuePump],
        *,
        on_batch: Callable[[QueuePump, PumpResult], None] | None = None,
        on_error: Callable[[QueuePump, Exception], None] | None = None,
        wait_seconds: int = 1,
    ) -> None:
        self._pumps = pumps
        self._on_batch = on_batch
        self._on_error = on_error
        # SQS counts whole seconds; 1 keeps stop() quick, and moto answers a long poll
        # the moment a message arrives, so a shorter wait would gain nothing.
        self._wait_seconds = wait_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0  # batches being handled
        self._idle = threading.Condition()

    def start(self) -> PumpWorkers:
        if self._threads:
            raise RuntimeError("PumpWorkers already started")
        self._threads = [
            # Daemon: a second Ctrl-C (stop() interrupted) must not hang the process.
            threading.Thread(target=self._run, args=(pump,), name=f"pump-{n}", daemon=True)
            for n, pump in enumerate(self._pumps)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no handler is running; False if `timeout` passed first.

        A message may have just been received and not yet handed over: this says the
        handlers are done with what they held, not that the queues are empty.
        """
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def _run(self, pump: QueuePump) -> None:
        while not self._stop.is_set():
            try:
                messages = pump.receive(self._wait_seconds)
                if not messages:
                    continue
                # Received messages are handled even when stopping: they are ours now.
                with self._idle:
                    self._busy += 1
                try:
                    result = pump.handle(messages)
                finally:
                    with self._idle:
                        self._busy -= 1
                        self._idle.notify_all()
            except Exception as exc:  # keep pumping: one failed call is not fatal
                if self._stop.is_set():
                    return
                if self._on_error is not None:
                    self._on_error(pump, exc)
                self._stop.wait(1)  # moto down or refusing: do not spin
                continue
            if self._on_batch is not None:
                self._on_batch(pump, result)


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
