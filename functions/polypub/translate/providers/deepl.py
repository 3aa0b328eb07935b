"""DeepL via deep-translator: key in the Authorization header, XML tags kept, POST not GET."""

from __future__ import annotations

from typing import Any, ClassVar

import deep_translator.deepl as _deep_deepl
import requests
from deep_translator import DeeplTranslator as _DeepDeepl
from deep_translator.exceptions import LanguageNotSupportedException

from polypub import languages
from polypub.translate.errors import ProviderRejected
from polypub.translate.providers.codes import pair_codes
from polypub.translate.providers.deep import (
    DeepTranslatorProvider,
    Request,
    Transport,
    form,
)

# Free-plan keys end in ":fx" and only work on the free API host.
FREE_KEY_SUFFIX = ":fx"
# The request body may be 128 KiB; a text this long stays far below it.
MAX_CHARS = 30_000
MISSING_KEY = (
    'set POLYPUB_DEEPL_API_KEY, or a "deepl" entry in the secret that '
    "POLYPUB_TRANSLATOR_SECRET names (SAM parameter TranslatorApiKeysSecretArn)"
)


class _DeeplTransport(Transport):
    """deep-translator sends ``GET ...?auth_key=KEY&text=...``; DeepL wants the key in a header.

    DeepL retired query-parameter authentication, and a key in a URL ends up in
    proxy and debug logs. The same request becomes a form POST with
    ``Authorization: DeepL-Auth-Key KEY``; ``tag_handling=xml`` makes DeepL keep our
    placeholder tags (valid XML) around the right words; a target the language table
    names differently (``en`` -> ``EN-GB``: DeepL asks for an explicit variant) is renamed.
    """

    def prepare(self, method: str, url: str, kwargs: dict[str, Any]) -> Request:
        if not url.endswith("/translate"):
            return method, url, kwargs
        reshaped = form(kwargs)
        body = reshaped["data"]
        key = body.pop("auth_key", None)
        body["tag_handling"] = "xml"
        plain = languages.provider_codes(self.provider)
        as_target = languages.provider_codes(self.provider, target=True)
        targets = {plain[lang]: code for lang, code in as_target.items() if lang in plain}
        wanted = targets.get(str(body.get("target_lang", "")).lower())
        if wanted is not None:
            body["target_lang"] = wanted
        headers = dict(reshaped.pop("headers", None) or {})
        if key:
            headers["Authorization"] = f"DeepL-Auth-Key {key}"
        return "POST", url, {**reshaped, "headers": headers}

    def send(self, method: str, url: str, *, timeout: float, **kwargs: Any) -> requests.Response:
        try:
            return super().send(method, url, timeout=timeout, **kwargs)
        except ProviderRejected as exc:
            if exc.status == 456:
                raise ProviderRejected(
                    "deepl: the account's character quota is used up (HTTP 456)",
                    provider=self.provider,
                    status=456,
                ) from None
            raise


class DeeplTranslator(DeepTranslatorProvider):
    """The Translator port over deep-translator's DeeplTranslator (API key required).

    Paid per character, so texts are never packed: a reply that merged lines would be
    paid a second time when asked again text by text.
    """

    name: str = "deepl"
    max_chars: ClassVar[int] = MAX_CHARS
    modules = (_deep_deepl,)

    def make_transport(self, session: requests.Session) -> Transport:
        return _DeeplTransport(self.name, session)

    def _open(self, source: str, target: str) -> Any:
        key = self.api_key(required=MISSING_KEY) or ""
        # deep-translator checks the plain codes; the transport renames the target.
        source_code, _ = pair_codes(self.name, source, target)
        target_code = languages.provider_codes(self.name)[target]
        try:
            client = _DeepDeepl(
                source=source_code,
                target=target_code,
                api_key=key,
                use_free_api=key.endswith(FREE_KEY_SUFFIX),
            )
        except LanguageNotSupportedException:
            raise ProviderRejected(
                f"deepl does not translate {source}->{target}", provider=self.name
            ) from None
        if self.base_url:
            client._base_url = self.base_url.rstrip("/") + "/"
        return client
