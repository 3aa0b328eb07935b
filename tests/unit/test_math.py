"""TeX between dollars (content/markdown.py): shown as written, never translated."""

from __future__ import annotations

import pytest

from polypub.content.markdown import render_body
from polypub.content.post import parse_post
from polypub.content.sanitize import sanitize_html
from polypub.translate.engine import TranslationEngine
from polypub.translate.memory import DictMemory
from support.translators import FakeTranslator

# As in tests/corpus/fisiquimicamente (contraste-color), where Apertium made "\frac"
# into "\tailcoat".
BODY = (
    "Se define el contraste, $C$, como:\n\n"
    "$$\nC = \\frac{L_1 + 0.05}{L_2 + 0.05}\n$$\n\n"
    "donde $L_1$ es la luminancia del color más claro.\n"
)


def test_tex_is_code_the_translator_never_sees() -> None:
    sent: list[str] = []

    def record(text: str, _target: str) -> str:
        sent.append(text)
        return text.upper()

    engine = TranslationEngine(FakeTranslator("upper", record), DictMemory())
    post = parse_post("posts/contraste.md", f"---\ntitle: Contraste\n---\n{BODY}".encode())
    html = engine.translate_post(post, "es", "en").body_html
    assert not any("frac" in text or "L_1" in text for text in sent)
    assert '<pre><code class="math">C = \\frac{L_1 + 0.05}{L_2 + 0.05}\n</code></pre>' in html
    assert 'DONDE <code class="math">L_1</code> ES LA LUMINANCIA' in html
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "text",
    [
        "Cuesta $5 y $10 la entrada.",  # prices, the dollar before
        "De 5$ a 10$ por persona.",  # prices, the dollar after
        "Un $ suelto y otro $ más.",  # spaces inside: no TeX
    ],
)
def test_prices_stay_text(text: str) -> None:
    assert render_body(text) == f"<p>{text}</p>\n"


def test_tex_is_escaped_as_text() -> None:
    html = render_body("Si $a<b$ y $$x>\\alpha$$.\n")
    assert html == (
        '<p>Si <code class="math">a&lt;b</code> y <code class="math">x&gt;\\alpha</code>.</p>\n'
    )
