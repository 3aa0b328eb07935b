"""The one configured MarkdownIt: CommonMark plus tables and strikethrough, no raw HTML."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from polypub.content.errors import MarkdownTooComplexError

# Schemes a link or image may use. Everything else (javascript:, vbscript:, data:,
# file:, ...) is refused by validateLink, so the link renders as plain text.
SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")

# Characters that open, close or escape inline markup. markdown-it-py stays linear on
# hostile input, but each of these costs it up to ~50 microseconds (measured: 100,000
# nested "[" take 2.4 s, 50,000 "![" 2.7 s); a post is refused beyond this many, which
# keeps any accepted body to a few seconds of rendering in a 60 s Lambda.
MARKUP_CHARACTERS = "[]()!*_`<>|&\\~"
MAX_MARKUP_CHARACTERS = 50_000

# Table column alignment as a class of the site's stylesheet (site.css): the pages'
# Content-Security-Policy (style-src 'self') drops the inline style markdown-it writes.
ALIGN_CLASSES = {f"text-align:{side}": f"align-{side}" for side in ("left", "center", "right")}


def _validate_link(url: str) -> bool:
    candidate = "".join(ch for ch in url.strip().lower() if ch > " ")
    if ":" not in candidate.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative URL, path, fragment or query
    return candidate.startswith(SAFE_SCHEMES)


def _alignment_classes(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and "style" in token.attrs:
            style = str(token.attrs.pop("style"))
            if style in ALIGN_CLASSES:
                token.attrSet("class", ALIGN_CLASSES[style])


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The configured parser and renderer; built once per process."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    # A core rule, so the tokens translations are rebuilt from carry the class too.
    md.core.ruler.push("alignment_classes", _alignment_classes)
    return md


@lru_cache(maxsize=8)
def parse_body(text: str) -> tuple[Token, ...]:
    """The body's tokens, parsed once for rendering and for cutting into segments.

    Nothing downstream changes tokens in place (segments.SegmentedBody.render renders
    copies), so the few bodies a step works on are kept and shared.
    """
    return tuple(markdown().parse(text))


def render_body(text: str) -> str:
    """Markdown body -> HTML fragment. Raw HTML in the source is shown as text."""
    md = markdown()
    html: str = md.renderer.render(list(parse_body(text)), md.options, {})
    return html


def check_complexity(text: str, limit: int = MAX_MARKUP_CHARACTERS) -> None:
    """Raise MarkdownTooComplexError when ``text`` has more markup characters than ``limit``."""
    count = sum(text.count(ch) for ch in MARKUP_CHARACTERS)
    if count > limit:
        raise MarkdownTooComplexError(count, limit)
