"""Retries with backoff bounded by the Lambda's remaining time; chunking by size."""

from __future__ import annotations

import pytest

from polypub.translate.errors import ProviderRejected, ProviderUnavailable
from polypub.translate.providers.base import pack, split_long, utf8_size
from polypub.translate.retry import RetryPolicy, remaining, time_budget


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def flaky(
    failures: int, clock: Clock | None = None, cost: float = 0.0
) -> tuple[list[float], object]:
    timeouts: list[float] = []

    def call(timeout: float) -> str:
        timeouts.append(timeout)
        if clock is not None:
            clock.now += cost
        if len(timeouts) <= failures:
            raise ProviderUnavailable("HTTP 429", status=429)
        return "ok"

    return timeouts, call


def test_backoff_doubles_with_jitter_between_half_and_full() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(sleep=sleeps.append, jitter=lambda: 1.0, backoff=0.5, max_backoff=8)
    timeouts, call = flaky(3)
    assert policy.run(call, provider="p", timeout=10) == "ok"  # type: ignore[arg-type]
    assert sleeps == [0.5, 1.0, 2.0]
    assert timeouts == [10, 10, 10, 10]
    low = RetryPolicy(jitter=lambda: 0.0, backoff=0.5, max_backoff=1.0)
    assert [low.delay(n) for n in (1, 2, 3, 4)] == [0.25, 0.5, 0.5, 0.5]


def test_gives_up_after_the_last_attempt_and_never_retries_a_rejection() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=3, sleep=sleeps.append)
    _, call = flaky(5)
    with pytest.raises(ProviderUnavailable):
        policy.run(call, provider="p", timeout=1)  # type: ignore[arg-type]
    assert len(sleeps) == 2

    calls: list[float] = []

    def rejected(timeout: float) -> str:
        calls.append(timeout)
        raise ProviderRejected("HTTP 403", status=403)

    with pytest.raises(ProviderRejected):
        policy.run(rejected, provider="p", timeout=1)
    assert len(calls) == 1
    assert len(sleeps) == 2


def test_retries_stop_before_the_time_budget_runs_out() -> None:
    clock = Clock()
    policy = RetryPolicy(
        max_attempts=10, sleep=clock.sleep, jitter=lambda: 1.0, backoff=2, clock=clock
    )
    # Each attempt takes 3 s; the budget is 12 s: attempt (3) + wait 2 + attempt (3) +
    # wait 4 would leave no time for a third attempt, so the error is raised instead.
    timeouts, call = flaky(9, clock, cost=3.0)
    with time_budget(12, clock=clock), pytest.raises(ProviderUnavailable):
        policy.run(call, provider="p", timeout=10)  # type: ignore[arg-type]
    assert len(timeouts) == 2
    assert clock.now - 1000 <= 12
    # The request timeout shrinks to what is left.
    assert timeouts[0] == 10
    assert timeouts[1] == pytest.approx(12 - 3 - 2)


def test_no_request_starts_without_time_left() -> None:
    clock = Clock()
    timeouts, call = flaky(0)
    with time_budget(0.5, clock=clock), pytest.raises(ProviderUnavailable, match="no time left"):
        RetryPolicy(clock=clock).run(call, provider="p", timeout=10)  # type: ignore[arg-type]
    assert timeouts == []


def test_the_budget_is_scoped_to_its_block() -> None:
    assert remaining() is None
    with time_budget(30):
        left = remaining()
        assert left is not None
        assert 29 < left <= 30
    assert remaining() is None


def test_split_long_cuts_at_sentences_then_spaces_within_the_limit() -> None:
    text = "One two three. Four five six. " * 3
    parts = split_long(text.strip(), 20)
    assert all(len(part) <= 20 for part in parts)
    assert " ".join(parts) == text.strip()
    assert split_long("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_split_long_can_count_utf8_bytes() -> None:
    text = "Ñandú español. " * 40  # two bytes for each Ñ, ú, ñ
    parts = split_long(text.strip(), 100, utf8_size)
    assert all(utf8_size(part) <= 100 for part in parts)
    assert max(len(part) for part in parts) < 100
    assert " ".join(parts) == text.strip()


def test_pack_groups_units_up_to_the_limit_with_separators() -> None:
    assert pack(["aaaa", "bbbb", "cc", "dddddddd"], 10, "\n") == [[0, 1], [2], [3]]
    assert pack(["é" * 4, "é" * 4], 17, "\n", utf8_size) == [[0, 1]]
    assert pack(["é" * 4, "é" * 4], 16, "\n", utf8_size) == [[0], [1]]
