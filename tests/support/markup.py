"""markup_characters(): how much of a text sent to a translator is markup, not words."""

from __future__ import annotations

import html
import re

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
