"""The named translation errors; providers translate their own failures into these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

# Re-exported: the placeholder rules (and so this error) live in content/segments.py.
from polypub.content.segments import PlaceholderMismatch as PlaceholderMismatch


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced by ``***``.

    Adapters build their messages themselves (never ``str(exc)`` of an HTTP library,
    whose messages quote URLs and query strings); this is the second line of defence
    for the ones that must quote a provider's answer.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class TranslationError(Exception):
    """Machine translation failed. ``retryable`` says whether trying again later may help."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, provider: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider

    def __str__(self) -> str:
        return self.message


class ProviderUnavailable(TranslationError):
    """The provider did not answer usefully now: timeout, 429, 5xx, connection error."""

    retryable: ClassVar[bool] = True

    def __init__(
        self, message: str, *, provider: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, provider=provider)
        self.status = status


class UnusableAnswer(ProviderUnavailable):
    """The provider answered, but not with a translation: not text, empty, or far too long.

    Retryable like any unavailability (translate/answers.py says what is unusable).
    """


class ProviderRejected(TranslationError):
    """The provider refuses this request and will again: 401/403, bad request, unknown pair."""

    def __init__(
        self, message: str, *, provider: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, provider=provider)
        self.status = status
