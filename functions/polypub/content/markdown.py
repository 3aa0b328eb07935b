"""The one configured MarkdownIt: CommonMark plus tables and strikethrough, no raw HTML."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

# Schemes a link or image may use. Everything else (javascript:, vbscript:, data:,
# file:, ...) is refused by validateLink, so the link renders as plain text.
SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")


def _validate_link(url: str) -> bool:
    candidate = "".join(ch for ch in url.strip().lower() if ch > " ")
    if ":" not in candidate.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative URL, path, fragment or query
    return candidate.startswith(SAFE_SCHEMES)


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The configured parser and renderer; built once per process."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    return md


def render_body(text: str) -> str:
    """Markdown body -> HTML fragment. Raw HTML in the source is shown as text."""
    html: str = markdown().render(text)
    return html
