"""sanitize_html(): the last gate for a post body, an allow-list HTML sanitizer (nh3)."""

from __future__ import annotations

import nh3

# What our Markdown renderer (content/markdown.py, translate/ rebuilds the same tokens)
# can produce, and nothing else. A tag outside this list is dropped, its text kept.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "blockquote", "pre", "code",
        "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li",
        "em", "strong", "s", "del",
        "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "ol": {"start"},
    "code": {"class"},
}
# Table column alignment (content/markdown.py): a class, never an inline style, which
# the pages' Content-Security-Policy would drop.
ALLOWED_CLASSES = {tag: {"align-left", "align-center", "align-right"} for tag in ("th", "td")}
# Relative URLs (paths, #fragments, ?queries) are always kept; of absolute ones only
# these schemes: javascript:, vbscript:, data:, file: and the rest are removed.
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Content that must disappear with its tag, not be shown as text.
DROP_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript"})


def sanitize_html(fragment: str) -> str:
    """An HTML fragment with only the allowed tags, attributes and URL schemes left.

    markdown-it already refuses raw HTML and unsafe links; this runs on every body
    just before it is put into a page, so a future renderer rule, a translator's
    answer or a theme hook that slips something through still cannot publish script.
    """
    cleaned: str = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        # Our own pages link where the teacher wrote; no rel is added (output stays
        # as the renderer wrote it, and no link opens a new window).
        link_rel=None,
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        strip_comments=True,
    )
    return cleaned
