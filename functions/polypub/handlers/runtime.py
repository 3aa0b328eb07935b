"""The handlers' composition root: Services built once per Lambda container from the environment."""

from __future__ import annotations

from polypub.settings import Settings
from polypub.steps.context import Services

_services: Services | None = None


def services() -> Services:
    """Build on first use (cold start), then reuse for the container's lifetime."""
    global _services
    if _services is None:
        from polypub.wiring import cloud_services

        _services = cloud_services(Settings.from_env())
    return _services


def install(deps: Services | None) -> None:
    """Inject Services explicitly (tests and `polypub dev`), or None to rebuild from the env."""
    global _services
    _services = deps
