"""The handlers' composition root: Services built once per container, and the invocation running."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from polypub.settings import Settings
from polypub.steps.context import Services

_services: Services | None = None
# Whether this container has checked the package's version stamp (render handler).
_stamp_checked = False


def services() -> Services:
    """Build on first use (cold start), then reuse for the container's lifetime."""
    global _services
    if _services is None:
        from polypub.wiring import cloud_services

        _services = cloud_services(Settings.from_env())
    return _services


def install(deps: Services | None) -> None:
    """Inject Services explicitly (tests and `polypub dev`), or None to rebuild from the env."""
    global _services, _stamp_checked
    _services = deps
    _stamp_checked = False  # new Services: a new container, as far as the handlers know


def first_invocation(*, done: bool = False) -> bool:
    """True until the render handler has checked the version stamp in this container."""
    global _stamp_checked
    if done:
        _stamp_checked = True
    return not _stamp_checked


@dataclass
class Invocation:
    """One handler call: the function it runs as, and what it asked of AWS.

    In Lambda a container runs one function with that function's role. `polypub dev`
    runs both functions in one process, so the function is named per call instead:
    local/iam.py checks each AWS call against this function's policy and counts it.
    """

    function: str
    aws_calls: int = 0
    site_writes: int = 0


# Per thread (and per asyncio task): the pump runs each function's batches on its own thread.
_invocation: ContextVar[Invocation | None] = ContextVar("polypub_invocation", default=None)


def current_invocation() -> Invocation | None:
    """The handler invocation running in this thread, if any."""
    return _invocation.get()


@contextmanager
def invocation(function: str) -> Iterator[Invocation]:
    """Run the block as one invocation of `function` (joining one already open for it)."""
    current = _invocation.get()
    if current is not None and current.function == function:
        yield current
        return
    created = Invocation(function)
    token = _invocation.set(created)
    try:
        yield created
    finally:
        _invocation.reset(token)


def entry_point[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """Decorate a Lambda handler: its calls belong to the invocation of `context.function_name`."""

    @functools.wraps(handler)
    def invoked(event: Any, context: Any) -> Any:
        with invocation(context.function_name):
            return handler(event, context)

    return invoked  # type: ignore[return-value]
