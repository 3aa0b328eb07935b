"""Write a translated post back out as Markdown a teacher can edit: front matter, then body.

The body is rendered from the same markdown-it tokens as the page (mdformat's
CommonMark renderer, with mdformat-gfm's tables and strikethrough), so the file parses
back to the page's HTML; tests/unit/test_post_markdown.py holds that property.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Any

import yaml
from markdown_it.token import Token

from polypub.content.dialects import SHORTCODES
from polypub.content.keys import POSTS_PREFIX, classify_key, translation_key
from polypub.content.markdown import markdown, render_body
from polypub.content.post import Post
from polypub.content.sanitize import TABLE_ALIGN_CLASSES
from polypub.languages import DEFAULT_SITE_LANGUAGES

# The machine translations' editable copies, in the source bucket: no notification
# matches this prefix (template.yaml) and classify_key calls it "other", so nothing
# here is ever published; a teacher copies a corrected file to posts/ to publish it.
DRAFTS_PREFIX = "machine-translations/"
DRAFT_CONTENT_TYPE = "text/markdown; charset=utf-8"

# Blank lines end an HTML block: an element written as HTML keeps none (_writable).
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL)
_SPACES = re.compile(r"\s+")
# A "~" after an even number of backslashes (none included): not escaped yet.
_UNESCAPED_TILDE = re.compile(r"(?<!\\)((?:\\\\)*)~")
# A "{" that opens a template construct ("{{", "{%", "{:", "{#", "{.": content/dialects.py).
_BRACE = re.compile(r"\{(?=[{%:#.])")
# A "[" that opens a WordPress shortcode ("[caption", "[/embed"), escaped by mdformat or
# not, after an even number of backslashes; "[1]" and "[sic]" stay as written.
_SHORTCODE_AHEAD = r"(?=/?(?:" + "|".join(map(re.escape, SHORTCODES)) + r")[\s\]])"
_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)\\?\[" + _SHORTCODE_AHEAD)
# The same "[" in HTML, where a backslash is no escape.
_HTML_BRACKET = re.compile(r"\[" + _SHORTCODE_AHEAD)


def _escape_text(text: str, node: object, context: object) -> str:
    # Every "~" escaped: mdformat-gfm leaves "w~" + "~~" as "w~~~", which closes the
    # strikethrough one character early.
    text = _UNESCAPED_TILDE.sub(r"\1\\~", text)
    if _inside(node, "image"):
        return text  # alt text: mdformat writes it as it is, no reference is read there
    if _inside(node, "link"):
        # A link's text keeps its brackets balanced, or it is no link any more.
        return _BRACE.sub("&#123;", text)
    # Template constructs ("{{", "{%", "{:") and WordPress shortcodes ("[caption") are
    # resolved before parsing (content/dialects.py): braces and brackets of a translation
    # are written as character references, which that step never reads and Markdown
    # shows as the characters.
    return _BRACKET.sub(r"\1&#91;", _BRACE.sub("&#123;", text))


def _inside(node: object, kind: str) -> bool:
    while node is not None:
        if getattr(node, "type", None) == kind:
            return True
        node = getattr(node, "parent", None)
    return False


class _EscapeText:
    """An mdformat extension: text that reads back as the same text (_escape_text)."""

    RENDERERS: Mapping[str, Any] = {}
    POSTPROCESSORS: Mapping[str, Any] = {"text": _escape_text}


def _math_inline(node: Any, context: object) -> str:
    return f"${node.content}$"


def _math_double(node: Any, context: object) -> str:
    return f"$${node.content}$$"


def _math_block(node: Any, context: object) -> str:
    return "$$\n" + str(node.content).strip("\n") + "\n$$"


class _Math:
    """An mdformat extension: TeX between dollars (content/markdown.py), as written."""

    RENDERERS: Mapping[str, Any] = {
        "math_inline": _math_inline,
        "math_inline_double": _math_double,
        "math_block": _math_block,
    }
    POSTPROCESSORS: Mapping[str, Any] = {}


@lru_cache(maxsize=1)
def _options() -> dict[str, Any]:
    # Imported on first use: mdformat and its plugins' entry points take about 0.13 s
    # to load, which the render function (it never writes Markdown) need not pay.
    import mdformat.plugins

    return {
        # "keep": the translator's lines as they are (no rewrapping a teacher would have
        # to read through); "number": 1. 2. 3. as people write lists, not 1. 1. 1.
        "mdformat": {"wrap": "keep", "number": True},
        "parser_extension": [
            mdformat.plugins.PARSER_EXTENSIONS["gfm"],
            mdformat.plugins.PARSER_EXTENSIONS["tables"],
            mdformat.plugins.PARSER_EXTENSIONS["footnote"],
            _Math,
            _EscapeText,
        ],
    }


def draft_key(source_key: str, lang: str, languages: Sequence[str] = DEFAULT_SITE_LANGUAGES) -> str:
    """Where the machine translation of a post is kept: ``posts/a/x.md`` ->
    ``machine-translations/a/x.en.md`` (its name under posts/ minus the folder)."""
    base = classify_key(source_key, languages).base
    return DRAFTS_PREFIX + translation_key(base, lang).removeprefix(POSTS_PREFIX)


def is_draft_key(key: str) -> bool:
    return key.startswith(DRAFTS_PREFIX)


def markdown_of(tokens: Sequence[Token]) -> str:
    """Block tokens of the one configured parser -> CommonMark text that parses back to them."""
    from mdformat.renderer import MDRenderer

    return MDRenderer().render(_writable(tokens), _options(), {})


def reads_back(markdown_text: str, page_html: str) -> bool:
    """Whether ``markdown_text`` publishes ``page_html``, as a reader sees it: the same
    HTML, but for runs of white space outside ``<pre>`` (a browser shows any run as one
    space, and mdformat writes runs of spaces as one)."""
    return _spaced(render_body(markdown_text)) == _spaced(page_html)


def _spaced(html: str) -> str:
    parts = _PRE.split(html)
    return "".join(p if i % 2 else _SPACES.sub(" ", p) for i, p in enumerate(parts))


@lru_cache(maxsize=1)
def _written_kinds() -> frozenset[str]:
    """The node types mdformat (with the extensions of _options) has a syntax for."""
    import mdformat.plugins
    from mdformat.renderer import DEFAULT_RENDERERS

    kinds = set(DEFAULT_RENDERERS)
    for name in ("gfm", "tables", "footnote"):
        kinds.update(mdformat.plugins.PARSER_EXTENSIONS[name].RENDERERS)
    kinds.update(_Math.RENDERERS)
    # The table renderer walks these itself.
    return frozenset(kinds | {"thead", "tbody", "tr"})


# The blocks whose text Markdown writes on their own line.
_HOLDS_TEXT = frozenset({"paragraph_open", "heading_open", "td_open", "th_open"})


def _kind(token: Token) -> str:
    return token.type.removesuffix("_open").removesuffix("_close")


def _as_html(tokens: Sequence[Token]) -> str:
    """What the page shows for these tokens: HTML that content/rawhtml.py reads back to them."""
    md = markdown()
    html: str = md.renderer.render(list(tokens), md.options, {})
    # The renderer ends a line after "<br />"; read back, that newline would be text.
    html = html.replace("<br />\n", "<br />")
    # What opens a template construct or a shortcode, as character references (as in
    # _escape_text): they read back as the same characters, in text and attributes alike.
    return _HTML_BRACKET.sub("&#91;", _BRACE.sub("&#123;", html))


def _writable(tokens: Sequence[Token]) -> list[Token]:
    """Block tokens mdformat can write. An element Markdown has no syntax for (a ``<div>``,
    ``<figure>``, ``<details>`` or an HTML table, rebuilt from the author's HTML) is
    written as the HTML the page shows, one line per block so that no blank line ends
    the HTML block early; inside it the text is HTML, as the author wrote it."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        from_html = (token.type == "table_open" and token.map is None) or (
            # a line of HTML text outside any paragraph ("<a href=...>Learn more</a>")
            token.type == "inline" and (i == 0 or tokens[i - 1].type not in _HOLDS_TEXT)
        )
        if token.nesting == -1 or (_kind(token) in _written_kinds() and not from_html):
            out.append(_for_writing(token))
            i += 1
            continue
        end = i if token.nesting == 0 else _closing(tokens, i)
        html = _as_html(tokens[i : end + 1])
        out.append(Token("html_block", "", 0, content=_BLANK_LINES.sub("\n", html), block=True))
        i = end + 1
    return out


