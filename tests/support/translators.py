"""The fake translators: one deterministic, offline, in-process family for every tier."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence

from polypub.translate.errors import ProviderUnavailable, TranslationError

# (text, target language) -> the fake's "translation" of the text.
Answer = Callable[[str, str], str]


def upper(text: str) -> str:
    """Upper-case the words; placeholders (<g1>, <x1/>) and entities pass untouched."""
    return "".join(
        part if part.startswith(("<", "&")) else part.upper()
        for part in re.split(r"(<[^>]*>|&\w+;)", text)
    )


def shout(text: str, target: str) -> str:
    """The default answer: `upper`, so a test sees exactly which words were translated."""
    return upper(text)


def tag(text: str, target: str) -> str:
    """The target language in front: placeholders survive, each language's page differs."""
    return f"[{target}] {text}"


def same(text: str, target: str) -> str:
    """The text unchanged."""
    return text


def drop_placeholders(text: str, target: str) -> str:
    """Loses every placeholder, as real providers sometimes do."""
    return upper(re.sub(r"<[^>]*>", "", text))


def script(text: str, target: str) -> str:
    """Markup in the answer: a translator's output is text, whatever it contains."""
    return f"<script>alert('{text[:3]}')</script>{text}"


def hostile(text: str, target: str) -> str:
    """Markup, event handlers and script URLs around every text."""
    return (
        f"<script>alert(1)</script>{text} <img src=x onerror=alert(1)> "
        '<a href="javascript:alert(1)">x</a> [y](javascript:alert(1))'
    )


class FakeTranslator:
    """A Translator that answers with `answer` and records every batch it is asked.

    `failures` first calls raise `error` instead (None: every call does); the default
    error is the timeout of a provider that does not answer. Thread-safe: the local
    stacks call it from several pollers at once.
    """

    def __init__(
        self,
        name: str = "fake",
        answer: Answer = shout,
        *,
        failures: int | None = 0,
        error: TranslationError | None = None,
    ) -> None:
        self.name = name
        self.answer = answer
        self.failures = failures
        self.error = error or ProviderUnavailable(
            f"{name} did not answer within 10 s (timeout)", provider=name
        )
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        """How many times translate() was called, failed calls included."""
        return len(self.batches)

    @property
    def sent(self) -> list[str]:
        """Every text asked, in order."""
        return [text for batch in self.batches for text in batch]

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        with self._lock:
            self.batches.append(list(texts))
            failing = self.failures is None or len(self.batches) <= self.failures
        if failing:
            raise self.error
        return [self.answer(text, target) for text in texts]


def echo(name: str = "echo") -> FakeTranslator:
    """A fast stand-in for a real provider: the text tagged with its target language."""
    return FakeTranslator(name, tag)


def flaky(failures: int | None, name: str = "echo") -> FakeTranslator:
    """Times out for the first `failures` calls (forever with None), then answers like echo."""
    return FakeTranslator(name, tag, failures=failures)


def down(name: str, error: TranslationError) -> FakeTranslator:
    """Raises `error` on every call."""
    return FakeTranslator(name, failures=None, error=error)
