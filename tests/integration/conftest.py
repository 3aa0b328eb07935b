"""Integration tier: a call outside a function's IAM policy fails the test that made it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from polypub.local.iam import live_guards


@pytest.fixture(autouse=True)
def no_access_denied() -> Iterator[None]:
    # The pipeline may absorb a refusal (a record retried, a best-effort write skipped),
    # so the guards' own record is checked too: AWS would have refused the same call.
    # A test that provokes a refusal on purpose takes it first (PolicyGuard.take_denials).
    yield
    denied = [denial for guard in live_guards() for denial in guard.take_denials()]
    assert not denied, "calls outside template.yaml's policies: " + "; ".join(map(str, denied))
