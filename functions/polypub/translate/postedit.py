"""Align a person's post-edited translation with the original's segments, to learn from it.

The person's file is cut with the same segmenter as the original. Its blocks are paired
with the original's by structure (same blocks in the same order: one to one); when the
structure differs, only blocks anchored by unchanged neighbours are paired, and the rest
is skipped. Each paired block is written back in the original segment's placeholders,
numbered as in the machine answer the person edited (the draft was made from it), so
that ``Segment.check`` accepts exactly the edits that keep the markup.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from markdown_it.token import Token

from polypub.content.segments import (
    PlaceholderMismatch,
    Segment,
    SegmentedBody,
    Tag,
    escape_text,
    normalise,
    parse_tagged,
    segment_containers,
)

Signature = tuple[str, ...]


@dataclass(frozen=True)
class Unit:
    """One translatable unit of a file: where it sits, and its inline tokens."""

    where: Signature
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class Correction:
    """The person's translation of one original segment, in that segment's placeholders."""

    segment: Segment
    text: str


@dataclass
class Alignment:
    """What a post-edit teaches: its corrections, and how many segments were left alone."""

    corrections: list[Correction]
    unchanged: int = 0
    # Segments with no safe partner in the person's file, or whose markup changed.
    skipped: int = 0


def units(body: SegmentedBody) -> list[Unit]:
    """Each segment of ``body`` as a Unit, in segment order."""
    where = _signatures(body.tokens)
    out: list[Unit] = []
    for container in segment_containers(body):
        if container.type == "link_open":
            title = str(container.attrGet("title") or "")
            tokens: tuple[Token, ...] = (Token("text", "", 0, content=title),)
        else:
            tokens = tuple(container.children or ())
        out.append(Unit(where.get(id(container), ("?",)), tokens))
    return out


def text_unit(text: str) -> Unit:
    """A front matter value (title, description) as a Unit."""
    return Unit(("front",), (Token("text", "", 0, content=text),))


def align(
    segments: Sequence[Segment],
    original: Sequence[Unit],
    answers: Sequence[str | None],
    edited: Sequence[Unit],
    known: Mapping[int, str] | None = None,
) -> Alignment:
    """The person's corrections of ``segments`` (whose units are ``original``).

    ``answers[i]`` is the machine's translation of segment i (None when memory has
    none: the person's text is then taken as is), ``edited`` the person's units, and
    ``known`` the corrections memory already holds by segment index (a person's text
    equal to the machine's replaces an earlier correction, so undoing one sticks).
    """
    known = known or {}
    result = Alignment(corrections=[])
    pairs = _pairs(original, answers, segments, edited)
    result.skipped = len(segments) - len(pairs)
    for i, j in pairs:
        segment, answer = segments[i], answers[i]
        text = encode_like(segment, answer or segment.text, edited[j].tokens)
        # A block the person emptied is not a translation of it.
        if text is None or not Segment(text).translatable or not _fits(segment, text):
            result.skipped += 1
            continue
        earlier = known.get(i)
        machine = None if answer is None else canonical(segment, answer)
        # Left in the source's words: no evidence of how the person translates it.
        untranslated = text == canonical(segment, segment.text)
        if earlier == text or (earlier is None and text == machine) or untranslated:
            result.unchanged += 1
        else:
            result.corrections.append(Correction(segment, text))
    return result


def encode_like(segment: Segment, reference: str, tokens: Sequence[Token]) -> str | None:
    """``tokens`` as segment text in ``segment``'s placeholders, or None when they cannot be.

    Paired markup and atoms are matched by what they are (a link by its URL, code by
    its text, an image by its source), in the order ``reference`` uses them; a
    glossary term by the words the page showed for it. What matches nothing is left
    for Segment.check to refuse.
    """
    pairs: dict[Signature, deque[int]] = defaultdict(deque)
    atoms: dict[Signature, deque[int]] = defaultdict(deque)
    terms: dict[str, deque[int]] = defaultdict(deque)
    for piece in parse_tagged(reference):
        if not isinstance(piece, Tag) or piece.kind == "close":
            continue
        if piece.letter == "g" and piece.number in segment.pairs:
            pairs[_pair_signature(segment.pairs[piece.number][0])].append(piece.number)
        elif piece.letter == "x" and (atom := segment.atoms.get(piece.number)):
            if atom[0].type == "text":  # a glossary term: the page shows its target form
                terms[atom[0].content.casefold()].append(piece.number)
            else:
                atoms[_atom_signature(atom[0])].append(piece.number)

    parts: list[str] = []
    stack: list[int] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "text":
            parts.append(_with_terms(token.content, terms))
        elif token.type == "softbreak":
            parts.append(" ")
        elif token.type == "link_open" and token.markup == "autolink":
            while i < len(tokens) and tokens[i].type != "link_close":
                i += 1
            if not (queue := atoms.get(_atom_signature(token))):
                return None
            parts.append(str(Tag("x", queue.popleft(), "atom")))
        elif token.nesting == 1:
            if not (queue := pairs.get(_pair_signature(token))):
                return None
            stack.append(queue.popleft())
            parts.append(str(Tag("g", stack[-1], "open")))
        elif token.nesting == -1:
            if not stack:
                return None
            parts.append(str(Tag("g", stack.pop(), "close")))
        else:
            if not (queue := atoms.get(_atom_signature(token))):
                return None
            parts.append(str(Tag("x", queue.popleft(), "atom")))
        i += 1
    return normalise("".join(parts))


def canonical(segment: Segment, answer: str) -> str | None:
    """A machine answer as it reads once written out and parsed again (None: it does not fit).

    Providers differ in spacing and in escaping ``&``; comparing the person's text with
    the answer in the same form tells an edit from a round trip.
    """
    try:
        return encode_like(segment, answer, segment.restore(answer))
    except PlaceholderMismatch:
        return None


def plain(tokens: Sequence[Token]) -> str:
    """The words of inline tokens, for telling unchanged blocks apart."""
    return normalise(
        "".join(
            t.content if t.type in ("text", "code_inline") else " " if "break" in t.type else ""
            for t in tokens
        )
    )


def _pairs(
    original: Sequence[Unit],
    answers: Sequence[str | None],
    segments: Sequence[Segment],
    edited: Sequence[Unit],
) -> list[tuple[int, int]]:
    """Index pairs (original, edited) that are safely the same block."""
    if [u.where for u in original] == [u.where for u in edited]:
        return [(i, i) for i in range(len(original))]
    # Structure changed: anchors are blocks the person left as the machine wrote them;
    # between two anchors, blocks are paired only where both sides have the same number
    # of them, in the same places. An inserted or deleted paragraph skips its stretch.
    machine: list[tuple[Signature, str | int]] = []
    for i, (unit, answer) in enumerate(zip(original, answers, strict=True)):
        shown = _restored_plain(segments[i], answer)
        machine.append((unit.where, shown if shown is not None else -1 - i))
    person: list[tuple[Signature, str | int]] = [(u.where, plain(u.tokens)) for u in edited]
    found: list[tuple[int, int]] = []
    matcher = SequenceMatcher(None, machine, person, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            found += [
                (i, j)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                if original[i].where == edited[j].where
            ]
    return found


def _restored_plain(segment: Segment, answer: str | None) -> str | None:
    if answer is None:
        return None
    try:
        return plain(segment.restore(answer))
    except PlaceholderMismatch:
        return None


def _signatures(tokens: Sequence[Token]) -> dict[int, Signature]:
    """Where each container sits: its block path (``ul li p``), plus what it belongs to."""
    stack: list[str] = []
    found: dict[int, Signature] = {}
    for token in tokens:
        if token.nesting == 1:
            stack.append(token.tag)
        elif token.nesting == -1:
            if stack:
                stack.pop()
        elif token.type == "inline":
            here = tuple(stack)
            found[id(token)] = here
            for child in token.children or ():
                if child.type == "image":
                    found[id(child)] = (*here, "img", str(child.attrGet("src")))
                elif child.type == "link_open":
                    found[id(child)] = (*here, "title", str(child.attrGet("href")))
    return found


def _pair_signature(token: Token) -> Signature:
    if token.type == "link_open":
        return (token.type, str(token.attrGet("href") or ""))
    return (token.type,)


def _atom_signature(token: Token) -> Signature:
    if token.type == "code_inline":
        return (token.type, token.content)
    if token.type == "image":
        return (token.type, str(token.attrGet("src") or ""))
    if token.type == "link_open":  # an autolink
        return ("autolink", str(token.attrGet("href") or ""))
    return (token.type,)


def _with_terms(content: str, terms: Mapping[str, deque[int]]) -> str:
    """Escaped text, with each glossary term the page showed back as its placeholder."""
    wanted = sorted((t for t, queue in terms.items() if queue), key=len, reverse=True)
    if not wanted:
        return escape_text(content)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(t) for t in wanted) + r")(?!\w)", re.IGNORECASE
    )
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(content):
        queue = terms.get(match.group().casefold())
        if not queue:
            continue  # more occurrences than the source had: plain words
        out.append(escape_text(content[pos : match.start()]))
        out.append(str(Tag("x", queue.popleft(), "atom")))
        pos = match.end()
    out.append(escape_text(content[pos:]))
    return "".join(out)


def _fits(segment: Segment, text: str) -> bool:
    try:
        segment.check(text)
    except PlaceholderMismatch:
        return False
    return True
