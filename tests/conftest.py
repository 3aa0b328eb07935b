"""Fixtures shared by every tier: the embedded stack, local services, provider stubs.

pytest puts this folder on sys.path, so `support`, `html_safety` and the other helpers
import anywhere. The helpers themselves live in support/ (README, "Tests").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from support.local import folder_services
from support.pipeline import Services
from support.provider_stubs import Stub, running_stub

if TYPE_CHECKING:  # imported where used, so that collecting the unit tier stays light
    from polypub.local.aws import MotoServer
    from polypub.local.dev import DevSession
    from support.stack import StackFactory


# Hypothesis profiles (tests/unit/test_fuzz.py). "ci", the default inside `make test`:
# a bounded, derandomized run (the same examples every time, so CI never flakes on a
# new example) with no example database. "fuzz", for `make fuzz`: many random
# examples, failures kept in .hypothesis/ and replayed first on the next run.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", max_examples=150, derandomize=True, database=None, **_COMMON)
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5000")), **_COMMON
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback stubs and moto are reached directly, whatever proxy the machine sets."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """One moto process for the whole run: starting and stopping one costs about 3 s, and
    every stack empties it and creates its resources afresh (support.stack.dev_stack)."""
    from polypub.local.aws import MotoServer

    server = MotoServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dev_stack(moto_server: MotoServer) -> StackFactory:
    """`with dev_stack(content_dir, retry_after=0, workers=2, watch=True) as session:` a
    started DevSession on the shared moto; any scope may use it."""
    from support.stack import dev_stack

    return partial(dev_stack, server=moto_server)


@pytest.fixture(scope="module")
def stack(
    dev_stack: StackFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DevSession]:
    """A DevSession with the default options, shared by the tests of one module (they use
    their own keys); a module that needs other options defines its own from dev_stack."""
    with dev_stack(tmp_path_factory.mktemp("content")) as session:
        yield session


@pytest.fixture
def services(tmp_path: Path) -> Services:
    """Services over folders under tmp_path with the echo translator (support.local)."""
    return folder_services(tmp_path)


def _stub_fixture(kind: str) -> Callable[[], Iterator[Stub]]:
    def stub() -> Iterator[Stub]:
        with running_stub(kind) as running:
            yield running

    stub.__doc__ = f"A loopback stub that answers like {kind}; its base_url is the adapter's."
    return stub


google_stub = pytest.fixture(_stub_fixture("google"), name="google_stub")
deepl_stub = pytest.fixture(_stub_fixture("deepl"), name="deepl_stub")
libre_stub = pytest.fixture(_stub_fixture("libre"), name="libre_stub")
microsoft_stub = pytest.fixture(_stub_fixture("microsoft"), name="microsoft_stub")
mymemory_stub = pytest.fixture(_stub_fixture("mymemory"), name="mymemory_stub")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """With POLYPUB_IAM_EXERCISED=FILE: what each function's policy was used for, and not."""
    from polypub.local.iam import EXERCISED_VARIABLE, exercise_report

    path = os.environ.get(EXERCISED_VARIABLE)
    if path and Path(path).exists():
        terminalreporter.section("IAM actions exercised (least privilege both ways)")
        terminalreporter.write(exercise_report(Path(path)))
