"""The one configured MarkdownIt: CommonMark, tables, strikethrough, a post's own safe HTML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_inline_dollar
from mdit_py_plugins.footnote import footnote_plugin

from polypub.content import dialects, embeds, rawhtml
from polypub.content.errors import ContentError, MarkdownTooComplexError
from polypub.content.sanitize import TABLE_ALIGN_CLASSES

# Schemes a link or image may use. Everything else (javascript:, vbscript:, data:,
# file:, ...) is refused by validateLink, so the link renders as plain text.
SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")

# Characters that open, close or escape inline markup. markdown-it-py stays linear on
# hostile input, but each of these costs it up to ~50 microseconds (measured: 100,000
# nested "[" take 2.4 s, 50,000 "![" 2.7 s); a post is refused beyond this many, which
# keeps any accepted body to a few seconds of rendering in a 60 s Lambda.
MARKUP_CHARACTERS = "[]()!*_`<>|&\\~"
MAX_MARKUP_CHARACTERS = 50_000


def _validate_link(url: str) -> bool:
    candidate = "".join(ch for ch in url.strip().lower() if ch > " ")
    if ":" not in candidate.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative URL, path, fragment or query
    return candidate.startswith(SAFE_SCHEMES)


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The configured parser and renderer; built once per process."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Footnotes as Goldmark (Hugo), kramdown (Jekyll) and GitHub read them: "text[^1]" and
    # "[^1]: the note" (a real post in five of tests/corpus/ has them).
    md.use(footnote_plugin)
    # TeX between dollars, as Hugo's and Jekyll's MathJax/KaTeX set-ups read it: never
    # sent to a translator ("\\frac" came back "\\tailcoat"). "5$ y 10$", "$5 y $10"
    # stay text (no space inside the dollars, no digit after the closing one).
    md.use(
        dollarmath_plugin,
        allow_space=False,
        allow_digits=True,
        allow_labels=False,
        double_inline=True,
    )
    # The plugin's own digit check reads the line's last character for a "$" that opens
    # it (src[pos - 1] at pos 0), so a paragraph starting "$x$" and ending "2024" was
    # no TeX: the digits are checked here instead.
    md.inline.ruler.at(
        "math_inline",
        _no_digit_around(
            math_inline_dollar(allow_space=False, allow_digits=True, allow_double=True)
        ),
    )
    for kind in MATH_INLINE:
        md.add_render_rule(kind, _render_math_inline)
    md.add_render_rule(MATH_BLOCK, _render_math_block)
    md.validateLink = _validate_link  # type: ignore[method-assign]
    # Raw HTML becomes ordinary tokens (content/rawhtml.py) before anything reads them.
    md.core.ruler.push("rebuild_html", rawhtml.rebuild_html)
    md.core.ruler.push("table_attributes", _table_attributes)
    md.add_render_rule(embeds.EMBED_TYPE, _render_embed)
    # No raw string of the author's is ever written out, whatever a rule leaves behind.
    md.add_render_rule("html_block", _render_nothing)
    md.add_render_rule("html_inline", _render_nothing)
    return md


def _render_embed(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # An iframe is never self-closing in HTML ("<iframe />" would swallow the page).
    return f"<iframe{self.renderAttrs(tokens[idx])}></iframe>"


def _no_digit_around(rule: Any) -> Any:
    def math(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if start > 0 and state.src[start - 1].isdigit():
            return False
        if not rule(state, silent):
            return False
        if state.pos < state.posMax and state.src[state.pos].isdigit():
            state.pos = start
            del state.tokens[count:]
            return False
        return True

    return math


# The site runs no script, so TeX is shown as written, in code type.
MATH_INLINE = ("math_inline", "math_inline_double")
MATH_BLOCK = "math_block"


def _render_math_inline(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<code class="math">{escapeHtml(tokens[idx].content)}</code>'


def _render_math_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tex = escapeHtml(tokens[idx].content.strip("\n"))
    return f'<pre><code class="math">{tex}\n</code></pre>\n'


def _render_nothing(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return ""


def _table_attributes(state: StateCore) -> None:
    """Tables keyboard-reachable (a phone scrolls a wide one), alignment as a class."""
    for token in state.tokens:
        if token.type == "table_open":
            # A box that scrolls must take focus, or keyboard users cannot scroll it.
            token.attrSet("tabindex", "0")
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrs.pop("style", ""))
            align = "align-" + style.removeprefix("text-align:").strip()
            if align in TABLE_ALIGN_CLASSES:
                token.attrSet("class", align)


# An end tag with more text on the next line: an HTML block may end before its block does
# (rawhtml.end_html_blocks); only such bodies pay a second block parse.
_HTML_THEN_MORE = re.compile(r"</[A-Za-z][A-Za-z0-9]*\s*>[ \t]*\n[ \t]*\S")


@dataclass(frozen=True)
class ParsedBody:
    """A body's tokens and what the author should hear about it (left-out HTML, templates)."""

    tokens: tuple[Token, ...]
    warnings: tuple[ContentError, ...]
    # The words before `<!--more-->`, as plain text; None without one.
    excerpt: str | None = None


