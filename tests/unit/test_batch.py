"""run_batch: Lambda's partial batch response, and one shared finish per batch."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools import Logger

from polypub.handlers import batch
from support.pipeline import Outcome

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
