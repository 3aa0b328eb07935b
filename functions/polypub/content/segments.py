"""Split a post into translatable segments with placeholder tags, and put translations back.

A segment is the inline content of one block (heading, paragraph, list item, table
cell, blockquote paragraph), one image's alt text, one link's title, or a front
matter ``title`` / ``description``. Its ``text`` is what a translator sees and what the translation
memory hashes: plain text (with ``&``, ``<``, ``>`` escaped as entities) plus
placeholder tags in XLIFF's spirit:

- ``<gN>…</gN>`` paired: emphasis, strong, strikethrough, links. The translator may
  move them with the words they wrap; the tokens they stand for (and so every link
  URL) come back from the source, never from the translator.
- ``<xN/>`` standalone: code spans, autolinks, images, hard breaks, video embeds,
  URLs, e-mail addresses, site paths, file names and template constructs written in
  the text, and glossary terms (do-not-translate terms such as Erasmus+, and terms
  with a fixed translation). Their content never reaches a translator.

The author's own HTML arrives here as ordinary tokens (content/rawhtml.py): an
``<a>`` or ``<span>`` is a paired tag, an ``<img>`` or ``<br>`` a standalone one, and
the text of a ``<figcaption>``, ``<td>`` or ``<summary>`` a segment of its own.

Translations are put back by rebuilding markdown-it tokens: translated text only ever
lands in ``text`` tokens, so the renderer escapes whatever a translator answers.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal, NamedTuple

from markdown_it.token import Token

from polypub.content.markdown import markdown, parse_body


class PlaceholderMismatch(ValueError):
    """A translated segment lost, duplicated, invented or mis-nested placeholder tags.

    Internal to translation: the engine (polypub.translate.engine) checks every answer
    with Segment.check and translates the segment's pieces separately instead.
    Defined here, where the placeholders are, so that content/ imports nothing above it.
    """


# Do-not-translate terms when the site has no glossary (polypub.translate.glossary
# reads config/glossary.yml and hands its terms to the functions below).
DEFAULT_PROTECTED_TERMS: tuple[str, ...] = ("Erasmus+", "eTwinning")


@dataclass(frozen=True)
class Term:
    """One glossary term, as it applies to one language pair.

    ``text`` is matched as a whole word in any case, or only as written when
    ``exact_case`` (acronyms and place names that are also common words: "ESO" is not
    "eso", "Valencia" not "valencia"). ``replacement`` None means "do not translate":
    the source's own spelling stays. Otherwise it is the fixed translation (its first
    letter upper-cased where the source's is). ``entry`` is what translation memory
    keys hash for a segment that uses the term, so that changing an entry
    retranslates exactly the segments that use it.
    """

    text: str
    replacement: str | None = None
    entry: str = ""
    exact_case: bool = False

    @property
    def identity(self) -> str:
        if self.entry:
            return self.entry
        if self.replacement is None:
            return f"keep\x1f{self.text}"
        return f"fixed\x1f{self.text}\x1f{self.replacement}"


@dataclass(frozen=True)
class TermPattern:
    """A family of glossary terms found by a regular expression ("3.º de ESO", "2.º B").

    ``regex`` is matched as a whole word, in any case unless it says otherwise with
    ``(?-i:...)``; ``render`` gives the form the target page shows for one match.
    ``name`` is the rule's identity in memory keys: the translator sees only a
    placeholder, so every match of one rule shares one translation of the sentence
    around it.
    """

    name: str
    regex: str
    render: Callable[[re.Match[str]], str]

    @property
    def identity(self) -> str:
        return f"pattern\x1f{self.name}"

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex, re.IGNORECASE)


Terms = Iterable[str | Term | TermPattern]


def _as_terms(terms: Terms) -> tuple[Term | TermPattern, ...]:
    return tuple(term if isinstance(term, Term | TermPattern) else Term(term) for term in terms)


# Our own placeholder syntax (never HTML from a page). Tolerant of the spaces and
# case changes machine translators are known to introduce inside tags.
_TAG_RE = re.compile(r"<\s*(/?)\s*([gx])\s*(\d+)\s*(/?)\s*>", re.IGNORECASE)
# Text that is not words to translate: template constructs left as written (inside
# {% raw %}), URLs, e-mail addresses, site paths and file names. Trailing punctuation
# belongs to the sentence, not to the address.
_LITERAL = re.compile(
    r"\{\{.{0,400}?\}\}|\{%.{0,400}?%\}"
    r"|\b(?:https?|ftp)://[^\s<>\"]*[^\s<>\".,;:!?)\]'»]"
    r"|\bwww\.[^\s<>\"]*[^\s<>\".,;:!?)\]'»]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w/])/[\w.-]+(?:/[\w.%-]+)+/?"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:png|jpe?g|gif|webp|svg|pdf|docx?|xlsx?|pptx?|od[tsp]|zip"
    r"|mp3|mp4|md|html?|py|js|css|txt|csv|json|ya?ml)\b",
    re.IGNORECASE,
)
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
    # Hash of the glossary entries this segment uses ("" when none): part of its
    # translation memory key, beside the hash of ``text``.
    glossary: str = ""

    @property
    def translatable(self) -> bool:
        """True when some letter lies outside the placeholders (else nothing to send)."""
        return any(isinstance(p, str) and _has_letters(p) for p in parse_tagged(self.text))

    def restore(self, translated: str, copy: Callable[[Token], Token] = _copy_token) -> list[Token]:
        """Inline tokens for a translation of this segment.

        Raises PlaceholderMismatch unless every placeholder of the source appears
        exactly once, inside the same paired tags as in the source, and no other
        placeholder appears. (A translator that moves a term or a code span out of
        its link would otherwise put the link around the wrong words.)
        """
        out: list[Token] = []
        atoms_seen: set[int] = set()
        opened: set[int] = set()
        stack: list[int] = []
        inside = self._inside
        for piece in parse_tagged(translated):
            if (
                isinstance(piece, Tag)
                and piece.kind != "close"
                and inside.get((piece.letter, piece.number), ()) != tuple(stack)
            ):
                raise PlaceholderMismatch(f"{piece} moved out of or into another tag")
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

    @cached_property
    def _inside(self) -> dict[tuple[str, int], tuple[int, ...]]:
        """For each placeholder of the source, the paired tags around it, outermost first."""
        found: dict[tuple[str, int], tuple[int, ...]] = {}
        stack: list[int] = []
        for piece in parse_tagged(self.text):
            if not isinstance(piece, Tag):
                continue
            if piece.kind == "close":
                if stack:
                    stack.pop()
                continue
            found[(piece.letter, piece.number)] = tuple(stack)
            if piece.kind == "open":
                stack.append(piece.number)
        return found

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


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class _Matcher(NamedTuple):
    """One regular expression for all of a pair's terms, and how to tell which matched."""

    pattern: re.Pattern[str]
    by_text: dict[str, Term]  # lower-cased text -> term matched in any case
    exact: dict[str, Term]  # text as written -> term matched only as written
    rules: dict[str, TermPattern]  # group name -> pattern term


