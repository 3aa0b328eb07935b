"""Google Translate's keyless web endpoint via deep-translator, with timeouts, retries, chunks."""

from __future__ import annotations

import contextvars
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import deep_translator.google as _deep_google
import requests
from deep_translator import GoogleTranslator as _DeepGoogle
from deep_translator.exceptions import (
    LanguageNotSupportedException,
    RequestError,
    TooManyRequests,
    TranslationNotFound,
)

from polypub.settings import Settings
from polypub.translate.errors import ProviderRejected, ProviderUnavailable

log = logging.getLogger(__name__)

# deep-translator refuses texts of 5,000 characters or more; the margin also keeps
# the GET URL (the text travels in the query string) to a size proxies accept.
MAX_CHARS = 4500
# Texts packed into one request are separated by a line break: Google keeps line
# breaks and translates each line as its own paragraph.
_SEPARATOR = "\n"
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")
_LINE_BREAKS = re.compile(r"[\r\n]+")

_PROVIDER = "google"


class _Transport:
    """How our adapter makes deep-translator's GET: our session, timeout and errors."""

    def __init__(self, session: requests.Session, timeout: float) -> None:
        self.session = session
        self.timeout = timeout

    def get(self, url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.get(url, params=params, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise ProviderUnavailable(
                f"google did not answer within {self.timeout:g}s", provider=_PROVIDER
            ) from None
        except requests.RequestException as exc:
            # Never str(exc): requests quotes the URL, and the query string holds the text.
            raise ProviderUnavailable(
                f"google could not be reached ({type(exc).__name__})", provider=_PROVIDER
            ) from None
        status = response.status_code
        if status == 429 or status >= 500:
            response.close()
            raise ProviderUnavailable(
                f"google answered HTTP {status}", provider=_PROVIDER, status=status
            )
        if status >= 400:
            response.close()
            raise ProviderRejected(
                f"google refused the request (HTTP {status})", provider=_PROVIDER, status=status
            )
        return response


_CURRENT: contextvars.ContextVar[_Transport | None] = contextvars.ContextVar(
    "polypub_google_transport", default=None
)


class _RequestsSeam:
    """Stands in for the name ``requests`` inside ``deep_translator.google`` only."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        transport = _CURRENT.get()
        if transport is None:
            # Somebody else's call: the library's own behaviour, deliberately unchanged.
            return requests.get(url, params=params, **kwargs)  # noqa: S113
        return transport.get(url, params, **kwargs)


def _install_seam() -> None:
    # deep-translator 1.11.4 calls the module-level ``requests.get(url, params=...,
    # proxies=...)`` with no timeout and no way to pass a session, and turns every
    # non-2xx status except 429 into one RequestError without the status. Rebinding
    # the name ``requests`` in that one module to a seam lets our calls (marked by a
    # context variable) use our session, timeout and status mapping while the
    # library's own parsing code runs unchanged; nothing else that uses requests is
    # touched. The pinned version is checked by tests/integration/test_google_stub.py.
    if not isinstance(_deep_google.requests, _RequestsSeam):
        _deep_google.requests = _RequestsSeam()


@contextmanager
def _using(transport: _Transport) -> Iterator[None]:
    token = _CURRENT.set(transport)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def split_long(text: str, limit: int) -> list[str]:
    """``text`` cut into parts of at most ``limit`` characters, at sentence ends if possible."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > limit:  # a sentence too long on its own: cut at a space
            cut = sentence.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        candidate = f"{current} {sentence}" if current else sentence
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = sentence
    if current:
        parts.append(current)
    return parts


def _pack(units: Sequence[str], limit: int) -> list[list[int]]:
    """Indexes of ``units`` grouped into requests of at most ``limit`` characters."""
    groups: list[list[int]] = []
    size = 0
    for index, unit in enumerate(units):
        if groups and size + len(_SEPARATOR) + len(unit) <= limit:
            groups[-1].append(index)
            size += len(_SEPARATOR) + len(unit)
        else:
            groups.append([index])
            size = len(unit)
    return groups


class GoogleTranslator:
    """The Translator port over deep-translator's GoogleTranslator (no API key)."""

    name = _PROVIDER

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float = 10.0,
        max_chars: int = MAX_CHARS,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 4.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        session: requests.Session | None = None,
    ) -> None:
        if not 0 < max_chars < 5000:
            raise ValueError("max_chars must be between 1 and 4999 (deep-translator's limit)")
        self.base_url = base_url
        self.max_chars = max_chars
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.jitter = jitter
        self._transport = _Transport(session or requests.Session(), timeout)
        _install_seam()

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> GoogleTranslator:
        """The adapter configured by POLYPUB_GOOGLE_BASE_URL and POLYPUB_REQUEST_TIMEOUT."""
        return cls(base_url=settings.google_base_url, timeout=settings.request_timeout, **options)

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        client = self._client(source, target)
        # Placeholder texts are one line each (soft breaks are spaces); a stray line
        # break would desynchronise the packed requests.
        lines = [_LINE_BREAKS.sub(" ", text).strip() for text in texts]
        units: list[str] = []
        owner: list[int] = []
        for index, line in enumerate(lines):
            if line:
                for part in split_long(line, self.max_chars):
                    units.append(part)
                    owner.append(index)
        answers: list[list[str]] = [[] for _ in texts]
        for group in _pack(units, self.max_chars):
            translated = self._translate_group(client, units, group)
            for unit, answer in zip(group, translated, strict=True):
                answers[owner[unit]].append(answer)
        return [" ".join(parts) for parts in answers]

    def _client(self, source: str, target: str) -> Any:
        try:
            client = _DeepGoogle(source=source, target=target)
        except LanguageNotSupportedException:
            raise ProviderRejected(
                f"google does not translate {source}->{target}", provider=self.name
            ) from None
        if self.base_url:
            # deep-translator 1.11.4 has no constructor parameter for the endpoint.
            client._base_url = self.base_url
        return client

    def _translate_group(self, client: Any, units: Sequence[str], group: list[int]) -> list[str]:
        answer = self._request(client, _SEPARATOR.join(units[i] for i in group))
        if len(group) == 1:
            return [answer]
        lines = [line.strip() for line in answer.split(_SEPARATOR) if line.strip()]
        if len(lines) == len(group):
            return lines
        # Google merged or split lines: ask for each text on its own.
        log.info("google returned %d lines for %d texts; one by one", len(lines), len(group))
        return [self._request(client, units[i]) for i in group]

    def _request(self, client: Any, text: str) -> str:
        for attempt in range(1, self.max_attempts + 1):
            try:
                with _using(self._transport):
                    result = client.translate(text)
            except ProviderUnavailable as exc:
                if attempt == self.max_attempts:
                    raise
                # Exponential backoff with jitter, bounded: 0.5 s, 1 s, 2 s ... (x 0.5-1).
                delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                delay *= 0.5 + self.jitter() / 2
                log.info("google attempt %d failed (%s); retrying in %.2fs", attempt, exc, delay)
                self.sleep(delay)
                continue
            except TranslationNotFound:
                # 200 with a page we cannot read (a consent or captcha page): not ours to fix.
                raise ProviderUnavailable(
                    "google answered a page without a translation", provider=self.name
                ) from None
            except (RequestError, TooManyRequests):  # only if the seam was bypassed
                raise ProviderUnavailable("google request failed", provider=self.name) from None
            # The library answers None when the text has no letters to translate.
            return text if result is None else str(result)
        raise AssertionError("unreachable")  # pragma: no cover
