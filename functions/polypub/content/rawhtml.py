"""A post's own HTML as markdown-it tokens: allowed elements rebuilt through nh3, the rest left out.

markdown-it hands raw HTML over as strings (``html_block``, ``html_inline``). Rendered
as they are, they would be neither translatable nor trustworthy; shown as text, they
would be shown to readers and sent to translators. This core rule parses them and
rebuilds every element the sanitizer allows as an ordinary token (a link as
``link_open``, an ``<img>`` as an ``image`` with its alt text, a ``<td>`` as
``td_open``), each start tag's attributes cleaned by ``sanitize_html`` itself, its text
as ``text`` tokens inside ``inline`` containers. So the renderer escapes every value,
segments.py sends the text of a ``<figcaption>`` or a ``<td>`` for translation with
the tags as placeholders, and no raw string of the author's ever reaches a page. An
element outside the allow-list is left out (its text kept, or with it for script-like
elements) and named in a warning for the author.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import MutableMapping, Sequence
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from polypub.content import embeds
from polypub.content.errors import HtmlLeftOutWarning
from polypub.content.sanitize import ALLOWED_TAGS, DROP_WITH_CONTENT, sanitize_html

# Elements that hold blocks or a line of text of their own; the rest are inline.
BLOCK_TAGS = frozenset(
    {
        "p", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd", "figure", "figcaption", "details", "summary",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
VOID_TAGS = frozenset({"img", "br", "hr", "wbr", "iframe", "source"})
# Left out together with their content (never text on the page): the sanitizer's list
# and elements whose content is not meant to be read as text.
SKIP_CONTENT = DROP_WITH_CONTENT | {"iframe", "head", "title", "canvas", "map"}
# A player is usable only with its controls (nothing plays by itself on the site).
_PLAYERS = frozenset({"video", "audio"})
# A start tag that ends an open element of these kinds, as browsers do ("<li>a<li>b").
_IMPLIED_END = {
    "p": {"p"},
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
}
# The elements nh3 needs around a table part to keep it when the tag is cleaned alone.
_CONTEXT = {
    "td": ("table", "tbody", "tr"),
    "th": ("table", "tbody", "tr"),
    "tr": ("table", "tbody"),
    "thead": ("table",),
    "tbody": ("table",),
    "tfoot": ("table",),
    "caption": ("table",),
}
# markdown-it's own token names where an element is the same as Markdown's.
_TOKEN_NAMES = {"a": "link", "p": "paragraph", "ul": "bullet_list", "ol": "ordered_list",
                "li": "list_item", "h1": "heading", "h2": "heading", "h3": "heading",
                "h4": "heading", "h5": "heading", "h6": "heading", "b": "strong",
                "i": "em"}  # fmt: skip
# <b> and <i> are Markdown's strong and em, written as Markdown writes them.
_TAGS = {"b": "strong", "i": "em"}
# Where the count of left-out elements waits in markdown-it's env until parse_body reads it.
ENV_KEY = "polypub_html_left_out"
# The comment that ends a post's excerpt (WordPress and Jekyll); never shown. Where it
# was (the number of tokens before it) waits in env under MORE_KEY.
MORE = "more"
MORE_KEY = "polypub_more"

# Elements nested deeper than this are left out (their text kept), as markdown-it
# bounds Markdown's nesting: no real post needs more, and the last gate (html5ever)
# takes seconds on tens of thousands of nested elements.
MAX_DEPTH = 32
TOO_DEEP = f"elements nested more than {MAX_DEPTH} deep"

Event = tuple[str, str, dict[str, str]]  # (kind, tag or text, attributes)
# Marks a Markdown pair (emphasis, link) on a stack of open HTML elements.
_MARKDOWN = ""


class _Events(HTMLParser):
    """A fragment as start, end and text events; comments and declarations as 'other'."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.events.append(("end", tag, {}))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag, {}))

    def handle_data(self, data: str) -> None:
        self.events.append(("text", data, {}))

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment", data.strip(), {}))

    def handle_decl(self, decl: str) -> None:
        self.events.append(("other", "<!" + decl.split(" ", 1)[0] + ">", {}))

    def handle_pi(self, data: str) -> None:
        self.events.append(("other", "<?" + data.split(" ", 1)[0].rstrip("?") + ">", {}))

    def unknown_decl(self, data: str) -> None:
        self.events.append(("other", "<![" + data.split("[", 1)[0] + "[", {}))