@lru_cache(maxsize=32)
def _terms_pattern(terms: tuple[Term | TermPattern, ...]) -> _Matcher | None:
    if not terms:
        return None
    literals = [term for term in terms if isinstance(term, Term)]
    by_text = {term.text.lower(): term for term in literals if not term.exact_case}
    exact = {term.text: term for term in literals if term.exact_case}
    rules = {f"p{i}": term for i, term in enumerate(t for t in terms if isinstance(t, TermPattern))}
    # Longest first, so "IES Abastos" wins over "IES"; patterns before literals, so
    # "3.º de ESO" is one term, not "3.º de" and "ESO".
    words = sorted(
        [(text, False) for text in by_text] + [(text, True) for text in exact],
        key=lambda item: len(item[0]),
        reverse=True,
    )
    # A rule's own named groups are for its render(); in the combined expression they
    # would clash, so they become plain groups there.
    alternatives = [
        f"(?P<{name}>{_NAMED_GROUP.sub('(?:', rule.regex)})" for name, rule in rules.items()
    ]
    if words:
        alternatives.append(
            "(?P<lit>"
            + "|".join(f"(?-i:{re.escape(t)})" if case else re.escape(t) for t, case in words)
            + ")"
        )
    # Whole words only.
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)
    return _Matcher(pattern, by_text, exact, rules)


