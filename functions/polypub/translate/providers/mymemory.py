"""MyMemory via deep-translator: 500-character texts, quota errors sent with HTTP 200."""

from __future__ import annotations

from typing import Any, ClassVar

import deep_translator.mymemory as _deep_mymemory
import requests
from deep_translator import MyMemoryTranslator as _DeepMyMemory

from polypub.translate.errors import ProviderRejected, ProviderUnavailable
from polypub.translate.providers.codes import pair_codes
from polypub.translate.providers.deep import DeepTranslatorProvider, Transport

# deep-translator refuses texts of 500 characters or more (MyMemory's own limit).
MAX_CHARS = 499


class _MyMemoryTransport(Transport):
    """MyMemory answers HTTP 200 with ``responseStatus`` 429 when the daily quota is
    used up, and a warning as the "translation"; the library would publish it."""

    def check(self, response: requests.Response) -> None:
        try:
            status = int(response.json().get("responseStatus", 200))
        except (ValueError, TypeError, AttributeError):
            raise ProviderUnavailable(
                "mymemory answered something we could not read", provider=self.provider
            ) from None
        if status == 200:
            return
        if status == 429:
            raise ProviderUnavailable(
                "mymemory: the daily free quota is used up (set POLYPUB_MYMEMORY_EMAIL "
                "for a larger one)",
                provider=self.provider,
                status=429,
            )
        if 400 <= status < 500:
            raise ProviderRejected(
                f"mymemory refused the request (status {status})",
                provider=self.provider,
                status=status,
            )
        raise ProviderUnavailable(
            f"mymemory answered status {status}", provider=self.provider, status=status
        )


class MyMemoryTranslator(DeepTranslatorProvider):
    """The Translator port over deep-translator's MyMemoryTranslator (no key; e-mail optional).

    Free with a daily character quota (larger with a contact e-mail): not packed,
    since its answers come from a memory of whole sentences.
    """

    name: str = "mymemory"
    max_chars: ClassVar[int] = MAX_CHARS
    modules = (_deep_mymemory,)

    def __init__(self, *, email: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.email = email

    def make_transport(self, session: requests.Session) -> Transport:
        return _MyMemoryTransport(self.name, session)

    def _open(self, source: str, target: str) -> Any:
        # MyMemory names languages with a region (polypub.languages).
        source_code, target_code = pair_codes(self.name, source, target)
        client = _DeepMyMemory(source=source_code, target=target_code, email=self.email)
        if self.base_url:
            client._base_url = self.base_url
        return client
