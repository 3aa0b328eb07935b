"""sanitize_html(): the last gate for a post body, an allow-list HTML sanitizer (nh3)."""

from __future__ import annotations

import re

import nh3

from polypub.content import embeds
from polypub.content.text import replace_lone_surrogates, strip_controls

# Column alignment as a class of the stylesheet (site.css `.align-*`): markdown-it writes
# it as a style attribute, which the site's CSP (style-src 'self') refuses.
TABLE_ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})

# What our Markdown renderer (content/markdown.py, translate/ rebuilds the same tokens)
# can produce, and nothing else: Markdown's own elements and the HTML a teacher may
# write in a post (content/rawhtml.py keeps exactly these). A tag outside this list is
# dropped, its text kept.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "blockquote", "pre", "code", "div",
        "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd",
        "em", "strong", "s", "del", "ins", "b", "i", "u", "mark", "small", "sub", "sup",
        "abbr", "cite", "q", "kbd", "samp", "var", "span", "time", "wbr",
        "a", "img", "figure", "figcaption", "details", "summary", "iframe",
        "video", "audio", "source",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        "section",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    # id: a footnote's and its reference's, only (_attribute_filter).
    "a": {"href", "title", "id"},
    "li": {"id"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "ol": {"start"},
    "code": {"class"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "time": {"datetime"},
    # src only as content/embeds.py makes it (_attribute_filter); the rest is fixed below.
    "iframe": {"src", "title"},
    # The school's own videos and sounds (assets/); the CSP keeps media to the site.
    "video": {"src", "poster", "width", "height"},
    "audio": {"src"},
    "source": {"src", "type"},
}
# Attributes allowed with these values only: a table's focus (so a wide one can be
# scrolled by keyboard), column alignment as a class (no style: the CSP refuses it),
# an open <details>, and the one shape of a video embed (sandboxed, lazy).
ALLOWED_VALUES = {
    "table": {"tabindex": {"0"}},
    "th": {"class": set(TABLE_ALIGN_CLASSES)},
    "td": {"class": set(TABLE_ALIGN_CLASSES)},
    "details": {"open": {"", "open"}},
    # Footnotes as content/markdown.py renders them (mdit-py-plugins' footnote plugin).
    "sup": {"class": {"footnote-ref"}},
    "hr": {"class": {"footnotes-sep"}},
    "section": {"class": {"footnotes"}},
    "ol": {"class": {"footnotes-list"}},
    "li": {"class": {"footnote-item"}},
    "a": {"class": {"footnote-backref"}},
    # Players always have their controls and load no more than their length up front.
    "video": {"controls": {""}, "preload": {"metadata"}},
    "audio": {"controls": {""}, "preload": {"metadata"}},
    "iframe": {
        "class": {embeds.EMBED_CLASS},
        "loading": {"lazy"},
        "sandbox": {embeds.SANDBOX},
        "allow": {embeds.ALLOW},
        "allowfullscreen": {""},
        "referrerpolicy": {"strict-origin-when-cross-origin"},
    },
}
# The ids of footnotes and their references ("fn1", "fnref1", "fnref1:2"): no other id,
# so nothing a post writes can take the name of one of the page's own elements.
_FOOTNOTE_ID = re.compile(r"fn(?:ref)?[0-9]{1,4}(?::[0-9]{1,4})?")
# A size as HTML means it: a number of pixels ("600px" from WordPress becomes "600").
_PIXELS = re.compile(r"\s*([0-9]{1,5})(?:px)?\s*")
# Relative URLs (paths, #fragments, ?queries) are always kept; of absolute ones only
# these schemes: javascript:, vbscript:, data:, file: and the rest are removed.
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Content that must disappear with its tag, not be shown as text.
# (An <iframe>'s content is raw text that browsers never run, and the renderer writes
# none: embeds are empty.)
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "template", "object", "noscript", "textarea", "select", "svg", "math"}
)


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """Values that the allow-lists cannot say: embed addresses, sizes in pixels, and no
    value at all that reads as a script URL (a title is harmless, but no checker, feed
    reader or future attribute should have to know that)."""
    if "".join(ch for ch in value if ch > " ").lower().startswith(("javascript:", "vbscript:")):
        return None
    if name == "id":
        return value if _FOOTNOTE_ID.fullmatch(value) else None
    if tag == "iframe" and name == "src":
        return value if embeds.is_embed_src(value) else None
    if name in ("width", "height"):
        pixels = _PIXELS.fullmatch(value)
        return pixels.group(1) if pixels else None
    return value


def sanitize_html(fragment: str) -> str:
    """An HTML fragment with only the allowed tags, attributes and URL schemes left.

    markdown-it refuses unsafe links and content/rawhtml.py rebuilds a post's own HTML
    from the same allow-lists; this runs on every body
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
        attribute_filter=_attribute_filter,
        # Our own pages link where the teacher wrote; no rel is added (output stays
        # as the renderer wrote it, and no link opens a new window).
        link_rel=None,
        strip_comments=True,
    )
    # The parser keeps control characters (and decodes &#27; into one); a NUL or an
    # ESC has no business in a page, whoever wrote it (teacher, translator).
    return strip_controls(cleaned)
