"""Real Apertium on imported posts: an author's HTML, embeds and template paths come back intact."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest

from html_safety import active_content
from polypub.content.markdown import render_body
from polypub.content.post import parse_post
from polypub.content.sanitize import sanitize_html
from polypub.translate.engine import TranslationEngine
from polypub.translate.memory import DictMemory
from polypub.translate.providers.apertium import ApertiumTranslator
from support.markup import markup_characters

POSTS = Path(__file__).resolve().parents[1] / "fixtures" / "imported"


def _modes() -> set[str]:
    if shutil.which("apertium") is None:
        return set()
    listing = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return {line.strip() for line in listing.stdout.splitlines()}


class _Shape(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # alt and title are words, translated like the text.
        kept = {name: value or "" for name, value in attrs if name not in ("alt", "title")}
        self.found.append((tag, kept))

    def handle_endtag(self, tag: str) -> None:
        self.found.append(("/" + tag, {}))


def shape(html: str) -> list[tuple[str, dict[str, str]]]:
    """Elements and attributes in order."""
    parser = _Shape()
    parser.feed(html)
    parser.close()
    return parser.found


class Recording(ApertiumTranslator):
    """The real adapter, keeping what it was asked (to count markup sent)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.sent.extend(texts)
        return super().translate(texts, source, target)


@pytest.mark.apertium
@pytest.mark.parametrize("name", sorted(p.name for p in POSTS.glob("*.md")))
def test_apertium_keeps_the_authors_html_intact(name: str) -> None:
    if not {"eng-spa", "spa-eng"} <= _modes():
        pytest.skip("apertium-eng-spa is not installed")
    post = parse_post(f"posts/{name}", (POSTS / name).read_bytes())
    source = post.lang or "en"
    target = "en" if source == "es" else "es"
    translator = Recording()
    result = TranslationEngine(translator, DictMemory()).translate_post(post, source, target)

    assert result.provider == "apertium"
    assert sum(markup_characters(text) for text in translator.sent) == 0
    translated = sanitize_html(result.body_html)
    original = sanitize_html(render_body(post.body))
    assert shape(translated) == shape(original)
    assert active_content(translated) == []
    assert "&lt;" not in translated
    assert translated != original  # words did change
