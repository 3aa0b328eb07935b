"""Only human text reaches a translator: real-looking imported posts send 0 characters of markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pages import parse

from html_safety import active_content
from polypub.content.markdown import render_body
from polypub.content.post import Post, parse_post
from polypub.content.sanitize import sanitize_html
from polypub.translate.engine import TranslationEngine
from polypub.translate.memory import DictMemory
from support.markup import markup_characters, shown_markup
from support.translators import FakeTranslator, shout

POSTS = Path(__file__).resolve().parents[1] / "fixtures" / "imported"
NAMES = sorted(path.name for path in POSTS.glob("*.md"))


def load(name: str) -> Post:
    return parse_post(f"posts/{name}", (POSTS / name).read_bytes())


def shape(html: str) -> list[tuple[str, dict[str, str]]]:
    return [
        (tag, {name: value for name, value in attrs.items() if name not in ("alt", "title")})
        for tag, attrs in parse(html).tags
    ]


def test_the_measure_sees_markup_when_there_is_some() -> None:
    # The gauge itself: what the issue saw sent before ("<a href=" -> "<Un href=").
    assert markup_characters('Mira <a href="https://x.org">esto</a>') == 28
    assert markup_characters("{{ site.url }}/assets/images y foto.png") == 36
    assert markup_characters("Mira <g1>esto</g1> y <x1/>.") == 0
    shown = shown_markup("<p>&lt;img src=x&gt; {{ site.url }} <code>{{ x }}</code></p>")
    assert shown == ["<img ", "{{", "}}"]


@pytest.mark.parametrize("name", NAMES)
def test_no_markup_is_sent_and_the_page_keeps_its_markup(name: str) -> None:
    post = load(name)
    source = "es" if post.lang == "es" else "en"
    target = "en" if source == "es" else "es"
    translator = FakeTranslator("fake", shout)
    result = TranslationEngine(translator, DictMemory()).translate_post(post, source, target)

    assert translator.sent, "some words were sent"
    assert sum(markup_characters(text) for text in translator.sent) == 0, translator.sent
    translated = sanitize_html(result.body_html)
    original = sanitize_html(render_body(post.body))
    # Same elements and attributes in the same order; only words (and alt texts) changed.
    assert shape(translated) == shape(original)
    assert active_content(translated) == []
    # Only what the author asked to show as written ({% raw %}) is shown.
    raw = ["{{", "}}"] * post.body.count("{% raw %}")
    assert shown_markup(original) == raw
    assert shown_markup(translated) == raw
    # Template code is on the page only where the author wrote it as code or {% raw %}.
    assert translated.count("{{") == original.count("{{")
    assert "{{ site" not in original
    assert "{{<" not in original


def test_the_text_inside_an_authors_html_is_translated() -> None:
    translator = FakeTranslator("fake", shout)
    result = TranslationEngine(translator, DictMemory()).translate_post(
        load("wordpress-huerto.md"), "es", "en"
    )
    html = result.body_html
    for words in (
        "LOS PRIMEROS TOMATES DE LA TEMPORADA",  # a [caption]
        "PREPARAR LA TIERRA",  # a <td>
        'alt="LOS ALUMNOS RIEGAN EL HUERTO"',  # an <img>'s alt
        "NUESTRA PÁGINA DEL PROYECTO",  # an <a>'s text
    ):
        assert words in html
    assert "guia-riego.pdf" in html  # a file name is not words
    assert 'href="https://example.org/huerto"' in html
