"""Split a post into translatable segments with placeholder tags, and put translations back.

A segment is the inline content of one block (heading, paragraph, list item, table
cell, blockquote paragraph), one image's alt text, or a front matter ``title`` /
``description``. Its ``text`` is what a translator sees and what the translation
memory hashes: plain text (with ``&``, ``<``, ``>`` escaped as entities) plus
placeholder tags in XLIFF's spirit:

- ``<gN>…</gN>`` paired: emphasis, strong, strikethrough, links. The translator may
  move them with the words they wrap; the tokens they stand for (and so every link
  URL) come back from the source, never from the translator.
- ``<xN/>`` standalone: code spans, autolinks, images, hard breaks and protected
  terms (Erasmus+, eTwinning). Their content never reaches a translator.

Translations are put back by rebuilding markdown-it tokens: translated text only ever
lands in ``text`` tokens, so the renderer escapes whatever a translator answers.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

from markdown_it.token import Token

from polypub.content.markdown import markdown
from polypub.translate.errors import PlaceholderMismatch

# Do-not-translate terms until the configurable glossary arrives; every function
# that protects terms takes a ``protected_terms`` parameter for that glossary.
DEFAULT_PROTECTED_TERMS: tuple[str, ...] = ("Erasmus+", "eTwinning")

# Our own placeholder syntax (never HTML from a page). Tolerant of the spaces and
# case changes machine translators are known to introduce inside tags.
_TAG_RE = re.compile(r"<\s*(/?)\s*([gx])\s*(\d+)\s*(/?)\s*>", re.IGNORECASE)
# Only ASCII whitespace is collapsed: a no-break space is meaningful text.
_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")

TagKind = Literal["open", "close", "atom"]


class Tag(NamedTuple):
    """One placeholder tag as found in a segment's text."""

    letter: str  # "g" paired, "x" standalone
    number: int
    kind: TagKind

    def __str__(self) -> str:
        if self.kind == "open":
            return f"<{self.letter}{self.number}>"
        if self.kind == "close":
            return f"</{self.letter}{self.number}>"
        return f"<{self.letter}{self.number}/>"


