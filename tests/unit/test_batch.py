"""run_batch: Lambda's partial batch response, and one shared finish per batch."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools import Logger

from polypub.handlers import batch
from support.pipeline import Outcome, Services

EVENT = {"Records": [{"messageId": name, "body": name} for name in ("a", "poison", "b")]}


class Deps:
    """Stands in for Services: run_batch only empties its batch cache first."""

    def __init__(self) -> None:
        self.forgotten = 0

    def forget(self) -> None:
        self.forgotten += 1


def handle(record: dict[str, Any]) -> list[Outcome]:
    if record["body"] == "poison":
        raise ValueError("bad record")
    return []


def test_only_the_failing_record_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    finished: list[list[Outcome]] = []
    monkeypatch.setattr(batch, "finish", lambda outcomes, deps: finished.append(outcomes))
    deps = Deps()
    response = batch.run_batch(EVENT, handle, deps=deps, logger=Logger(service="test"))  # type: ignore[arg-type]
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert len(finished) == 1  # once per batch, not per record
    assert deps.forgotten == 1  # nothing cached by an earlier invocation is used


def test_a_failing_finish_retries_the_whole_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(outcomes: list[Outcome], deps: object) -> None:
        raise RuntimeError("catalog down")

    monkeypatch.setattr(batch, "finish", fail)
    response = batch.run_batch(EVENT, handle, deps=Deps(), logger=Logger(service="test"))  # type: ignore[arg-type]
    assert response == {
        "batchItemFailures": [{"itemIdentifier": name} for name in ("a", "poison", "b")]
    }


def _record(name: str, receives: int) -> dict[str, Any]:
    return {
        "messageId": name,
        "body": name,
        "attributes": {"ApproximateReceiveCount": str(receives)},
    }


def _crash_on(bad: str) -> batch.RecordHandler:
    def handle(record: dict[str, Any]) -> list[Outcome]:
        if record["body"] == bad:
            try:
                raise KeyError("a bug")
            except KeyError as error:
                raise batch.FileFailed(f"posts/{bad}.md") from error
        return []

    return handle


def test_a_crash_on_the_last_delivery_reaches_the_teacher(
    monkeypatch: pytest.MonkeyPatch, services: Services
) -> None:
    monkeypatch.setattr(batch, "finish", lambda outcomes, deps: None)
    event = {"Records": [_record("a", 5), _record("poison", 5), _record("b", 5)]}
    response = batch.run_batch(event, _crash_on("poison"), services, Logger(service="test"))
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    status = services.catalog.get_status("posts/poison.md")
    assert status is not None
    assert (status.state, status.error_code) == ("failed", "internal-error")
    report = services.source.get("posts/poison.md.error.txt")
    assert report is not None
    assert b"KeyError" in report
    assert b"not a mistake in the file" in report


def test_a_crash_before_the_last_delivery_is_only_retried(
    monkeypatch: pytest.MonkeyPatch, services: Services
) -> None:
    monkeypatch.setattr(batch, "finish", lambda outcomes, deps: None)
    event = {"Records": [_record("poison", 4)]}
    batch.run_batch(event, _crash_on("poison"), services, Logger(service="test"))
    assert services.catalog.get_status("posts/poison.md") is None
