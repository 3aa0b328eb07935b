"""What every online provider shares: length limits by chunking, packing, retries, redaction."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from polypub.translate.answers import check_answers
from polypub.translate.errors import TranslationError, redact
from polypub.translate.retry import RetryPolicy

log = logging.getLogger(__name__)

Size = Callable[[str], int]

_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")
_LINE_BREAKS = re.compile(r"[\r\n]+")


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (Amazon Translate limits requests in bytes)."""
    return len(text.encode("utf-8"))


def _longest_prefix(text: str, limit: int, size: Size) -> int:
    """The largest ``n`` with ``size(text[:n]) <= limit`` (at least 1)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if size(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def split_long(text: str, limit: int, size: Size = len) -> list[str]:
    """``text`` cut into parts of at most ``limit`` (by ``size``), at sentence ends if possible."""
    if size(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while size(sentence) > limit:  # a sentence too long on its own: cut at a space
            fits = _longest_prefix(sentence, limit, size)
            cut = sentence.rfind(" ", 0, fits + 1)
            cut = cut if cut > 0 else fits
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        candidate = f"{current} {sentence}" if current else sentence
        if size(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = sentence
    if current:
        parts.append(current)
    return parts


def pack(units: Sequence[str], limit: int, separator: str, size: Size = len) -> list[list[int]]:
    """Indexes of ``units`` grouped into requests of at most ``limit`` (by ``size``)."""
    groups: list[list[int]] = []
    used = 0
    gap = size(separator)
    for index, unit in enumerate(units):
        if groups and used + gap + size(unit) <= limit:
            groups[-1].append(index)
            used += gap + size(unit)
        else:
            groups.append([index])
            used = size(unit)
    return groups


class ChunkedTranslator:
    """The Translator port over a provider that translates one text per request.

    Texts longer than the provider's limit are cut at sentence ends (then spaces) and
    their translations joined with a space. Free providers that keep line breaks
    (``packs = True``) get several texts per request, one per line, so a post costs a
    few requests instead of one per segment; a reply with the wrong number of lines is
    asked again text by text. Paid providers never pack: a merged reply would be paid
    twice. Each request goes through the retry policy; every error message is
    redacted of the provider's secrets before it leaves.
    """

    name: str = "provider"
    max_chars: ClassVar[int] = 4500
    packs: ClassVar[bool] = False
    separator: ClassVar[str] = "\n"
    # True when the limit is in UTF-8 bytes rather than characters.
    counts_bytes: ClassVar[bool] = False

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_chars: int | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.timeout = timeout
        self.limit = max_chars or self.max_chars
        self.retry = retry or RetryPolicy()

    def size(self, text: str) -> int:
        """How the provider measures ``text`` against its limit."""
        return utf8_size(text) if self.counts_bytes else len(text)

    # ------------------------------------------------------------------ subclass hooks

    def _open(self, source: str, target: str) -> Any:
        """Whatever ``_request`` needs for this pair; raises ProviderRejected if unsupported."""
        raise NotImplementedError

    def _request(self, client: Any, text: str, timeout: float) -> str:
        """One request; raises ProviderUnavailable (retried) or ProviderRejected."""
        raise NotImplementedError

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in an error message (API keys)."""
        return ()

    # ------------------------------------------------------------------ the port

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        try:
            return self._translate(texts, source, target)
        except TranslationError as exc:
            # Our messages never quote keys; this is the second line of defence.
            exc.message = redact(exc.message, self.secrets())
            exc.args = (exc.message,)
            raise

    def _translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        client = self._open(source, target)
        # Placeholder texts are one line each (soft breaks are spaces); a stray line
        # break would desynchronise packed requests.
        lines = [_LINE_BREAKS.sub(" ", text).strip() for text in texts]
        units: list[str] = []
        owner: list[int] = []
        for index, line in enumerate(lines):
            if line:
                for part in split_long(line, self.limit, self.size):
                    units.append(part)
                    owner.append(index)
        answers: list[list[str]] = [[] for _ in texts]
        groups = (
            pack(units, self.limit, self.separator, self.size)
            if self.packs
            else [[i] for i in range(len(units))]
        )
        for group in groups:
            translated = self._translate_group(client, units, group)
            for unit, answer in zip(group, translated, strict=True):
                answers[owner[unit]].append(answer)
        return [" ".join(parts) for parts in answers]

    def _translate_group(self, client: Any, units: Sequence[str], group: list[int]) -> list[str]:
        answer = self._call(client, self.separator.join(units[i] for i in group))
        if len(group) == 1:
            return [answer.strip()]
        lines = [line.strip() for line in answer.split(self.separator) if line.strip()]
        if len(lines) == len(group):
            return lines
        log.info("%s returned %d lines for %d texts; one by one", self.name, len(lines), len(group))
        return [self._call(client, units[i]).strip() for i in group]

    def _call(self, client: Any, text: str) -> str:
        # Checked inside the retried call: an unusable answer (an error page, a quota
        # notice in place of the text) is asked again with backoff, like a 503.
        return self.retry.run(
            lambda timeout: check_answers(
                self.name, [text], [self._request(client, text, timeout)]
            )[0],
            provider=self.name,
            timeout=self.timeout,
        )
