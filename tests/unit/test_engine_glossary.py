"""The engine with a glossary: fixed terms, memory keys per entry, costs per provider."""

from __future__ import annotations

import pytest

from polypub.content.post import Post
from polypub.translate.engine import TranslationEngine
from polypub.translate.errors import ProviderUnavailable, TranslationError
from polypub.translate.glossary import DEFAULT_GLOSSARY, parse_glossary
from polypub.translate.memory import DictMemory, memory_key
from polypub.translate.providers import FallbackChain
from support.translators import FakeTranslator, down

GLOSSARY = b"""\
do_not_translate: [Erasmus+, eTwinning]
translations:
  - es: huerto escolar
    en: school garden
"""

BODY = """\
Cuidamos el **huerto escolar** cada semana.

Participamos en eTwinning con un colegio de Oporto.

Nada especial en este párrafo.
"""


def post(body: str = BODY) -> Post:
    return Post(
        source_key="posts/huerto.md",
        name="huerto",
        slug="huerto",
        title="Nuestro huerto escolar",
        body=body,
        content_hash="h",
    )


# What a provider that is down answers (an HTTP 503 from Google).
GOOGLE_DOWN = ProviderUnavailable("google answered HTTP 503", provider="google", status=503)


def engine(
    provider: FakeTranslator | FallbackChain, memory: DictMemory, data: bytes = GLOSSARY
) -> TranslationEngine:
    return TranslationEngine(provider, memory, glossary=parse_glossary(data))


def test_fixed_translations_and_protected_terms_never_reach_the_provider() -> None:
    provider = FakeTranslator()
    result = engine(provider, DictMemory()).translate_post(post(), "es", "en")
    sent = " ".join(provider.sent)
    assert "huerto" not in sent
    assert "eTwinning" not in sent
    assert result.title == "NUESTRO school garden"
    assert "<strong>school garden</strong>" in result.body_html
    assert "EN eTwinning CON" in result.body_html


def test_changing_one_entry_retranslates_only_the_segments_that_use_it() -> None:
    memory = DictMemory()
    engine(FakeTranslator(), memory).translate_post(post(), "es", "en")

    provider = FakeTranslator()
    edited = GLOSSARY.replace(b"en: school garden", b"en: school vegetable garden")
    result = engine(provider, memory, edited).translate_post(post(), "es", "en")

    # The title and the first paragraph use the entry; the other paragraphs do not.
    assert provider.sent == ["Nuestro <x1/>", "Cuidamos el <g1><x1/></g1> cada semana."]
    assert result.chars_sent == sum(len(text) for text in provider.sent)
    assert result.from_memory == 2
    assert "<strong>school vegetable garden</strong>" in result.body_html


def test_adding_a_do_not_translate_term_retranslates_only_where_it_appears() -> None:
    memory = DictMemory()
    engine(FakeTranslator(), memory).translate_post(post(), "es", "en")

    provider = FakeTranslator()
    added = GLOSSARY.replace(b"eTwinning]", b"eTwinning, Oporto]")
    engine(provider, memory, added).translate_post(post(), "es", "en")
    assert provider.sent == ["Participamos en <x1/> con un colegio de <x2/>."]


def test_an_unchanged_glossary_sends_nothing() -> None:
    memory = DictMemory()
    engine(FakeTranslator(), memory).translate_post(post(), "es", "en")
    provider = FakeTranslator()
    again = engine(provider, memory, b"# reordered\n" + GLOSSARY).translate_post(post(), "es", "en")
    assert provider.batches == []
    assert again.chars_sent == 0


def test_memory_keys_of_segments_with_terms_include_the_entries_hash() -> None:
    memory = DictMemory()
    engine(FakeTranslator("google"), memory).translate_post(post("Nada especial.\n"), "es", "en")
    plain = memory_key("google", "es", "en", "Nada especial.")
    assert plain in memory.items  # segments without terms keep the plain text hash
    title_keys = [key for key in memory.items if key != plain]
    assert len(title_keys) == 1
    assert title_keys[0] != memory_key("google", "es", "en", "Nuestro <x1/>")


def test_characters_are_counted_for_the_provider_that_answered() -> None:
    fallback = FakeTranslator("apertium")
    chain = FallbackChain([down("google", GOOGLE_DOWN), fallback])
    result = engine(chain, DictMemory()).translate_post(post(), "es", "en")
    assert result.chars_by_provider == {"apertium": result.chars_sent}
    assert result.chars_sent == sum(len(text) for text in fallback.sent) > 0
    assert result.provider == "apertium"


def test_costs_from_two_providers_are_kept_apart() -> None:
    memory = DictMemory()
    # google made the first version; then it is down and apertium translates the edit.
    engine(FakeTranslator("google"), memory).translate_post(post(), "es", "en")
    fallback = FakeTranslator("apertium")
    chain = FallbackChain([down("google", GOOGLE_DOWN), fallback])
    edited = post(BODY.replace("Nada especial", "Algo especial"))
    result = engine(chain, memory).translate_post(edited, "es", "en")
    assert result.chars_by_provider == {"apertium": len("Algo especial en este párrafo.")}
    assert result.provider == "google,apertium"


def test_the_default_glossary_is_used_when_none_is_given() -> None:
    provider = FakeTranslator()
    result = TranslationEngine(provider, DictMemory()).translate_post(post(), "es", "en")
    assert DEFAULT_GLOSSARY.keep[:2] == ("Erasmus+", "eTwinning")
    # The built-in school glossary applies without a file: its terms are placeholders.
    assert "huerto escolar" not in " ".join(provider.sent)
    assert "eTwinning" not in " ".join(provider.sent)
    assert result.chars_sent > 0


def test_a_failing_provider_raises_a_translation_error_and_stores_nothing() -> None:
    memory = DictMemory()
    with pytest.raises(TranslationError) as caught:
        engine(FallbackChain([down("google", GOOGLE_DOWN)]), memory).translate_post(
            post(), "es", "en"
        )
    assert caught.value.retryable
    assert memory.items == {}
