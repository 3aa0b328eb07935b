"""Retries with exponential backoff and jitter, bounded by the time the Lambda has left."""

from __future__ import annotations

import contextvars
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from polypub.translate.errors import ProviderUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

# A request given less time than this cannot do useful work: give up and let the
# queue bring the job back later instead of starting it.
MIN_REQUEST_SECONDS = 1.0

# Monotonic time by which the current invocation must be done with providers (None:
# no limit, e.g. `polypub build`). A context variable, so threads and tests never
# share one by accident.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "polypub_translate_deadline", default=None
)


@contextmanager
def time_budget(seconds: float, *, clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """Within the block, requests and retries stop ``seconds`` from now."""
    token = _DEADLINE.set(clock() + max(0.0, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining(clock: Callable[[], float] = time.monotonic) -> float | None:
    """Seconds left in the current time budget, or None when there is none."""
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - clock()


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter on ProviderUnavailable (429, 5xx, timeouts).

    Attempt n waits ``min(max_backoff, backoff * 2**(n-1))`` scaled by a random factor
    in [0.5, 1]: retries of many jobs spread out instead of hitting a throttled API
    together. Never waits past the time budget: a retry that could not finish in time
    is left to the queue, which redelivers the job later.
    """

    max_attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    clock: Callable[[], float] = field(default=time.monotonic)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return base * (0.5 + self.jitter() / 2)

    def run(self, call: Callable[[float], T], *, provider: str, timeout: float) -> T:
        """``call(request_timeout)``, retried; the timeout shrinks to the time left."""
        attempts = max(1, self.max_attempts)
        for attempt in range(1, attempts + 1):
            left = remaining(self.clock)
            request_timeout = timeout if left is None else min(timeout, left)
            if request_timeout < MIN_REQUEST_SECONDS and left is not None:
                raise ProviderUnavailable(
                    f"{provider}: no time left in this run; the translation is retried later",
                    provider=provider,
                )
            try:
                return call(request_timeout)
            except ProviderUnavailable as exc:
                if attempt == attempts:
                    raise
                wait = self.delay(attempt)
                left = remaining(self.clock)
                if left is not None and left < wait + MIN_REQUEST_SECONDS:
                    log.info("%s failed (%s); no time to retry in this run", provider, exc)
                    raise
                log.info(
                    "%s attempt %d failed (%s); retrying in %.2fs", provider, attempt, exc, wait
                )
                self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
