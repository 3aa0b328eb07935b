"""The translation engine: memory, one batched call, piecewise fallback, provider chain."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from html.parser import HTMLParser

import pytest

from polypub.content.markdown import render_body
from polypub.content.post import Post
from polypub.settings import Settings, SettingsError
from polypub.translate.engine import TranslatedPost, TranslationEngine
from polypub.translate.errors import (
    PlaceholderMismatch,
    ProviderRejected,
    ProviderUnavailable,
    TranslationError,
    redact,
)
from polypub.translate.memory import DictMemory, memory_key
from polypub.translate.providers import FallbackChain, build_translator
from polypub.translate.providers.apertium import ApertiumTranslator
from support.translators import FakeTranslator, down, drop_placeholders, script

BODY = """\
## Our eTwinning week

We joined an **Erasmus+** project with [our partners](https://partners.example.org/list).
Run `make test` and read <https://www.etwinning.net>.

![Students in Rome](/assets/images/uploads/rome.jpg)

- Learn together
- Share ideas

```sh
echo "code is never translated"
```
"""


def make_post(body: str = BODY, *, description: str | None = "A week of eTwinning") -> Post:
    return Post(
        source_key="posts/week.md",
        name="week",
        slug="week",
        title="Our Erasmus+ week",
        body=body,
        content_hash="hash",
        description=description,
    )


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str, tuple[tuple[str, str | None], ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, tuple((k, v) for k, v in attrs if k != "alt")))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag, ()))


def structure(html: str) -> list[tuple[str, str, tuple[tuple[str, str | None], ...]]]:
    parser = _Structure()
    parser.feed(html)
    return parser.events


def test_markup_code_urls_and_glossary_survive_and_only_words_change() -> None:
    provider = FakeTranslator()
    result = TranslationEngine(provider, DictMemory()).translate_post(make_post(), "en", "es")

    assert result.title == "OUR Erasmus+ WEEK"
    assert result.description == "A WEEK OF eTwinning"
    html = result.body_html
    assert structure(html) == structure(render_body(BODY))
    assert "<h2>OUR eTwinning WEEK</h2>" in html
    assert "WE JOINED AN <strong>Erasmus+</strong> PROJECT WITH" in html
    assert '<a href="https://partners.example.org/list">OUR PARTNERS</a>' in html
    assert "<code>make test</code>" in html
    assert '<a href="https://www.etwinning.net">https://www.etwinning.net</a>' in html
    assert 'src="/assets/images/uploads/rome.jpg" alt="STUDENTS IN ROME"' in html
    assert "echo &quot;code is never translated&quot;" in html
    sent = " ".join(provider.sent)
    for kept in ("make test", "https://", "rome.jpg", "code is never", "eTwinning", "Erasmus+"):
        assert kept not in sent


def test_one_batched_call_and_chars_sent_counts_what_was_sent() -> None:
    provider = FakeTranslator()
    result = TranslationEngine(provider, DictMemory()).translate_post(make_post(), "en", "es")
    assert len(provider.batches) == 1
    assert result.chars_sent == sum(len(text) for text in provider.sent)
    # title, description, heading, paragraph, alt text, two list items
    assert result.segments == 7
    assert result.from_memory == 0
    assert result.provider == "fake"


def test_memory_hits_send_nothing() -> None:
    memory = DictMemory()
    first = TranslationEngine(FakeTranslator(), memory).translate_post(make_post(), "en", "es")
    provider = FakeTranslator()
    second = TranslationEngine(provider, memory).translate_post(make_post(), "en", "es")
    assert provider.batches == []
    assert second.chars_sent == 0
    assert second.from_memory == second.segments == 7
    assert second.provider == "fake"
    assert (second.title, second.description, second.body_html) == (
        first.title,
        first.description,
        first.body_html,
    )


def test_editing_one_paragraph_sends_only_that_paragraph() -> None:
    memory = DictMemory()
    TranslationEngine(FakeTranslator(), memory).translate_post(make_post(), "en", "es")
    edited = BODY.replace("- Share ideas", "- Share   ideas and *songs*")
    provider = FakeTranslator()
    result = TranslationEngine(provider, memory).translate_post(make_post(edited), "en", "es")
    assert provider.batches == [["Share ideas and <g1>songs</g1>"]]
    assert result.chars_sent == len("Share ideas and <g1>songs</g1>")
    assert result.from_memory == 6
    assert "<li>SHARE IDEAS AND <em>SONGS</em></li>" in result.body_html


def test_whitespace_only_edits_hit_memory() -> None:
    memory = DictMemory()
    TranslationEngine(FakeTranslator(), memory).translate_post(make_post(), "en", "es")
    provider = FakeTranslator()
    reflowed = BODY.replace("project with [our", "project\nwith   [our")
    result = TranslationEngine(provider, memory).translate_post(make_post(reflowed), "en", "es")
    assert provider.batches == []
    assert result.chars_sent == 0


def test_memory_keys_name_provider_languages_and_segment_hash() -> None:
    memory = DictMemory()
    post = make_post("Hello **world**.\n", description=None)
    TranslationEngine(FakeTranslator("google"), memory).translate_post(post, "en", "es")
    digest = hashlib.sha256(b"Hello <g1>world</g1>.").hexdigest()
    assert memory.items[f"google|en|es|{digest}"] == "HELLO <g1>WORLD</g1>."
    assert memory_key("google", "en", "es", "  Hello <g1>world</g1>.\n") == f"google|en|es|{digest}"
    assert len(memory.items) == 2  # the title and the paragraph


def test_repeated_segments_are_sent_once() -> None:
    provider = FakeTranslator()
    post = make_post("Thanks!\n\n- Thanks!\n\n| Thanks! |\n|---|\n", description=None)
    result = TranslationEngine(provider, DictMemory()).translate_post(post, "en", "es")
    assert provider.sent == ["Our <x1/> week", "Thanks!"]
    assert result.body_html.count("THANKS!") == 3
    assert result.segments == 4


def test_a_provider_that_loses_placeholders_gets_the_pieces_separately() -> None:
    provider = FakeTranslator(answer=drop_placeholders)
    memory = DictMemory()
    result = TranslationEngine(provider, memory).translate_post(make_post(), "en", "es")

    assert len(provider.batches) == 2  # the batch, then one batch of pieces
    assert "We joined an" in provider.batches[1]
    assert "our partners" in provider.batches[1]
    assert all("<" not in piece for piece in provider.batches[1])
    assert result.chars_sent == sum(len(text) for text in provider.sent)
    html = result.body_html
    assert structure(html) == structure(render_body(BODY))
    assert "WE JOINED AN <strong>Erasmus+</strong> PROJECT WITH" in html
    assert '<a href="https://partners.example.org/list">OUR PARTNERS</a>' in html
    assert result.title == "OUR Erasmus+ WEEK"
    # What was put back is remembered: the next run sends nothing.
    again = FakeTranslator()
    TranslationEngine(again, memory).translate_post(make_post(), "en", "es")
    assert again.batches == []


def test_a_translator_answering_markup_publishes_escaped_text() -> None:
    result = TranslationEngine(FakeTranslator(answer=script), DictMemory()).translate_post(
        make_post(), "en", "es"
    )
    assert "<script>" not in result.body_html
    assert "<p>&lt;script&gt;alert('We ')&lt;/script&gt;We joined" in result.body_html
    assert "alt=\"&lt;script&gt;alert('Stu')&lt;/script&gt;Students in Rome\"" in result.body_html
    # Titles are plain text: the page template escapes them.
    assert result.title.startswith("<script>")
    assert structure(result.body_html) == structure(render_body(BODY))


def test_a_corrupt_memory_entry_is_translated_again() -> None:
    memory = DictMemory()
    post = make_post("Hello **world**.\n", description=None)
    key = memory_key("fake", "en", "es", "Hello <g1>world</g1>.")
    memory.put_many({key: "broken, no placeholders"})
    provider = FakeTranslator()
    result = TranslationEngine(provider, memory).translate_post(post, "en", "es")
    assert "Hello <g1>world</g1>." in provider.sent
    assert result.body_html == "<p>HELLO <strong>WORLD</strong>.</p>\n"
    assert memory.items[key] == "HELLO <g1>WORLD</g1>."


def test_a_provider_answering_the_wrong_number_of_texts_is_an_error() -> None:
    class Short(FakeTranslator):
        def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
            return []

    with pytest.raises(TranslationError, match="returned 0 texts"):
        TranslationEngine(Short(), DictMemory()).translate_post(make_post(), "en", "es")


def test_same_source_and_target_is_refused() -> None:
    with pytest.raises(ValueError, match="both 'es'"):
        TranslationEngine(FakeTranslator(), DictMemory()).translate_post(make_post(), "es", "es")


def test_a_post_with_nothing_to_translate_calls_nobody() -> None:
    provider = FakeTranslator()
    post = make_post("```\ncode\n```\n", description=None)
    post = Post(**{**post.__dict__, "title": "2024"})
    result = TranslationEngine(provider, DictMemory()).translate_post(post, "en", "es")
    assert provider.batches == []
    assert result == TranslatedPost(
        title="2024",
        description=None,
        body_html=render_body("```\ncode\n```\n"),
        chars_sent=0,
        provider="fake",
        segments=0,
        from_memory=0,
    )


# ----------------------------------------------------------------- fallback chain


def test_chain_falls_back_and_files_the_fallbacks_work_under_its_own_name() -> None:
    first = down("google", ProviderUnavailable("google answered HTTP 503", status=503))
    second = FakeTranslator("apertium")
    chain = FallbackChain([first, second])
    assert chain.name == "google"

    memory = DictMemory()
    post = make_post("Hello.\n", description=None)
    result = TranslationEngine(chain, memory).translate_post(post, "en", "es")
    assert result.provider == "apertium"
    assert chain.last_served == "apertium"
    assert result.body_html == "<p>HELLO.</p>\n"
    assert all(key.startswith("apertium|en|es|") for key in memory.items)

    # A re-render finds the fallback's work in memory instead of paying again.
    again = TranslationEngine(chain, memory).translate_post(post, "en", "es")
    assert again.chars_sent == 0
    assert again.provider == "apertium"
    assert len(second.batches) == 1


def test_chain_moves_on_when_a_provider_rejects_the_pair() -> None:
    first = down("apertium", ProviderRejected("apertium has no spa-cat mode installed"))
    chain = FallbackChain([first, FakeTranslator("google")])
    assert chain.translate(["Hola"], "es", "ca") == ["HOLA"]
    assert chain.last_served == "google"


def test_chain_failure_is_retryable_if_any_provider_was_unavailable() -> None:
    chain = FallbackChain(
        [
            down("google", ProviderUnavailable("HTTP 429")),
            down("apertium", ProviderRejected("no mode")),
        ]
    )
    with pytest.raises(ProviderUnavailable, match=r"google: HTTP 429; apertium: no mode"):
        chain.translate(["x"], "en", "es")
    rejecting = FallbackChain([down("google", ProviderRejected("HTTP 403"))])
    with pytest.raises(ProviderRejected, match="HTTP 403"):
        rejecting.translate(["x"], "en", "es")


def test_chain_does_not_hide_programming_errors() -> None:
    class Broken(FakeTranslator):
        def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
            raise PlaceholderMismatch("internal")

    chain = FallbackChain([Broken("a"), FakeTranslator("b")])
    with pytest.raises(PlaceholderMismatch):
        chain.translate(["x"], "en", "es")


def test_build_translator_builds_the_configured_chain() -> None:
    settings = Settings(google_base_url="http://127.0.0.1:9/m")
    single = build_translator(["apertium"], settings)
    assert isinstance(single, ApertiumTranslator)
    chain = build_translator(["google", "apertium"], settings)
    assert isinstance(chain, FallbackChain)
    assert chain.name == "google"
    assert [p.name for p in chain.providers] == ["google", "apertium"]


def test_build_translator_names_the_known_providers_for_an_unknown_one() -> None:
    with pytest.raises(
        SettingsError,
        match=r"unknown translator\(s\) bing.*apertium, aws, deepl, google, libre, microsoft, "
        "mymemory",
    ):
        build_translator(["bing", "apertium"], Settings())
    with pytest.raises(SettingsError, match="twice"):
        build_translator(["apertium", "apertium"], Settings())
    with pytest.raises(SettingsError, match="no translator"):
        build_translator([], Settings())


def test_redact_removes_secrets_from_messages() -> None:
    assert redact("auth_key=abc123 failed", ["abc123", None, ""]) == "auth_key=*** failed"


# ----------------------------------------------------------------- unusable answers


def Answering(name: str, reply: object) -> FakeTranslator:
    """Answers `reply`, whatever the text: a provider gone wrong."""
    return FakeTranslator(name, lambda text, target: reply)  # type: ignore[arg-type, return-value]


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("Hola. " * 100, "more than 4 times"),
        ("", "answered nothing"),
        (None, "NoneType instead of text"),
        (["Hola."], "list instead of text"),
        ("Hola \ud800.", "lone surrogate"),  # JSON can carry one; UTF-8 cannot
    ],
)
def test_an_unusable_answer_fails_the_job_and_is_never_published_nor_kept(
    answer: object, why: str
) -> None:
    memory = DictMemory()
    engine = TranslationEngine(Answering("google", answer), memory)
    with pytest.raises(ProviderUnavailable, match=why) as info:
        engine.translate_post(make_post("Hello.\n", description=None), "en", "es")
    assert info.value.retryable  # the queue brings the job back later
    assert memory.items == {}


def test_a_chain_passes_an_unusable_answer_to_the_next_provider() -> None:
    first = Answering("google", "x" * 1000)
    chain = FallbackChain([first, FakeTranslator("apertium")])
    memory = DictMemory()
    result = TranslationEngine(chain, memory).translate_post(
        make_post("Hello.\n", description=None), "en", "es"
    )
    assert result.body_html == "<p>HELLO.</p>\n"
    assert result.provider == "apertium"
    assert first.batches
    assert all(key.startswith("apertium|") for key in memory.items)


def test_a_chain_of_unusable_answers_is_retryable() -> None:
    chain = FallbackChain([Answering("google", ""), Answering("apertium", None)])
    with pytest.raises(ProviderUnavailable, match=r"google answered nothing.*apertium answered"):
        chain.translate(["Hello"], "en", "es")


@pytest.mark.parametrize(
    ("source", "answer"),
    [
        ("OK", "De acuerdo, de acuerdo"),  # short texts may grow by a few words
        ("Sí", "Yes"),
        ("2024", "2024"),
        ("Hello world, this is a sentence.", "Hola mundo, esta es una frase bastante larga."),
        (" ", ""),  # nothing to translate, nothing back
        ("<x1/>", ""),
    ],
)
def test_honest_answers_pass(source: str, answer: str) -> None:
    assert Answering("google", answer).translate([source], "en", "es") == [answer]
    assert FallbackChain([Answering("google", answer)]).translate([source], "en", "es") == [answer]
