"""Microsoft Translator via deep-translator: no network call at construction, HTML text type."""

from __future__ import annotations

from typing import Any, ClassVar

import deep_translator.microsoft as _deep_microsoft
from deep_translator import MicrosoftTranslator as _DeepMicrosoft
from deep_translator.exceptions import LanguageNotSupportedException

from polypub import languages
from polypub.translate.errors import ProviderRejected
from polypub.translate.providers.codes import pair_codes
from polypub.translate.providers.deep import DeepTranslatorProvider

# Microsoft accepts 50,000 characters per request; one text stays well below.
MAX_CHARS = 10_000
MISSING_KEY = (
    'set POLYPUB_MICROSOFT_API_KEY, or a "microsoft" entry in the secret that '
    "POLYPUB_TRANSLATOR_SECRET names (SAM parameter TranslatorApiKeysSecretArn)"
)


class _Client(_DeepMicrosoft):  # type: ignore[misc]  # deep-translator has no type hints
    """deep-translator's client without its constructor's request.

    The library asks Microsoft's language list on every construction, with no timeout
    and outside any seam. The language table's Microsoft codes are the list instead.
    """

    def _get_supported_languages(self) -> dict[str, str]:
        codes = languages.provider_codes("microsoft")
        return {code: code for code in codes.values()}


class MicrosoftTranslator(DeepTranslatorProvider):
    """The Translator port over deep-translator's MicrosoftTranslator (API key required).

    The key travels in the Ocp-Apim-Subscription-Key header (never in the URL); the
    optional region in Ocp-Apim-Subscription-Region. ``textType=html`` makes Microsoft
    keep our placeholder tags. Paid per character: never packed.
    """

    name: str = "microsoft"
    max_chars: ClassVar[int] = MAX_CHARS
    modules = (_deep_microsoft,)

    def __init__(self, *, region: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.region = region

    def _open(self, source: str, target: str) -> Any:
        key = self.api_key(required=MISSING_KEY)
        source_code, target_code = pair_codes(self.name, source, target)
        try:
            client = _Client(
                source=source_code,
                target=target_code,
                api_key=key,
                region=self.region,
                textType="html",
            )
        except LanguageNotSupportedException:
            raise ProviderRejected(
                f"microsoft does not translate {source}->{target}", provider=self.name
            ) from None
        if self.base_url:
            client._base_url = self.base_url.rstrip("/") + "/translate?api-version=3.0"
        return client
