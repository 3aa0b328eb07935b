"""What a provider's answer must be to be published: text, not empty, not far longer."""

from __future__ import annotations

import re
from collections.abc import Sequence

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