@lru_cache(maxsize=8)
def parsed_body(text: str) -> ParsedBody:
    """The body parsed once for rendering, cutting into segments and warnings.

    Template constructs are resolved first (content/dialects.py), outside code, which
    needs the code blocks' lines: a second parse, only for bodies that have any.
    Nothing downstream changes tokens in place (segments.SegmentedBody.render renders
    copies), so the few bodies a step works on are kept and shared.
    """
    md = markdown()
    resolved = dialects.resolve(text, lambda: _code_lines(md, text))
    source = resolved.text
    if _HTML_THEN_MORE.search(source):
        source = rawhtml.end_html_blocks(source, _blocks(md, source))
    env: dict[str, Any] = {}
    tokens = tuple(md.parse(source, env))
    html_warning = rawhtml.left_out_warning(env)
    more_at = env.get(rawhtml.MORE_KEY)
    excerpt = None if more_at is None else _plain(tokens[:more_at]) or None
    return ParsedBody(
        tokens, (*resolved.warnings, *([html_warning] if html_warning else [])), excerpt
    )


def _plain(tokens: Sequence[Token]) -> str:
    """What a reader reads in these tokens, as one line of text (no code blocks)."""
    words: list[str] = []
    for token in tokens:
        for child in token.children or () if token.type == "inline" else ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type == "inline":
            words.append(" ")
    return " ".join("".join(words).split())


def _blocks(md: MarkdownIt, text: str) -> list[Token]:
    """The block tokens of ``text`` (block rules only: cheap)."""
    tokens: list[Token] = []
    md.block.parse(text, md, {}, tokens)
    return tokens


def _code_lines(md: MarkdownIt, text: str) -> frozenset[int]:
    """The 0-based lines of fenced and indented code blocks."""
    lines: set[int] = set()
    for token in _blocks(md, text):
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(*token.map))
    return frozenset(lines)


def parse_body(text: str) -> tuple[Token, ...]:
    """The body's tokens (see parsed_body)."""
    return parsed_body(text).tokens


def body_warnings(text: str) -> tuple[ContentError, ...]:
    """What was left out of the body's page, as warnings for the author's report."""
    return parsed_body(text).warnings


def body_excerpt(text: str) -> str | None:
    """The text before `<!--more-->` (WordPress's and Jekyll's excerpt), None without one.

    A post without a `description` can use it as one (content/post.py).
    """
    return parsed_body(text).excerpt


def render_body(text: str) -> str:
    """Markdown body -> HTML fragment, the author's HTML rebuilt from the allow-list."""
    md = markdown()
    html: str = md.renderer.render(list(parse_body(text)), md.options, {})
    return html


def check_complexity(text: str, limit: int = MAX_MARKUP_CHARACTERS) -> None:
    """Raise MarkdownTooComplexError when ``text`` has more markup characters than ``limit``."""
    count = sum(text.count(ch) for ch in MARKUP_CHARACTERS)
    if count > limit:
        raise MarkdownTooComplexError(count, limit)
