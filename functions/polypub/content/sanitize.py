"""sanitize_html(): the last gate for a post body, an allow-list HTML sanitizer (nh3)."""

from __future__ import annotations

import nh3

from polypub.content.markdown import TABLE_ALIGN_CLASSES
from polypub.content.text import replace_lone_surrogates, strip_controls

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
# Attributes allowed with these values only: a table's focus (so a wide one can be
# scrolled by keyboard) and column alignment as a class (no style: the CSP refuses it).
ALLOWED_VALUES = {
    "table": {"tabindex": {"0"}},
    "th": {"class": set(TABLE_ALIGN_CLASSES)},
    "td": {"class": set(TABLE_ALIGN_CLASSES)},
}
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
        # nh3 hands the text to Rust as UTF-8, which has no lone surrogates.
        replace_lone_surrogates(fragment),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={
            tag: {name: set(values) for name, values in allowed.items()}
            for tag, allowed in ALLOWED_VALUES.items()
        },
        url_schemes=set(URL_SCHEMES),
        # Our own pages link where the teacher wrote; no rel is added (output stays
        # as the renderer wrote it, and no link opens a new window).
        link_rel=None,
        strip_comments=True,
    )
    # The parser keeps control characters (and decodes &#27; into one); a NUL or an
    # ESC has no business in a page, whoever wrote it (teacher, translator).
    return strip_controls(cleaned)
