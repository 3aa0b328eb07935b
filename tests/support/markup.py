"""How much markup a translator was sent (markup_characters) and a reader sees (shown_markup)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Our own placeholders are the one markup a translator is meant to see.
PLACEHOLDER = re.compile(r"<\s*/?\s*[gx]\s*\d+\s*/?\s*>", re.IGNORECASE)
# What a reader would call markup if a translator received it: HTML tags, comments and
# attributes, template constructs, URLs, site paths, file names.
MARKUP = re.compile(
    r"<!--.*?-->|</?[A-Za-z][^>]*>|\{\{.*?\}\}|\{%.*?%\}|\{\{|\{%|%\}|\}\}|\[/?caption[^\]]*\]"
    r"|\b[\w-]+=\"[^\"]*\"|\bhttps?://\S+|\bwww\.\S+|(?<![\w/])/[\w.-]+/[\w./-]*"
    r"|\b[\w-]+\.(?:png|jpe?g|gif|webp|pdf|docx?|mp4|md|html?)\b",
    re.IGNORECASE | re.DOTALL,
)


def markup_characters(text: str) -> int:
    """Characters of markup in one text sent for translation (entities decoded first)."""
    words = html.unescape(PLACEHOLDER.sub(" ", text))
    return sum(len(match.group()) for match in MARKUP.finditer(words))


# Markup a reader should never see as text on a page.
SHOWN = re.compile(
    r"</?[A-Za-z][\w-]*[\s/>]|<!--|\{\{|\{%|%\}|\}\}|\]\(|\[/?(?:caption|embed|gallery)\b"
)


class _Text(HTMLParser):
    """A page's text outside code, where markup shown as text is a defect."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.code = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "pre", "script", "style"):
            self.code += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre", "script", "style") and self.code:
            self.code -= 1

    def handle_data(self, data: str) -> None:
        if not self.code:
            self.text.append(data)


def shown_markup(page: str) -> list[str]:
    """Markup a reader sees as text on ``page`` (code aside): what an import got wrong."""
    parser = _Text()
    parser.feed(page)
    parser.close()
    return [match.group() for match in SHOWN.finditer("".join(parser.text))]
