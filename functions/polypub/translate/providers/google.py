"""Google Translate's keyless web endpoint via deep-translator, with timeouts, retries, chunks."""

from __future__ import annotations

from typing import Any, ClassVar

import deep_translator.google as _deep_google
from deep_translator import GoogleTranslator as _DeepGoogle
from deep_translator.exceptions import LanguageNotSupportedException

from polypub.settings import Settings
from polypub.translate.errors import ProviderRejected
from polypub.translate.providers.base import split_long
from polypub.translate.providers.codes import pair_codes
from polypub.translate.providers.deep import DeepTranslatorProvider

__all__ = ["MAX_CHARS", "GoogleTranslator", "split_long"]

# deep-translator refuses texts of 5,000 characters or more; the margin also keeps
# the GET URL (the text travels in the query string) to a size proxies accept.
MAX_CHARS = 4500


class GoogleTranslator(DeepTranslatorProvider):
    """The Translator port over deep-translator's GoogleTranslator (no API key).

    Free and rate-limited per request, so texts are packed several to a request, one
    per line (Google keeps line breaks and translates each line as its own paragraph).
    """

    name: str = "google"
    max_chars: ClassVar[int] = MAX_CHARS
    packs: ClassVar[bool] = True
    modules = (_deep_google,)

    def __init__(self, **options: Any) -> None:
        limit = options.get("max_chars")
        if limit is not None and not 0 < limit < 5000:
            raise ValueError("max_chars must be between 1 and 4999 (deep-translator's limit)")
        super().__init__(**options)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> GoogleTranslator:
        """The adapter configured by POLYPUB_GOOGLE_BASE_URL and POLYPUB_REQUEST_TIMEOUT."""
        return cls(base_url=settings.google_base_url, timeout=settings.request_timeout, **options)

    def _open(self, source: str, target: str) -> Any:
        source_code, target_code = pair_codes(self.name, source, target)
        try:
            client = _DeepGoogle(source=source_code, target=target_code)
        except LanguageNotSupportedException:
            raise ProviderRejected(
                f"google does not translate {source}->{target}", provider=self.name
            ) from None
        if self.base_url:
            # deep-translator 1.11.4 has no constructor parameter for the endpoint.
            client._base_url = self.base_url
        return client
