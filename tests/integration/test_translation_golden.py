"""Golden tests: markup, code, URLs and glossary terms survive translation of fixture posts.

Three translators run the same fixture posts: a deterministic test provider (its output
is pinned in tests/fixtures/translation/golden/), the real Apertium, and deep-translator's
Google and LibreTranslate clients against loopback stubs. The stubs "translate" like the
test provider, so deep-translator's own request and parsing code must reproduce the
pinned pages byte for byte. Regenerate the pins with POLYPUB_UPDATE_GOLDEN=1 after an
intended change, and read the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from polypub.content.markdown import render_body
from polypub.content.post import Post, parse_post
from polypub.ports import Translator
from polypub.translate.engine import TranslatedPost, TranslationEngine
from polypub.translate.glossary import Glossary, parse_glossary
from polypub.translate.memory import DictMemory
from polypub.translate.providers.apertium import ApertiumTranslator
from polypub.translate.providers.google import GoogleTranslator
from polypub.translate.providers.libre import LibreTranslator
from support.provider_stubs import Stub
from support.translators import FakeTranslator, upper

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "translation"
GOLDEN = FIXTURES / "golden"
# fixture -> (source, target) pairs it is translated into
CASES = {
    "markup-links-code": ("en", "es"),
    "glossary-terms": ("es", "en"),
}


def fixture(name: str) -> Post:
    return parse_post(f"posts/{name}.md", (FIXTURES / f"{name}.md").read_bytes())


def glossary() -> Glossary:
    return parse_glossary((FIXTURES / "glossary.yml").read_bytes())


def translate(translator: Translator, name: str) -> TranslatedPost:
    source, target = CASES[name]
    engine = TranslationEngine(translator, DictMemory(), glossary=glossary())
    return engine.translate_post(fixture(name), source, target)


def page(result: TranslatedPost) -> str:
    return f"title: {result.title}\ndescription: {result.description}\n---\n{result.body_html}"


class _Shape(HTMLParser):
    """Tags, attributes (but translated ones), and the text inside <code>/<pre>."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, ...]] = []
        self.hrefs: list[str] = []
        self.code: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = tuple(f"{k}={v}" for k, v in attrs if k not in ("alt", "title"))
        self.events.append(("start", tag, *kept))
        self.hrefs += [v or "" for k, v in attrs if k in ("href", "src")]
        if tag in ("code", "pre"):
            self._in_code += 1

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))
        if tag in ("code", "pre"):
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.code.append(data)


def shape(html: str) -> _Shape:
    parser = _Shape()
    parser.feed(html)
    parser.close()
    return parser


def assert_survives(name: str, result: TranslatedPost) -> None:
    """What every provider must keep: structure, URLs, code, glossary terms, no tags."""
    post = fixture(name)
    source, translated = shape(render_body(post.body)), shape(result.body_html)
    assert translated.events == source.events
    assert translated.hrefs == source.hrefs
    assert translated.code == source.code
    html = result.body_html
    # No placeholder leaks as text (the fixture's one literal "<g1>" is the source's).
    leaked = re.findall(r"&lt;/?\s*[gx]\s*\d+\s*/?&gt;", html, re.IGNORECASE)
    assert len(leaked) == render_body(post.body).count("&lt;g1&gt;")
    assert "<script" not in html
    if name == "glossary-terms":
        assert html.count("school garden") + html.count("School garden") >= 4
        assert "huerto" not in re.sub(r'(href|src)="[^"]*"', "", html).lower()
        assert "IES Abastos" in html
        assert "ETWINNING" in html  # the source's own spelling of a protected term
        assert html.count("Erasmus+") == 2
        assert "staff meeting" in html
        assert "school garden" in (result.title + (result.description or "")).lower()
    else:
        assert "<code>make demo</code>" in html
        assert 'href="https://example.org/project?a=1&amp;b=2"' in html
        assert "eTwinning" in html


@pytest.mark.parametrize("name", sorted(CASES))
def test_deterministic_provider_matches_the_golden_page(name: str) -> None:
    result = translate(FakeTranslator("test"), name)  # the deterministic test provider
    assert_survives(name, result)
    golden = GOLDEN / f"{name}.{CASES[name][1]}.html"
    if os.environ.get("POLYPUB_UPDATE_GOLDEN"):
        golden.write_text(page(result), encoding="utf-8")
    assert page(result) == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_deep_translator_google_on_a_stub_matches_the_golden_page(
    name: str, google_stub: Stub
) -> None:
    result = translate(GoogleTranslator(base_url=google_stub.base_url), name)
    assert_survives(name, result)
    assert page(result) == (GOLDEN / f"{name}.{CASES[name][1]}.html").read_text(encoding="utf-8")
    assert len(google_stub.requests) == 1  # the whole post packed into one request


@pytest.mark.parametrize("name", sorted(CASES))
def test_deep_translator_libre_on_a_stub_matches_the_golden_page(
    name: str, libre_stub: Stub
) -> None:
    result = translate(LibreTranslator(base_url=libre_stub.base_url), name)
    assert_survives(name, result)
    assert page(result) == (GOLDEN / f"{name}.{CASES[name][1]}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_provider_that_drops_placeholders_still_publishes_correct_markup(
    name: str, google_stub: Stub
) -> None:
    google_stub.translate = lambda text: upper(re.sub(r"<[^>]*>", "", text))
    result = translate(GoogleTranslator(base_url=google_stub.base_url), name)
    assert_survives(name, result)


def _apertium_modes() -> set[str]:
    if shutil.which("apertium") is None:
        return set()
    listing = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return {line.strip() for line in listing.stdout.splitlines()}


@pytest.mark.apertium
@pytest.mark.parametrize("name", sorted(CASES))
def test_real_apertium_keeps_markup_code_urls_and_glossary_terms(name: str) -> None:
    if not {"eng-spa", "spa-eng"} <= _apertium_modes():
        pytest.skip("needs apertium-eng-spa: run scripts/install-system-deps")
    result = translate(ApertiumTranslator(), name)
    assert_survives(name, result)
    assert result.provider == "apertium"


@pytest.mark.apertium
def test_real_apertium_into_catalan_from_spanish_and_english() -> None:
    if not {"spa-cat", "eng-cat"} <= _apertium_modes():
        pytest.skip("needs apertium-spa-cat and apertium-eng-cat: run scripts/install-system-deps")
    engine = TranslationEngine(ApertiumTranslator(), DictMemory(), glossary=glossary())
    from_es = engine.translate_post(fixture("glossary-terms"), "es", "ca")
    assert "hort escolar" in from_es.body_html
    assert "claustre" in from_es.body_html
    assert "IES Abastos" in from_es.body_html
    from_en = engine.translate_post(fixture("markup-links-code"), "en", "ca")
    assert (
        shape(from_en.body_html).events
        == shape(render_body(fixture("markup-links-code").body)).events
    )
    assert "<code>make demo</code>" in from_en.body_html