def normalise(text: str) -> str:
    """The form of a segment's text that is hashed and sent: NFC, ASCII spaces collapsed."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def escape_text(text: str) -> str:
    """Plain text -> segment text (so a literal ``<g1>`` in a post is not a placeholder)."""
    return html.escape(text, quote=False)


def parse_tagged(text: str) -> list[str | Tag]:
    """Segment text -> text runs (still escaped) and placeholder tags, in order."""
    pieces: list[str | Tag] = []
    pos = 0
    for match in _TAG_RE.finditer(text):
        if match.start() > pos:
            pieces.append(text[pos : match.start()])
        closing, letter, number, self_closing = match.groups()
        kind: TagKind = "close" if closing else "atom" if self_closing else "open"
        letter = letter.lower()
        # Translators drop the slash of <x1/>; an x tag is standalone whatever its form.
        if letter == "x" and kind == "open":
            kind = "atom"
        pieces.append(Tag(letter, int(number), kind))
        pos = match.end()
    if pos < len(text):
        pieces.append(text[pos:])
    return pieces


def _has_letters(escaped: str) -> bool:
    return any(ch.isalpha() for ch in html.unescape(escaped))


def _copy_token(token: Token) -> Token:
    # The renderer writes into attrs (image alt), so copies never share them.
    return token.copy(attrs=dict(token.attrs))


@dataclass(frozen=True, eq=False)
class Segment:
    """One unit of translation: its text and the source tokens its placeholders stand for."""

    text: str
    atoms: Mapping[int, tuple[Token, ...]] = field(default_factory=dict)
    pairs: Mapping[int, tuple[Token, Token]] = field(default_factory=dict)

    @property
    def translatable(self) -> bool:
        """True when some letter lies outside the placeholders (else nothing to send)."""
        return any(isinstance(p, str) and _has_letters(p) for p in parse_tagged(self.text))

    def restore(self, translated: str, copy: Callable[[Token], Token] = _copy_token) -> list[Token]:
        """Inline tokens for a translation of this segment.

        Raises PlaceholderMismatch unless every placeholder of the source appears
        exactly once, well nested, and no other placeholder appears.
        """
        out: list[Token] = []
        atoms_seen: set[int] = set()
        opened: set[int] = set()
        stack: list[int] = []
        for piece in parse_tagged(translated):
            if isinstance(piece, str):
                content = html.unescape(piece)
                if content:
                    out.append(Token("text", "", 0, content=content))
                continue
            number = piece.number
            if piece.letter == "x":
                if piece.kind != "atom" or number not in self.atoms or number in atoms_seen:
                    raise PlaceholderMismatch(f"unexpected {piece} in translation")
                atoms_seen.add(number)
                out.extend(copy(token) for token in self.atoms[number])
            elif piece.kind == "open":
                if number not in self.pairs or number in opened:
                    raise PlaceholderMismatch(f"unexpected {piece} in translation")
                opened.add(number)
                stack.append(number)
                out.append(copy(self.pairs[number][0]))
            elif piece.kind == "close":
                if not stack or stack[-1] != number:
                    raise PlaceholderMismatch(f"{piece} closes nothing open in translation")
                stack.pop()
                out.append(copy(self.pairs[number][1]))
            else:
                raise PlaceholderMismatch(f"unexpected {piece} in translation")
        if stack or atoms_seen != set(self.atoms) or opened != set(self.pairs):
            raise PlaceholderMismatch("translation lost placeholders")
        return out

    def check(self, translated: str) -> None:
        """Raise PlaceholderMismatch if ``translated`` cannot be put back."""
        self.restore(translated, copy=lambda token: token)

    def to_plain(self, translated: str) -> str:
        """A translation of a front matter segment as plain text (protected terms restored)."""
        return "".join(
            token.content
            for token in self.restore(translated)
            if token.type in ("text", "code_inline")
        ).strip()

    def pieces(self) -> list[str]:
        """The text runs between placeholders that have letters: the piecewise fallback."""
        runs = (p.strip() for p in parse_tagged(self.text) if isinstance(p, str))
        return [run for run in runs if _has_letters(run)]

    def reassemble(self, translated_pieces: Mapping[str, str]) -> str:
        """Segment text with each run of ``pieces()`` replaced by its translation.

        Placeholders stay where the source had them, so the result always restores.
        A piece's translation is taken as text: tags in it are escaped, not obeyed.
        """
        out: list[str] = []
        for piece in parse_tagged(self.text):
            if isinstance(piece, Tag):
                out.append(str(piece))
                continue
            run = piece.strip()
            if run not in translated_pieces:
                out.append(piece)
                continue
            # Translators strip the spaces that separate a run from its placeholders.
            lead = piece[: len(piece) - len(piece.lstrip())]
            trail = piece[len(piece.rstrip()) :]
            text = escape_text(html.unescape(translated_pieces[run]).strip())
            out.append(f"{lead}{text}{trail}")
        return normalise("".join(out))


@lru_cache(maxsize=32)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    # Whole words only, any case; the source's own spelling is what gets restored.
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


class _Encoder:
    """Inline tokens -> one Segment (plus the images whose alt texts are segments too)."""

    def __init__(self, terms: re.Pattern[str] | None) -> None:
        self.terms = terms
        self.parts: list[str] = []
        self.atoms: dict[int, tuple[Token, ...]] = {}
        self.opens: dict[int, Token] = {}
        self.pairs: dict[int, tuple[Token, Token]] = {}
        self.images: list[Token] = []

    def atom(self, tokens: tuple[Token, ...]) -> None:
        number = len(self.atoms) + 1
        self.atoms[number] = tokens
        self.parts.append(str(Tag("x", number, "atom")))

    def text(self, content: str) -> None:
        pos = 0
        for match in self.terms.finditer(content) if self.terms else ():
            self.parts.append(escape_text(content[pos : match.start()]))
            self.atom((Token("text", "", 0, content=match.group()),))
            pos = match.end()
        self.parts.append(escape_text(content[pos:]))

    def encode(self, children: Sequence[Token]) -> Segment:
        stack: list[int] = []
        i = 0
        while i < len(children):
            token = children[i]
            if token.type == "text":
                self.text(token.content)
            elif token.type == "softbreak":
                # A space, not a newline: providers translate lines separately, and a
                # wrapped sentence must reach them whole. HTML renders both alike.
                self.parts.append(" ")
            elif token.type == "link_open" and token.markup == "autolink":
                end = i
                while end < len(children) and children[end].type != "link_close":
                    end += 1
                self.atom(tuple(children[i : end + 1]))
                i = end
            elif token.nesting == 1:
                number = len(self.opens) + 1
                self.opens[number] = token
                stack.append(number)
                self.parts.append(str(Tag("g", number, "open")))
            elif token.nesting == -1 and stack:
                number = stack.pop()
                self.pairs[number] = (self.opens[number], token)
                self.parts.append(str(Tag("g", number, "close")))
            else:
                # code_inline, image, hardbreak, and anything a future rule adds:
                # never sent, put back untouched.
                if token.type == "image":
                    self.images.append(token)
                self.atom((token,))
            i += 1
        return Segment(normalise("".join(self.parts)), dict(self.atoms), dict(self.pairs))


def segment_text(text: str, protected_terms: Iterable[str] = DEFAULT_PROTECTED_TERMS) -> Segment:
    """A front matter value (title, description) as one plain-text segment."""
    encoder = _Encoder(_terms_pattern(tuple(protected_terms)))
    return encoder.encode([Token("text", "", 0, content=text)])


@dataclass(frozen=True, eq=False)
class SegmentedBody:
    """A parsed Markdown body and its translatable segments, in document order."""

    tokens: tuple[Token, ...]
    segments: tuple[Segment, ...]
    # id() of the inline/image token whose children a segment replaces -> its index.
    # The tokens are kept alive by ``tokens``, so the ids stay valid.
    _index: Mapping[int, int]

    def render(self, translations: Sequence[str | None]) -> str:
        """The body's HTML with segment ``i`` replaced by ``translations[i]``.

        ``None`` keeps a segment's source. Same HTML structure as ``render_body``;
        only text changes. Raises PlaceholderMismatch for a translation that does
        not fit its segment (the engine checks before calling).
        """
        if len(translations) != len(self.segments):
            raise ValueError(f"{len(translations)} translations for {len(self.segments)} segments")

        def children_of(container: Token) -> list[Token]:
            index = self._index.get(id(container))
            translated = None if index is None else translations[index]
            if index is None or translated is None:
                return [copy(child) for child in container.children or ()]
            return self.segments[index].restore(translated, copy)

        def copy(token: Token) -> Token:
            if token.type == "image":
                return token.copy(attrs=dict(token.attrs), children=children_of(token))
            return _copy_token(token)

        tokens = [
            token.copy(children=children_of(token)) if token.type == "inline" else token
            for token in self.tokens
        ]
        md = markdown()
        html_out: str = md.renderer.render(tokens, md.options, {})
        return html_out


def segment_body(
    body: str, protected_terms: Iterable[str] = DEFAULT_PROTECTED_TERMS
) -> SegmentedBody:
    """Parse a Markdown body with the one configured parser and cut it into segments."""
    terms = _terms_pattern(tuple(protected_terms))
    tokens = tuple(markdown().parse(body))
    segments: list[Segment] = []
    index: dict[int, int] = {}

    def add(container: Token) -> None:
        encoder = _Encoder(terms)
        segment = encoder.encode(container.children or ())
        if segment.translatable:
            index[id(container)] = len(segments)
            segments.append(segment)
        for image in encoder.images:
            add(image)

    for token in tokens:
        if token.type == "inline":
            add(token)
    return SegmentedBody(tokens, tuple(segments), index)