def events(fragment: str) -> list[Event]:
    """The fragment's events (fresh attribute dicts: the converter takes from them)."""
    # Posts repeat the same tags (`<td>`, `</a>`, `<br />`): each short one is parsed
    # once per process; a long block is not worth keeping.
    found = _short_events(fragment) if len(fragment) <= 300 else _events(fragment)
    return [(kind, name, dict(attrs)) for kind, name, attrs in found]


_Parsed = tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]


@lru_cache(maxsize=4096)
def _short_events(fragment: str) -> _Parsed:
    return _events(fragment)


def _events(fragment: str) -> _Parsed:
    parser = _Events()
    parser.feed(fragment)
    parser.close()
    return tuple((kind, name, tuple(attrs.items())) for kind, name, attrs in parser.events)


def clean_attributes(tag: str, attrs: dict[str, str]) -> dict[str, str] | None:
    """The attributes the sanitizer keeps on this start tag; None when it drops the tag.

    The tag is cleaned on its own (inside the table elements a table part needs), so the
    allow-lists of content/sanitize.py are the only ones there are.
    """
    if tag not in ALLOWED_TAGS:
        return None
    if not attrs:
        return {}  # nothing to clean on an allowed tag
    kept = _clean_attributes(tag, tuple(attrs.items()))
    return None if kept is None else dict(kept)


@lru_cache(maxsize=4096)
def _clean_attributes(
    tag: str, attrs: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...] | None:
    context = _CONTEXT.get(tag, ())
    opening = "".join(f"<{name}>" for name in context)
    closing = "".join(f"</{name}>" for name in reversed(context))
    quoted = "".join(f' {name}="{_quote(value)}"' for name, value in attrs)
    end = "" if tag in VOID_TAGS - {"iframe"} else f"</{tag}>"
    cleaned = sanitize_html(f"{opening}<{tag}{quoted}>{end}{closing}")
    for kind, name, kept in _short_events(cleaned):
        if kind == "start" and name == tag:
            return kept
    return None


