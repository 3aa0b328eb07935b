"""What a provider's answer must be to be published: text, not empty, not far longer."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

from polypub.content.segments import Tag, escape_text, normalise, parse_tagged
from polypub.content.text import join_surrogates
from polypub.translate.errors import UnusableAnswer

# A translation between European languages is rarely more than 1.5 times its source;
# four times is far past any real one, and exactly what an error page, a quota notice
# or an echoed request pasted into the answer looks like.
MAX_GROWTH = 4
# Very short sources ("OK", "Sí", a name) may honestly grow by a few words.
GROWTH_FLOOR = 40
# Placeholder tags (<x1/>, <g2>...</g2>) are not words: a segment of tags alone may
# come back empty from a provider without anything being lost.
_TAGS = re.compile(r"<[^>]*>")
# Spaces just inside a paired tag ("<g1>word </g1>"), as translators often answer.
_SPACE_AFTER_OPEN = re.compile(r"(<g\d+>)(\s+)")
_SPACE_BEFORE_CLOSE = re.compile(r"(\s+)(</g\d+>)")


def answer_problem(source: str, answer: object) -> str | None:
    """Why ``answer`` cannot be the translation of ``source``, or None when it can."""
    if not isinstance(answer, str):
        return f"answered {type(answer).__name__} instead of text"
    if join_surrogates(answer) is None:
        return "answered text with half of a character in it (a lone surrogate)"
    if not answer.strip() and any(ch.isalnum() for ch in _TAGS.sub("", source)):
        return "answered nothing for a text with words in it"
    if len(answer) > MAX_GROWTH * len(source) + GROWTH_FLOOR:
        return (
            f"answered {len(answer):,} characters for {len(source):,} "
            f"(more than {MAX_GROWTH} times as long)"
        )
    return None


def check_answers(provider: str, sources: Sequence[str], answers: Sequence[object]) -> list[str]:
    """``answers`` as texts, or UnusableAnswer naming the first one no reader should see.

    UnusableAnswer is a ProviderUnavailable: a fallback chain passes the batch to its
    next provider, a retry policy asks again, and the queue brings the job back later;
    the answer itself is never published nor kept in memory.
    """
    checked: list[str] = []
    for index, (source, answer) in enumerate(zip(sources, answers, strict=True)):
        problem = answer_problem(source, answer)
        if problem is not None:
            raise UnusableAnswer(
                f"{provider} {problem} (text {index + 1} of {len(sources)})", provider=provider
            )
        assert isinstance(answer, str)  # answer_problem said so
        checked.append(answer)
    return checked


def tidy_spaces(answer: str) -> str:
    """An answer's spaces and edge punctuation as the page shows them, and Markdown can write.

    Spaces at the inner edges of paired tags move outside ("<g1>a </g1>b" -> "<g1>a</g1>
    b"), runs of spaces and line ends become one space, none at the ends (as the source
    segment's own text, segments.normalise); punctuation squeezed between a tag and a
    word moves out of the tag ("<g1>a:</g1>b" -> "<g1>a</g1>:b"). A reader sees no
    difference, but Markdown does: neither "*a *b" nor "*a:*b" is emphasis, so without
    this the page and its editable copy (content/post_markdown.py) could disagree.
    """
    while True:
        tidied = _punctuation_outside(normalise(_spaces_outside(answer)))
        if tidied == answer:
            return tidied
        answer = tidied


def _spaces_outside(answer: str) -> str:
    while True:
        tidied = _SPACE_BEFORE_CLOSE.sub(r"\2\1", _SPACE_AFTER_OPEN.sub(r"\2\1", answer))
        if tidied == answer:
            return answer
        answer = tidied


def _punctuation_outside(answer: str) -> str:
    pieces: list[str | Tag] = [
        html.unescape(p) if isinstance(p, str) else p for p in parse_tagged(answer)
    ]
    for k in range(1, len(pieces) - 1):
        tag, before, after = pieces[k], pieces[k - 1], pieces[k + 1]
        if not isinstance(tag, Tag) or not isinstance(before, str) or not isinstance(after, str):
            continue
        if tag.kind == "close" and _is_word(after[:1]):
            kept = before.rstrip(_punctuation_in(before))
            if kept.strip():
                pieces[k - 1], pieces[k + 1] = kept, before[len(kept) :] + after
        elif tag.kind == "open" and _is_word(before[-1:]):
            kept = after.lstrip(_punctuation_in(after))
            if kept.strip():
                pieces[k - 1], pieces[k + 1] = before + after[: len(after) - len(kept)], kept
    return "".join(escape_text(p) if isinstance(p, str) else str(p) for p in pieces)


def _is_punctuation(ch: str) -> bool:
    # CommonMark's flanking rules: Unicode punctuation and symbols.
    return unicodedata.category(ch)[0] in "PS"


def _is_word(ch: str) -> bool:
    return bool(ch) and not ch.isspace() and not _is_punctuation(ch)


def _punctuation_in(text: str) -> str:
    return "".join({ch for ch in text if _is_punctuation(ch)})
