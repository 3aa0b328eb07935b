"""One module per translation provider, all behind the Translator port; the fallback chain."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from polypub.ports import Translator
from polypub.settings import Settings, SettingsError
from polypub.translate.answers import check_answers
from polypub.translate.errors import (
    ProviderRejected,
    ProviderUnavailable,
    TranslationError,
    UnusableAnswer,
)
from polypub.translate.keys import ApiKeys

log = logging.getLogger(__name__)


def _apertium(settings: Settings, keys: ApiKeys) -> Translator:
    from polypub.translate.providers.apertium import ApertiumTranslator, modes_for

    # A whole post goes through one process; a cold start of the pair's data takes
    # a second or two, so allow more than one HTTP request's timeout.
    return ApertiumTranslator(
        timeout=max(30.0, settings.request_timeout), modes=modes_for(settings.language_variants)
    )


# Imported on use: deep-translator, requests and bs4 stay out of Apertium-only cold starts.


def _google(settings: Settings, keys: ApiKeys) -> Translator:
    from polypub.translate.providers.google import GoogleTranslator

    return GoogleTranslator.from_settings(settings)


def _deepl(settings: Settings, keys: ApiKeys) -> Translator:
    from polypub.translate.providers.deepl import DeeplTranslator

    return DeeplTranslator(
        base_url=settings.deepl_base_url,
        api_key=keys.source("deepl"),
        timeout=settings.request_timeout,
    )


def _microsoft(settings: Settings, keys: ApiKeys) -> Translator:
    from polypub.translate.providers.microsoft import MicrosoftTranslator

    return MicrosoftTranslator(
        base_url=settings.microsoft_base_url,
        api_key=keys.source("microsoft"),
        region=settings.microsoft_region,
        timeout=settings.request_timeout,
    )


def _libre(settings: Settings, keys: ApiKeys) -> Translator:
    from polypub.translate.providers.libre import LibreTranslator

    return LibreTranslator(
        base_url=settings.libretranslate_url,
        api_key=keys.source("libre"),
        timeout=settings.request_timeout,
    )


def _mymemory(settings: Settings, keys: ApiKeys) -> Translator:
    from polypub.translate.providers.mymemory import MyMemoryTranslator

    return MyMemoryTranslator(
        base_url=settings.mymemory_base_url,
        email=settings.mymemory_email,
        timeout=settings.request_timeout,
    )


def _aws(
    settings: Settings, keys: ApiKeys, client_hook: Callable[[Any], None] | None = None
) -> Translator:
    from polypub.translate.providers.aws import AmazonTranslator, translate_client

    # The client is made on first use: a render step that never translates never builds it.
    return AmazonTranslator(
        lambda: translate_client(settings, client_hook),
        timeout=settings.request_timeout,
        formality=settings.aws_formality,
        profanity=settings.aws_profanity,
    )


PROVIDERS: dict[str, Callable[[Settings, ApiKeys], Translator]] = {
    "apertium": _apertium,
    "google": _google,
    "deepl": _deepl,
    "microsoft": _microsoft,
    "libre": _libre,
    "mymemory": _mymemory,
    "aws": _aws,
}


class FallbackChain:
    """Providers tried in order: when one fails, the next one translates the same batch.

    ``name`` is the first provider's name, always: memory keys built from it must
    not change with the weather. ``last_served`` names the provider that answered the
    last call; the engine files new translations under that name, so text made by a
    fallback is never passed off as the first provider's. ``names`` lists every
    member, so the engine can find in memory what a fallback made earlier.

    Both ProviderUnavailable and ProviderRejected move on to the next provider (a
    provider that cannot do a language pair, or refuses us, is exactly when another
    one should), and so does an answer no reader should see (translate/answers.py:
    not text, empty, far too long, the wrong number of texts); when all fail, the
    error is ProviderUnavailable if any failure was retryable, else ProviderRejected.
    """

    def __init__(self, providers: Sequence[Translator]) -> None:
        if not providers:
            raise ValueError("a fallback chain needs at least one provider")
        self.providers = tuple(providers)
        self.name = self.providers[0].name
        self.names = tuple(provider.name for provider in self.providers)
        self.last_served: str | None = None

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        failures: list[TranslationError] = []
        for provider in self.providers:
            try:
                answers = provider.translate(texts, source, target)
                if len(answers) != len(texts):
                    raise UnusableAnswer(
                        f"{provider.name} returned {len(answers)} texts for {len(texts)}",
                        provider=provider.name,
                    )
                result = check_answers(provider.name, texts, answers)
            except (ProviderUnavailable, ProviderRejected) as exc:
                log.warning("translator %s failed, trying the next one: %s", provider.name, exc)
                failures.append(exc)
                continue
            last = getattr(provider, "last_served", None)
            self.last_served = last if isinstance(last, str) and last else provider.name
            return result
        summary = "; ".join(
            f"{provider.name}: {failure}"
            for provider, failure in zip(self.providers, failures, strict=True)
        )
        if any(failure.retryable for failure in failures):
            raise ProviderUnavailable(f"every translator failed ({summary})", provider=self.name)
        raise ProviderRejected(f"every translator refused ({summary})", provider=self.name)


def build_translator(
    names: Sequence[str],
    settings: Settings,
    keys: ApiKeys | None = None,
    *,
    client_hook: Callable[[Any], None] | None = None,
) -> Translator:
    """The configured providers as one Translator (a FallbackChain when more than one).

    Only the names are checked here. A provider missing its key or server fails when
    asked to translate, with a ProviderRejected that says what to set, so that a
    translator's configuration can never stop source-language pages from publishing.
    """
    if not names:
        raise SettingsError(f"no translator named; known translators: {', '.join(PROVIDERS)}")
    unknown = [name for name in names if name not in PROVIDERS]
    if unknown:
        raise SettingsError(
            f"unknown translator(s) {', '.join(unknown)} in POLYPUB_TRANSLATOR; "
            f"known translators: {', '.join(sorted(PROVIDERS))}"
        )
    if len(set(names)) != len(names):
        raise SettingsError("POLYPUB_TRANSLATOR names a translator twice")
    keys = keys if keys is not None else ApiKeys(settings.api_keys)
    # Only Amazon Translate makes a boto3 client, which `client_hook` must see.
    providers = [
        _aws(settings, keys, client_hook) if name == "aws" else PROVIDERS[name](settings, keys)
        for name in names
    ]
    return providers[0] if len(providers) == 1 else FallbackChain(providers)