def _quote(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _open(tag: str, attrs: dict[str, str], level: int, *, block: bool) -> Token:
    token = Token(f"{_TOKEN_NAMES.get(tag, tag)}_open", _TAGS.get(tag, tag), 1, level=level)
    token.block = block
    # In the order Markdown's own link has them, so that the page reads the same whichever
    # way the author wrote it (content/post_markdown.py writes it back as Markdown).
    first: dict[str, str] = {k: attrs[k] for k in ("href", "title") if k in attrs}
    token.attrs = {**first, **attrs}
    return token


def _close(tag: str, level: int, *, block: bool = False) -> Token:
    return Token(
        f"{_TOKEN_NAMES.get(tag, tag)}_close", _TAGS.get(tag, tag), -1, level=level, block=block
    )


def _image(attrs: dict[str, str], level: int) -> Token:
    """An <img> as Markdown's image token: its alt text becomes a segment of its own."""
    alt = attrs.pop("alt", "")
    token = Token("image", "img", 0, level=level, content=alt)
    token.attrs = {"src": attrs.pop("src", ""), "alt": "", **attrs}
    token.children = [Token("text", "", 0, content=alt)] if alt else []
    return token


class _Converter:
    """Events of one post's HTML -> tokens, balanced across the whole body."""

    def __init__(self, left_out: Counter[str]) -> None:
        self.left_out = left_out
        # Block elements opened by HTML and not yet closed: (tag, Markdown depth).
        self.blocks: list[tuple[str, int]] = []
        self.skipping: list[str] = []
        self.more = False  # <!--more--> seen: the excerpt ends here

    # --- inline: the children of one inline container -------------------------------

    def inline(self, children: list[Token], level: int) -> list[Token]:
        """An inline container's children with its html_inline tokens rebuilt.

        HTML elements nest properly with Markdown's own pairs (emphasis, links): one
        still open when the Markdown pair around it ends is closed there, and its own
        end tag, coming later, is dropped. Markdown's pairs are never dropped.
        """
        out: list[Token] = []
        # HTML elements open in this container, and _MARKDOWN for each Markdown pair.
        stack: list[str] = []
        code: list[Token] | None = None  # the children of an open <code>
        for child in children:
            if child.type != "html_inline":
                if child.nesting != 0 and code is not None:
                    out.append(_code_span(code, level))
                    code = None
                if child.nesting == 1:
                    stack.append(_MARKDOWN)
                elif child.nesting == -1 and _MARKDOWN in stack:
                    while stack and (tag := stack.pop()) != _MARKDOWN:
                        out.append(_close(tag, level))
                elif self.skipping:
                    continue
                if code is not None:
                    code.append(child)
                else:
                    out.append(child)
                continue
            for kind, name, attrs in events(child.content):
                if self._skipped(kind, name):
                    continue
                if code is not None:
                    if kind == "end" and name == "code":
                        out.append(_code_span(code, level))
                        code = None
                    elif kind == "text":
                        code.append(Token("text", "", 0, content=name))
                    continue
                if kind == "start" and name == "code":
                    code = _code_start(attrs)
                    continue
                out.extend(self._inline_event(kind, name, attrs, stack, level))
        if code is not None:
            out.append(_code_span(code, level))
        out.extend(_close(tag, level) for tag in reversed(stack) if tag != _MARKDOWN)
        self.skipping.clear()
        return out

    def _inline_event(
        self, kind: str, name: str, attrs: dict[str, str], stack: list[str], level: int
    ) -> list[Token]:
        if kind == "text":
            return _text(name, inside_link="a" in stack, level=level)
        if kind == "end":
            # Only an element opened inside the innermost Markdown pair can close here.
            inner = (
                stack[len(stack) - stack[::-1].index(_MARKDOWN) :] if _MARKDOWN in stack else stack
            )
            if name not in inner:
                return []  # a close without an open (or of a left-out element)
            closed: list[Token] = []
            while stack:
                tag = stack.pop()
                closed.append(_close(tag, level))
                if tag == name:
                    break
            return closed
        if kind != "start":
            self._comment(kind, name)
            return []
        return self._void_or_open(name, attrs, stack, level)

    def _void_or_open(
        self, name: str, attrs: dict[str, str], stack: list[str] | None, level: int
    ) -> list[Token]:
        """Tokens for a start tag; ``stack`` None for an <hr> between blocks."""
        if name == "iframe":
            found = embeds.video_from_url(attrs.get("src", ""))
            if found is None:
                self._leave_out("iframe", skip=True)
                return []
            self.skipping.append("iframe")  # its fallback content is not the post's text
            return [embeds.embed_token(found)]
        kept = clean_attributes(name, attrs)
        if kept is None:
            self._leave_out(name, skip=name in SKIP_CONTENT)
            return []
        if name == "img":
            return [_image(kept, level)] if kept.get("src") else []
        if name == "br":
            return [Token("hardbreak", "br", 0, level=level)]
        if name == "wbr":
            return []
        if name == "source":
            source = Token("source", "source", 0, level=level)
            source.attrs = dict(kept)
            return [source]
        if name in _PLAYERS:
            kept.update(controls="", preload="metadata")
        if name == "hr" or stack is None:
            return [Token("hr", "hr", 0, level=level, block=True)]
        if len(stack) >= MAX_DEPTH:
            self._leave_out(TOO_DEEP, skip=False)
            return []
        stack.append(name)
        return [_open(name, kept, level, block=False)]

    # --- blocks: one html_block token ------------------------------------------------

    def block(self, content: str, depth: int, level: int) -> list[Token]:
        """Tokens for one html_block: block elements, and inline containers for their text."""
        out: list[Token] = []
        run: list[Token] = []  # inline tokens waiting for their container
        stack: list[str] = []  # inline elements open in the run

        def flush() -> None:
            run.extend(_close(tag, level + 1) for tag in reversed(stack))
            stack.clear()
            if any(t.type != "text" or t.content.strip() for t in run):
                text = "".join(t.content for t in run if t.type == "text")
                out.append(
                    Token("inline", "", 0, level=level + 1, content=text, children=list(run))
                )
            run.clear()

        code: list[str] | None = None  # the text of an open <pre>
        span: list[Token] | None = None  # the text of an open <code> outside <pre>
        for kind, name, attrs in events(content):
            if self._skipped(kind, name):
                continue
            if code is not None:
                if kind == "end" and name == "pre":
                    out.append(_code_block("".join(code), level))
                    code = None
                elif kind == "text":
                    code.append(name)
                continue
            if span is not None:
                # Code in a line of HTML is code, as in Markdown: one atom, never translated.
                if kind == "text":
                    span.append(Token("text", "", 0, content=name))
                    continue
                run.append(_code_span(span, level + 1))
                span = None
                if kind == "end" and name == "code":
                    continue
            if kind == "start" and name == "code":
                span = _code_start(attrs)
            elif kind == "start" and name == "pre":
                flush()
                code = []
            elif kind == "start" and name in BLOCK_TAGS:
                flush()
                out.extend(self._open_block(name, attrs, depth, level))
            elif kind == "end" and name in BLOCK_TAGS:
                flush()
                out.extend(self._close_block(name, depth, level))
            elif kind == "start" and name == "hr":
                flush()
                out.extend(self._void_or_open(name, attrs, None, level))
            else:
                run.extend(self._inline_event(kind, name, attrs, stack, level + 1))
        if span is not None:
            run.append(_code_span(span, level + 1))
        flush()
        if code is not None:
            out.append(_code_block("".join(code), level))
        self.skipping.clear()
        return out

    def _open_block(self, name: str, attrs: dict[str, str], depth: int, level: int) -> list[Token]:
        out: list[Token] = []
        ends = _IMPLIED_END.get(name, set())
        while self.blocks and self.blocks[-1][1] == depth and self.blocks[-1][0] in ends:
            out.append(_close(self.blocks.pop()[0], level, block=True))
        kept = clean_attributes(name, attrs)
        if kept is None:
            self._leave_out(name, skip=False)
            return out
        if len(self.blocks) >= MAX_DEPTH:
            self._leave_out(TOO_DEEP, skip=False)
            return out
        self.blocks.append((name, depth))
        return [*out, _open(name, kept, level, block=True)]

    def _close_block(self, name: str, depth: int, level: int) -> list[Token]:
        mine = [tag for tag, at in self.blocks if at == depth]
        if name not in mine:
            return []  # a stray close, or one for an element opened in another container
        out: list[Token] = []
        while self.blocks:
            tag, _ = self.blocks.pop()
            out.append(_close(tag, level, block=True))
            if tag == name:
                break
        return out

    def close_blocks(self, depth: int, level: int) -> list[Token]:
        """Close what HTML opened inside a Markdown container that ends here."""
        out: list[Token] = []
        while self.blocks and self.blocks[-1][1] >= depth:
            out.append(_close(self.blocks.pop()[0], level, block=True))
        return out

    # --- what is left out --------------------------------------------------------------

    def _skipped(self, kind: str, name: str) -> bool:
        """True inside an element left out with its content (until its end tag)."""
        if not self.skipping:
            return False
        if kind == "end" and name == self.skipping[-1]:
            self.skipping.pop()
        elif kind == "start" and name == self.skipping[-1]:
            self.skipping.append(name)
        return True

    def _leave_out(self, name: str, *, skip: bool) -> None:
        self.left_out[name if name == TOO_DEEP else f"<{name}>"] += 1
        if skip and name not in VOID_TAGS - {"iframe"}:
            self.skipping.append(name)

    def _comment(self, kind: str, name: str) -> None:
        # Comments are the author's notes (and <!--more--> the excerpt's end): never
        # shown, never worth a warning. Declarations and processing instructions are.
        if kind == "other":
            self.left_out[name] += 1
        elif name.lower() == MORE:
            self.more = True


# Markdown's inline link, written inside HTML where CommonMark does not read Markdown:
# "<h2>Read [the guide](https://x.org/)</h2>". Nobody means the brackets to show.
_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\(\s*([^()\s]{1,2000})\s*\)")


def link_words(text: str) -> str:
    """``text`` with each Markdown link replaced by its words (an alt text, for one)."""
    return _MARKDOWN_LINK.sub(r"\1", text)


def _text(text: str, *, inside_link: bool, level: int) -> list[Token]:
    """Text of the author's HTML as tokens, its Markdown links made links."""
    if not text:
        return []
    if inside_link or "](" not in text:
        return [Token("text", "", 0, content=text)]
    out: list[Token] = []
    pos = 0
    for found in _MARKDOWN_LINK.finditer(text):
        if found.start() > pos:
            out.append(Token("text", "", 0, content=text[pos : found.start()]))
        words = Token("text", "", 0, content=found.group(1))
        kept = clean_attributes("a", {"href": found.group(2)})
        if kept and kept.get("href"):
            out.extend([_open("a", kept, level, block=False), words, _close("a", level)])
        else:
            out.append(words)  # an address the sanitizer refuses: the words alone
        pos = found.end()
    if pos < len(text):
        out.append(Token("text", "", 0, content=text[pos:]))
    return out


# <code class="math">, as content/markdown.py renders TeX: TeX again when read back.
_MATH_MARK = "math_mark"


def _code_start(attrs: dict[str, str]) -> list[Token]:
    return [Token(_MATH_MARK, "", 0)] if attrs.get("class") == "math" else []


def _code_span(children: list[Token], level: int) -> Token:
    text = "".join(t.content for t in children if t.type in ("text", "code_inline"))
    if children and children[0].type == _MATH_MARK:
        return Token("math_inline", "math", 0, level=level, content=text, markup="$")
    return Token("code_inline", "code", 0, level=level, content=text, markup="`")


def _code_block(text: str, level: int) -> Token:
    return Token("code_block", "code", 0, level=level, content=text.strip("\n") + "\n", block=True)


# A line that starts a block element (CommonMark's HTML block condition 6, for the tags
# this site keeps); its element ends where as many end tags as start tags were seen.
_BLOCK_START = re.compile(r"^[ ]{0,3}<(" + "|".join(sorted(BLOCK_TAGS)) + r")(?=[\s/>])", re.I)


def end_html_blocks(text: str, blocks: Sequence[Token]) -> str:
    """``text`` with a blank line after each top-level HTML block element that ends before
    its block does, as kramdown (Jekyll) and WordPress read it.

    CommonMark keeps everything up to the next blank line in the HTML block: after
    ``<h2>Title</h2>`` on a line of its own, the Markdown of the lines that follow it
    would be shown as written, brackets and all. ``blocks`` are the block tokens of
    ``text`` (their line maps say where each HTML block is).
    """
    lines = text.split("\n")
    after: list[int] = []  # 0-based lines after which a blank line goes
    for token in blocks:
        if token.type != "html_block" or token.level != 0 or token.map is None:
            continue
        start, end = token.map
        found = _BLOCK_START.match(lines[start])
        if found is None:
            continue
        tag = found.group(1).lower()
        opened = re.compile(rf"<{tag}(?=[\s/>])", re.I)
        closed = re.compile(rf"</{tag}\s*>", re.I)
        depth = 0
        for i in range(start, end - 1):
            depth += len(opened.findall(lines[i])) - len(closed.findall(lines[i]))
            if depth <= 0:
                after.append(i)
                break
    for i in reversed(after):
        lines.insert(i + 1, "")
    return "\n".join(lines)


def rebuild_html(state: StateCore) -> None:
    """The core rule: every html_block and html_inline token replaced by safe tokens."""
    left_out: Counter[str] = Counter()
    converter = _Converter(left_out)
    out: list[Token] = []
    depth = 0
    more_at: int | None = None
    for token in state.tokens:
        if token.type == "html_block":
            out.extend(converter.block(token.content, depth, token.level))
        else:
            if token.nesting == -1:
                out.extend(converter.close_blocks(depth, token.level + 1))
                depth -= 1
            if token.type == "inline" and token.children:
                token.children = converter.inline(token.children, token.level)
            out.append(token)
            if token.nesting == 1:
                depth += 1
        if converter.more and more_at is None:
            more_at = len(out)
    out.extend(converter.close_blocks(0, 0))
    state.tokens = out
    env: MutableMapping[str, Any] = state.env
    if left_out:
        env.setdefault(ENV_KEY, Counter()).update(left_out)
    if more_at is not None:
        env[MORE_KEY] = more_at


def left_out_warning(env: MutableMapping[str, Any]) -> HtmlLeftOutWarning | None:
    """The warning for what the core rule left out of one body, None when nothing was."""
    counts: Counter[str] = env.get(ENV_KEY) or Counter()
    if not counts:
        return None
    return HtmlLeftOutWarning(dict(counts))