def _closing(tokens: Sequence[Token], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


# "*" and "**" emphasise inside a word too ("w*o*rd"); "_" does not, and a translation
# may well put a word's emphasis against its neighbours. Elsewhere the source's own
# delimiters stay ("**_a_**" is strong around emphasis, "***a***" the other way round).
_STARRED = {"_": "*", "__": "**"}


def _inline_for_writing(children: Sequence[Token]) -> list[Token]:
    out = [
        _for_writing(child)
        if _kind(child) in _written_kinds()
        # <span>, <cite>, <sub>...: the tag as HTML, read back by content/rawhtml.py.
        else Token("html_inline", "", 0, content=_as_html([child]))
        for child in children
    ]
    opened: list[int] = []
    for i, token in enumerate(out):
        if token.type not in ("em_open", "em_close", "strong_open", "strong_close"):
            continue
        if token.nesting == 1:
            opened.append(i)
            continue
        if not opened:
            continue
        start = opened.pop()
        if out[start].markup in _STARRED and (
            _word_at(out, start - 1, last=True) or _word_at(out, i + 1, last=False)
        ):
            star = _STARRED[out[start].markup]
            out[start], out[i] = out[start].copy(markup=star), token.copy(markup=star)
    return out


def _word_at(tokens: Sequence[Token], index: int, *, last: bool) -> bool:
    """Whether the text token at ``index`` touches the delimiter with a letter or digit."""
    if not 0 <= index < len(tokens) or tokens[index].type != "text" or not tokens[index].content:
        return False
    return tokens[index].content[-1 if last else 0].isalnum()


# mdformat 1.0 writes an image's alt text and title, and a link title's backslashes and
# "&", as they are: "![a[b](x)" would not read back. Escaped here, as CommonMark allows
# for any ASCII punctuation ("~" but: _escape_text escapes it in alt text too).
_ASCII_PUNCTUATION = re.compile(r"""([!-/:-@\[-`{-}])""")


def _escaped(text: str) -> str:
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


# The delimiters mdformat writes a token with; an element rebuilt from the author's HTML
# (<h2>, <b>, <ul>: content/rawhtml.py) has none of its own.
_MARKUP = {
    "strong": "**", "em": "*", "s": "~~", "bullet_list": "-", "list_item": "-",
    "ordered_list": ".", "blockquote": ">",
}  # fmt: skip


def _for_writing(token: Token) -> Token:
    if not token.markup and token.nesting != 0:
        if token.type in ("heading_open", "heading_close"):
            token = token.copy(markup="#" * int(token.tag[1]))
        elif (markup := _MARKUP.get(_kind(token))) is not None:
            token = token.copy(markup=markup)
    if token.type == "inline" and token.children:
        return token.copy(children=_inline_for_writing(token.children))
    if token.type == "image":
        attrs = dict(token.attrs)
        if isinstance(title := attrs.get("title"), str):
            attrs["title"] = title.replace("\\", "\\\\").replace('"', '\\"').replace("&", "\\&")
        alt = [
            child.copy(content=_escaped(child.content)) if child.type == "text" else child
            for child in token.children or ()
        ]
        return token.copy(attrs=attrs, children=alt)
    if token.type == "link_open" and isinstance(title := token.attrs.get("title"), str):
        # mdformat escapes the quotes itself.
        escaped = title.replace("\\", "\\\\").replace("&", "\\&")
        return token.copy(attrs={**token.attrs, "title": escaped})
    # content/markdown.py turns markdown-it's alignment style into a class (for the CSP);
    # mdformat reads the style, so the copy gets it back.
    align = token.attrs.get("class")
    if token.type not in ("th_open", "td_open") or align not in TABLE_ALIGN_CLASSES:
        return token
    attrs = {k: v for k, v in token.attrs.items() if k != "class"}
    attrs["style"] = "text-align:" + str(align).removeprefix("align-")
    return token.copy(attrs=attrs)


def translation_file(
    original: Post,
    *,
    lang: str,
    title: str,
    description: str | None,
    body: str,
    upload_as: str,
) -> bytes:
    """A translation of ``original`` as a post file, ready to be uploaded as ``upload_as``.

    Only title, description and body of a person's translation are published; the
    other fields are the original's, shown so the file reads like the post.
    """
    fields: dict[str, Any] = {"title": title}
    if description:
        fields["description"] = description
    fields["lang"] = lang
    fields["translation_of"] = original.source_key
    if original.date is not None:
        fields["date"] = _date(original.date)
    for name in ("author", "project"):
        if (value := getattr(original, name)) is not None:
            fields[name] = value
    if original.images:
        fields["images"] = list(original.images)
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=10_000)
    note = (
        f"# Machine translation of {original.source_key}. To correct it, edit the words,\n"
        f"# keep the Markdown around them, and upload this file as {upload_as}\n"
    )
    return f"---\n{note}{front}---\n\n{body}".encode()


def _date(value: datetime) -> object:
    # A date alone stays a date, as a teacher writes it; a time is kept in UTC.
    utc = value.astimezone(UTC)
    return utc.date() if utc.time() == time(0) else utc
