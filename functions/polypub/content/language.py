"""Tell which of the site's languages a text is written in (langdetect, deterministic)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from markdown_it.token import Token

from polypub.content.markdown import markdown

# Fewer letters than this is a guess, not a detection ("Hola", "OK!", a title alone).
MIN_LETTERS = 20
# The candidates must account for at least this share of the detected languages
# (else the text is in some other language) ...
MIN_CANDIDATE_SHARE = 0.5
# ... and the best candidate for at least this share of the candidates' probability.
MIN_CONFIDENCE = 0.8
# Plain-text URLs and e-mail addresses that are not links (links' URLs never reach
# the text): their letters say nothing about the language.
_URL_RE = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _factory() -> Any:
    # Our own factory, seeded: langdetect samples at random, so unseeded the same text
    # can come out differently on two runs; and the module-level factory of
    # langdetect.detect() is shared state we would rather not seed for everybody.
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def _inline_text(children: Sequence[Token]) -> str:
    out: list[str] = []
    in_autolink = False
    for token in children:
        if token.type == "link_open" and token.markup == "autolink":
            in_autolink = True
        elif token.type == "link_close" and in_autolink:
            in_autolink = False
        elif token.type == "text" and not in_autolink:
            out.append(token.content)
        elif token.type == "image":
            out.append(_inline_text(token.children or ()))
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        # code_inline and anything else: not words of the language
    return "".join(out)


def visible_text(markdown_text: str) -> str:
    """The words a reader sees: no Markdown syntax, code, link URLs or bare URLs."""
    blocks = [
        _inline_text(token.children or ())
        for token in markdown().parse(markdown_text)
        if token.type == "inline"
    ]
    return _URL_RE.sub(" ", "\n".join(blocks))


Unsure = Literal["too-short", "other-language", "mixed"]


@dataclass(frozen=True)
class LanguageGuess:
    """What detection found: a candidate (``lang``), or why not (``unsure``).

    ``detected`` is langdetect's best language overall (e.g. ``fr``), whether or not it
    is a candidate; None when the text is too short to say anything.
    """

    lang: str | None
    unsure: Unsure | None = None
    detected: str | None = None


def identify_language(text: str, candidates: Sequence[str]) -> LanguageGuess:
    """Which candidate ``text`` (Markdown) is written in, or why that cannot be told.

    Deterministic for a given text. Unsure when the text is too short, is in none of
    the candidates, or is split between them.
    """
    factory = _factory()
    known = [lang for lang in dict.fromkeys(candidates) if lang in factory.get_lang_list()]
    plain = visible_text(text)
    if sum(ch.isalpha() for ch in plain) < MIN_LETTERS:
        return LanguageGuess(None, "too-short")
    detector = factory.create()
    detector.append(plain)
    try:
        detected = {found.lang: found.prob for found in detector.get_probabilities()}
    except LangDetectException:
        return LanguageGuess(None, "too-short")
    overall = max(detected, key=lambda lang: detected[lang]) if detected else None
    shares = {lang: detected.get(lang, 0.0) for lang in known}
    total = sum(shares.values())
    if not known or total < MIN_CANDIDATE_SHARE:
        return LanguageGuess(None, "other-language", overall)
    best = max(shares, key=lambda lang: shares[lang])
    if shares[best] / total < MIN_CONFIDENCE:
        return LanguageGuess(None, "mixed", overall)
    return LanguageGuess(best, None, overall)


def detect_language(text: str, candidates: Sequence[str]) -> str | None:
    """The candidate language ``text`` (Markdown) is written in, or None when unsure."""
    return identify_language(text, candidates).lang
