"""LibreTranslate via deep-translator: base URL from settings, optional key in the form body."""

from __future__ import annotations

from typing import Any, ClassVar

import deep_translator.libre as _deep_libre
import requests
from deep_translator import LibreTranslator as _DeepLibre

from polypub.translate.errors import ProviderRejected
from polypub.translate.providers.codes import pair_codes
from polypub.translate.providers.deep import (
    DeepTranslatorProvider,
    Request,
    Transport,
    form,
)

# LibreTranslate servers set their own limit (libretranslate.com: 5,000 characters per
# request with a key); self-hosted ones have none by default.
MAX_CHARS = 5000


class _LibreTransport(Transport):
    """deep-translator POSTs with everything (the text and the key) in the query string.

    Both move into the form body, which LibreTranslate reads the same way, so neither
    the key nor a teacher's text appears in a URL.
    """

    def prepare(self, method: str, url: str, kwargs: dict[str, Any]) -> Request:
        return method, url, form(kwargs)


class LibreTranslator(DeepTranslatorProvider):
    """The Translator port over deep-translator's LibreTranslator.

    The server comes from POLYPUB_LIBRETRANSLATE_URL (a public mirror or the school's
    own); the key (POLYPUB_LIBRETRANSLATE_API_KEY or the secret) is optional, as many
    servers need none. Texts are packed one per line: servers limit requests, not
    characters.
    """

    name: str = "libre"
    max_chars: ClassVar[int] = MAX_CHARS
    packs: ClassVar[bool] = True
    modules = (_deep_libre,)

    def make_transport(self, session: requests.Session) -> Transport:
        return _LibreTransport(self.name, session)

    def _open(self, source: str, target: str) -> Any:
        if not self.base_url:
            raise ProviderRejected(
                "libre has no server: set POLYPUB_LIBRETRANSLATE_URL "
                "(SAM parameter LibreTranslateUrl), e.g. https://libretranslate.example.org/",
                provider=self.name,
            )
        # deep-translator 1.11.4's list of LibreTranslate languages predates Catalan;
        # servers have had it for years. The language table's codes are used instead.
        source_code, target_code = pair_codes(self.name, source, target)
        key = self.api_key()
        # The library refuses to start without a key, and sends it only when set.
        client = _DeepLibre(
            source="en", target="es", api_key=key or "unused", custom_url=self.base_url
        )
        client.api_key = key
        client._base_url = self.base_url.rstrip("/") + "/"
        client._source, client._target = source_code, target_code
        return client