def _match_case(found: str, replacement: str) -> str:
    """A fixed translation capitalised where the source's term was ("Huerto" -> "School")."""
    if found[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class _Encoder:
    """Inline tokens -> one Segment (plus the images whose alt texts are segments too)."""

    def __init__(self, terms: _Matcher | None) -> None:
        self.terms = terms
        self.used: set[str] = set()
        self.parts: list[str] = []
        self.atoms: dict[int, tuple[Token, ...]] = {}
        self.opens: dict[int, Token] = {}
        self.pairs: dict[int, tuple[Token, Token]] = {}
        self.images: list[Token] = []
        self.titled_links: list[Token] = []

    def atom(self, tokens: tuple[Token, ...]) -> None:
        number = len(self.atoms) + 1
        self.atoms[number] = tokens
        self.parts.append(str(Tag("x", number, "atom")))

    def text(self, content: str) -> None:
        pos = 0
        for match in _LITERAL.finditer(content):
            self.words(content[pos : match.start()])
            self.atom((Token("text", "", 0, content=match.group()),))
            pos = match.end()
        self.words(content[pos:])

    def words(self, content: str) -> None:
        pos = 0
        for match in self.terms.pattern.finditer(content) if self.terms else ():
            shown = self._shown(match)
            if shown is None:
                continue
            self.parts.append(escape_text(content[pos : match.start()]))
            self.atom((Token("text", "", 0, content=shown[0]),))
            self.used.add(shown[1])
            pos = match.end()
        self.parts.append(escape_text(content[pos:]))

    def _shown(self, match: re.Match[str]) -> tuple[str, str] | None:
        """What the target page shows for a term found in the source, and its identity."""
        assert self.terms is not None
        found = match.group()
        if match.lastgroup == "lit":
            term = self.terms.exact.get(found) or self.terms.by_text.get(found.lower())
            if term is None:  # a case-insensitive match that lower() spells differently
                return None
            shown = found if term.replacement is None else _match_case(found, term.replacement)
            return shown, term.identity
        rule = self.terms.rules.get(match.lastgroup or "")
        if rule is None:
            return None
        own = rule.compiled.fullmatch(found)
        return (found if own is None else rule.render(own)), rule.identity

    def glossary(self) -> str:
        if not self.used:
            return ""
        return hashlib.sha256("\n".join(sorted(self.used)).encode("utf-8")).hexdigest()

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
                if token.type == "link_open" and token.attrGet("title"):
                    self.titled_links.append(token)
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
        return Segment(
            normalise("".join(self.parts)), dict(self.atoms), dict(self.pairs), self.glossary()
        )


def segment_text(text: str, protected_terms: Terms = DEFAULT_PROTECTED_TERMS) -> Segment:
    """A front matter value (title, description) as one plain-text segment."""
    encoder = _Encoder(_terms_pattern(_as_terms(protected_terms)))
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
        md = markdown()
        html_out: str = md.renderer.render(translated_tokens(self, translations), md.options, {})
        return html_out


def segment_body(body: str, protected_terms: Terms = DEFAULT_PROTECTED_TERMS) -> SegmentedBody:
    """Parse a Markdown body with the one configured parser and cut it into segments.

    ``protected_terms`` are do-not-translate strings or glossary Terms for the pair.
    """
    terms = _terms_pattern(_as_terms(protected_terms))
    tokens = parse_body(body)
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
        for link in encoder.titled_links:
            title = _Encoder(terms).encode(
                [Token("text", "", 0, content=str(link.attrGet("title")))]
            )
            if title.translatable:
                index[id(link)] = len(segments)
                segments.append(title)

    for token in tokens:
        if token.type == "inline":
            add(token)
    return SegmentedBody(tokens, tuple(segments), index)


def translated_tokens(body: SegmentedBody, translations: Sequence[str | None]) -> list[Token]:
    """The block tokens ``body.render(translations)`` renders, for writers of other formats.

    The Markdown copy of a machine translation (content/post_markdown.py) is written from
    exactly these tokens, so it parses back to the page's HTML. Same rules as render:
    ``None`` keeps a segment's source; a translation that does not fit raises
    PlaceholderMismatch.
    """
    if len(translations) != len(body.segments):
        raise ValueError(f"{len(translations)} translations for {len(body.segments)} segments")
    index_of = body._index

    def children_of(container: Token) -> list[Token]:
        index = index_of.get(id(container))
        translated = None if index is None else translations[index]
        if index is None or translated is None:
            return [copy(child) for child in container.children or ()]
        return body.segments[index].restore(translated, copy)

    def copy(token: Token) -> Token:
        if token.type == "image":
            return token.copy(attrs=dict(token.attrs), children=children_of(token))
        copied = _copy_token(token)
        index = index_of.get(id(token)) if token.type == "link_open" else None
        if index is not None and (title := translations[index]) is not None:
            copied.attrs["title"] = body.segments[index].to_plain(title)
        return copied

    return [
        token.copy(children=children_of(token)) if token.type == "inline" else token
        for token in body.tokens
    ]


def segment_containers(body: SegmentedBody) -> list[Token]:
    """The token each segment of ``body`` was cut from, by segment index.

    An ``inline`` token (a block's content), an ``image`` (its alt text) or a
    ``link_open`` (its title): what a post-edited translation is aligned by.
    """
    found: dict[int, Token] = {}

    def visit(token: Token) -> None:
        if (index := body._index.get(id(token))) is not None:
            found[index] = token
        for child in token.children or ():
            visit(child)

    for token in body.tokens:
        visit(token)
    return [found[index] for index in range(len(body.segments))]
