"""PumpWorkers: a thread per queue, long polling, partial batch responses, a clean stop."""

from __future__ import annotations

import threading
import time
from typing import Any

from polypub.local.pump import PumpWorkers, QueuePump


class FakeSqs:
    """The SQS calls QueuePump makes (boto3's parameter names), in memory; receive_message
    long-polls like SQS."""

    def __init__(self) -> None:
        self.queues: dict[str, list[dict[str, Any]]] = {}
        self.deleted: dict[str, list[str]] = {}
        self.released: dict[str, list[str]] = {}
        self.fail_receives = 0
        self._changed = threading.Condition()
        self._ids = 0

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:
        self.queues.setdefault(QueueUrl, [])
        return {"Attributes": {"QueueArn": f"arn:aws:sqs:us-east-1:123456789012:{QueueUrl}"}}

    def send(self, queue_url: str, body: str) -> str:
        with self._changed:
            self._ids += 1
            message_id = f"m{self._ids}"
            self.queues[queue_url].append(
                {"MessageId": message_id, "ReceiptHandle": f"r-{message_id}", "Body": body}
            )
            self._changed.notify_all()
        return message_id

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        with self._changed:
            if self.fail_receives:
                self.fail_receives -= 1
                raise ConnectionError("endpoint refused")
            queue = self.queues[kwargs["QueueUrl"]]
            self._changed.wait_for(lambda: bool(queue), timeout=kwargs["WaitTimeSeconds"])
            batch = queue[: kwargs["MaxNumberOfMessages"]]
            del queue[: len(batch)]
            return {"Messages": batch} if batch else {}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> None:
        self.deleted.setdefault(QueueUrl, []).extend(e["ReceiptHandle"] for e in Entries)

    def change_message_visibility_batch(
        self,
        QueueUrl: str,
        Entries: list[dict[str, Any]],
    ) -> None:
        self.released.setdefault(QueueUrl, []).extend(e["ReceiptHandle"] for e in Entries)


def pump(sqs: FakeSqs, url: str, handler: Any) -> QueuePump:
    return QueuePump(sqs, url, handler, function_name=url, region="us-east-1", retry_after=0)


def wait_until(check: Any, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def test_a_slow_render_batch_does_not_hold_up_the_translate_queue() -> None:
    sqs = FakeSqs()
    release = threading.Event()
    handled: list[str] = []

    def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        release.wait(5)
        handled.append("render")
        return {"batchItemFailures": []}

    def quick(event: dict[str, Any], context: Any) -> dict[str, Any]:
        handled.append("translate")
        return {"batchItemFailures": []}

    workers = PumpWorkers([pump(sqs, "render", slow), pump(sqs, "translate", quick)]).start()
    try:
        sqs.send("render", "a")
        started = time.monotonic()
        sqs.send("translate", "b")
        wait_until(lambda: handled == ["translate"])
        # Handled as soon as it arrived: no polling interval, no waiting for the render.
        assert time.monotonic() - started < 0.5
        assert not workers.wait_idle(0.05)  # the render batch is still being handled
        release.set()
        assert workers.wait_idle(5)
        assert handled == ["translate", "render"]
    finally:
        release.set()
        workers.stop()


def test_only_messages_not_reported_as_failed_are_deleted() -> None:
    sqs = FakeSqs()
    batches: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        records = event["Records"]
        assert all(r["eventSource"] == "aws:sqs" for r in records)
        return {
            "batchItemFailures": [
                {"itemIdentifier": r["messageId"]} for r in records if r["body"] == "bad"
            ]
        }

    workers = PumpWorkers(
        [pump(sqs, "render", handler)],
        on_batch=lambda p, result: batches.append(result.failed),
    )
    for body in ("good", "bad", "good"):
        sqs.send("render", body)
    workers.start()
    try:
        wait_until(lambda: batches == [1])
    finally:
        workers.stop()
    assert sqs.deleted["render"] == ["r-m1", "r-m3"]
    assert sqs.released["render"] == ["r-m2"]  # back after retry_after, then the DLQ


def test_stop_lets_the_running_batch_finish_and_returns_soon_when_idle() -> None:
    sqs = FakeSqs()
    entered = threading.Event()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        entered.set()
        time.sleep(0.2)
        return {"batchItemFailures": []}

    workers = PumpWorkers([pump(sqs, "render", handler), pump(sqs, "translate", handler)]).start()
    sqs.send("render", "a")
    assert entered.wait(5)
    started = time.monotonic()
    workers.stop()
    # The batch was finished and deleted; the idle thread left its one-second long poll.
    assert sqs.deleted["render"] == ["r-m1"]
    assert time.monotonic() - started < 1.5
    assert workers.wait_idle(0)


def test_a_failed_receive_is_reported_and_pumping_goes_on() -> None:
    sqs = FakeSqs()
    errors: list[str] = []
    handled = threading.Event()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        handled.set()
        return {"batchItemFailures": []}

    render = pump(sqs, "render", handler)
    sqs.fail_receives = 1
    workers = PumpWorkers(
        [render], on_error=lambda p, exc: errors.append(f"{p.queue_url}: {exc}")
    ).start()
    try:
        sqs.send("render", "a")
        assert handled.wait(5)
    finally:
        workers.stop()
    assert errors == ["render: endpoint refused"]
