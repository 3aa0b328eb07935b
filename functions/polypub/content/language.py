"""Tell which of the site's languages a text is written in (character n-grams, deterministic)."""

from __future__ import annotations

import html
import json
import math
import re
import struct
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import nh3

from polypub.content.markdown import markdown

if TYPE_CHECKING:
    from markdown_it.token import Token

# Fewer letters than this is a guess, not a detection ("Hola", "OK!", a title alone).
MIN_LETTERS = 20
# The candidates must account for at least this share of the text (else the text is
# in some other language) ...
MIN_CANDIDATE_SHARE = 0.5
# ... and the best candidate for at least this share of the candidates' part.
MIN_CONFIDENCE = 0.8
# The text is judged in pieces of about this many letters (whole paragraphs): a post
# whose paragraphs are in two languages comes out mixed, not as whichever has more.
CHUNK_LETTERS = 200
# Only the start of a text is judged, this many letters (and spaces between words) at
# most: plenty to tell the languages apart, in enough pieces for "mixed" to mean
# something, and a bounded cost.
READ_LETTERS = 1_500
# Nor is more of the Markdown parsed than needed for that (parsing costs more than
# judging): its first READ_CHARS characters, about READ_LETTERS letters of prose; four
# times as many while that gives under half as many (a start of code, tables or
# links), up to MAX_READ_CHARS.
READ_CHARS = 2_000
MAX_READ_CHARS = 16_000
# Words that are plain-text URLs, e-mail addresses, paths (anything with a '/', as
# "{{ site.baseurl }}/assets/..." leaves) or file names: their letters say nothing about
# the language. Judged word by word (_is_address), so that a long run without spaces
# costs linear time, not the quadratic time of a regex that scans it from every start.
_ADDRESS_MARKS = frozenset("/@.:")
_FILE_NAME_RE = re.compile(
    r"\w\.(?:png|jpe?g|gif|webp|svg|pdf|docx?|pptx?|xlsx?|od[tps]|mp[34]|html?|md)\b",
    re.IGNORECASE,
)
# Template constructs (Liquid {{ }} {% %}, Hugo shortcodes {{< >}} {{% %}}): the site
# engine's words, not the author's. Jekyll's highlight, raw and comment blocks hold
# code or notes whose letters are not the post's language either.
_TEMPLATE_CLOSERS = {"{{": "}}", "{%": "%}"}
_TEMPLATE_OPENER_RE = re.compile(r"\{[{%]")
_BLOCK_TAG_RE = re.compile(r"\{%-?\s*(highlight|raw|comment)\b", re.IGNORECASE)
_END_TAG_RE = {
    name: re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}", re.IGNORECASE)
    for name in ("highlight", "raw", "comment")
}
# Raw HTML elements whose content readers do not read as the post's prose.
_UNREAD_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp", "var", "textarea", "template"}
# Runs of characters that are not letters (nearly: numerals such as "²" are \w, see
# _letters), and the letters langdetect reads as one of their kind (_letter_classes).
_NON_LETTERS_RE = re.compile(r"[\W\d_]+")
_CLASSED_RE = re.compile("[\u0219\u021b\u3040-\u30ff\uac00-\ud7af]")
# The scripts (the first word of a letter's Unicode name) each language is written in,
# for those not written in Latin letters. A text mostly in other scripts than the site
# languages' is in none of them, whatever its Latin words (code, names) say.
_SCRIPTS: dict[str, frozenset[str]] = {
    code: frozenset(scripts.split())
    for code, scripts in {
        "ar": "ARABIC", "fa": "ARABIC", "ur": "ARABIC", "he": "HEBREW", "el": "GREEK",
        "bg": "CYRILLIC", "mk": "CYRILLIC", "ru": "CYRILLIC", "uk": "CYRILLIC",
        "sr": "CYRILLIC LATIN", "hi": "DEVANAGARI", "mr": "DEVANAGARI", "ne": "DEVANAGARI",
        "bn": "BENGALI", "gu": "GUJARATI", "pa": "GURMUKHI", "kn": "KANNADA",
        "ml": "MALAYALAM", "ta": "TAMIL", "te": "TELUGU", "th": "THAI",
        "ja": "CJK HIRAGANA KATAKANA", "ko": "HANGUL CJK", "zh": "CJK", "zh-cn": "CJK",
        "zh-tw": "CJK",
    }.items()
}  # fmt: skip
_LATIN = frozenset({"LATIN"})
# Below U+0250 every letter is Latin (Basic Latin to Latin Extended-B): no name lookup.
_LAST_PLAIN_LATIN = "\u024f"
# Names for the languages the profiles know, for messages to teachers (in English, as
# the reports are).
LANGUAGE_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "kn": "Kannada", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian",
    "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi", "ne": "Nepali", "nl": "Dutch",
    "no": "Norwegian", "pa": "Punjabi", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "so": "Somali",
    "sq": "Albanian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu",
    "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese", "zh-cn": "Chinese", "zh-tw": "Chinese (traditional)",
}  # fmt: skip
# Per language, the evidence (in tenths of a nat) each of its frequent 1- to 3-character
# n-grams gives for it: the naive-Bayes model of langdetect, whose profiles these are
# derived from (see "about" in the file), without its random sampling.
PROFILES = Path(__file__).with_name("language_profiles.json")
# An n-gram's evidence for every language is packed into one integer, _FIELD_BITS bits
# per language (see _profiles). A piece of text has at most 3 * READ_LETTERS n-grams,
# each worth under 100 tenths: far below 2**32, so a field never overflows into the next.
_FIELD_BITS = 32


@lru_cache(maxsize=1)
def _profiles() -> tuple[tuple[str, ...], dict[str, int]]:
    """The languages, and for each known n-gram its evidence for all of them, packed.

    Language ``i``'s evidence (tenths of a nat) is the ``i``-th field of _FIELD_BITS bits,
    from the lowest, so that adding packed integers adds up the evidence for every
    language at once: one integer addition per n-gram, not one per language.
    """
    weights: dict[str, dict[str, int]] = json.loads(PROFILES.read_text("utf-8"))["weights"]
    languages = tuple(sorted(weights))
    packed: dict[str, int] = {}
    for index, lang in enumerate(languages):
        for gram, tenths in weights[lang].items():
            packed[gram] = packed.get(gram, 0) + (tenths << (_FIELD_BITS * index))
    return languages, packed


@lru_cache(maxsize=1)
def _letter_classes() -> dict[int, str]:
    """str.translate table: any hiragana, katakana or hangul syllable is one letter each;
    Romanian comma-below letters are their cedilla forms (as in langdetect)."""
    table = {0x0219: "\u015f", 0x021B: "\u0163"}
    for first, last, letter in (
        (0x3040, 0x309F, "\u3042"),  # any hiragana
        (0x30A0, 0x30FF, "\u30a2"),  # any katakana
        (0xAC00, 0xD7AF, "\uac00"),  # any hangul syllable
    ):
        table.update({code: letter for code in range(first, last + 1) if chr(code).isalpha()})
    return table


def _letters(text: str) -> str:
    """The text as langdetect reads it: its letters, and one space for each run of
    anything else (digits, punctuation, spaces); kana and hangul as in _letter_classes."""
    letters = _NON_LETTERS_RE.sub(" ", text)
    words = letters.replace(" ", "")
    if words and not words.isalpha():  # rare numerals that \w matches: "²", "½", "Ⅻ"
        letters = _NON_LETTERS_RE.sub(" ", "".join(ch if ch.isalpha() else " " for ch in text))
    if _CLASSED_RE.search(letters):
        letters = letters.translate(_letter_classes())
    return letters


def _word_grams(padded: str) -> list[str]:
    """The 1- to 3-character n-grams of ``padded`` (a word with spaces) langdetect reads:
    all of them, except that inside a word in capitals (an acronym) none ends at a
    capital that follows a capital. Lone spaces come too; no profile has them."""
    if not any(map(str.isupper, padded[2:])):
        pairs = list(map(add, padded, padded[1:]))
        return [*padded, *pairs, *map(add, pairs, padded[2:])]
    return [
        padded[start : end + 1]
        for end in range(1, len(padded))
        if not (padded[end].isupper() and padded[end - 1].isupper())
        for start in range(max(end - 2, 0), end + 1)
    ]


@lru_cache(maxsize=4096)
def _word_evidence(word: str, closed: bool = True) -> tuple[int, int]:
    """The evidence (packed, see _profiles) of the n-grams langdetect reads in ``word``,
    and how many of them some profile has.

    The word has a space before it and, when ``closed`` (the text goes on after it),
    one after it. Words recur, so each one's evidence is worked out once (per process,
    for 4096 words at most).
    """
    _, packed = _profiles()
    found = list(filter(None, map(packed.get, _word_grams(f" {word} " if closed else f" {word}"))))
    return sum(found), len(found)


def _chunk_probabilities(letters: str) -> tuple[list[float], int]:
    """Each language's probability for ``letters`` (equal priors), and how many n-grams told."""
    languages, _ = _profiles()
    words = letters.split()
    evidence = told = 0
    if words and not letters.endswith(" "):  # the text ends with this word's last letter
        evidence, told = _word_evidence(words.pop(), closed=False)
    for word, count in Counter(words).items():
        word_evidence, word_told = _word_evidence(word)
        evidence += count * word_evidence
        told += count * word_told
    size = len(languages)
    scores = struct.unpack(f"<{size}I", evidence.to_bytes(size * _FIELD_BITS // 8, "little"))
    top = max(scores)
    exp = [math.exp((score - top) / 10) for score in scores]  # tenths of a nat
    total = sum(exp)
    return [value / total for value in exp], told


def _chunks(blocks: Sequence[str]) -> list[str]:
    """Consecutive blocks (_letters) joined into pieces of at least CHUNK_LETTERS letters."""
    chunks: list[str] = []
    current: list[str] = []
    letters = 0
    for block in blocks:
        current.append(block)
        letters += len(block) - block.count(" ")
        if letters >= CHUNK_LETTERS:
            chunks.append(" ".join(current))
            current, letters = [], 0
    if current:
        if chunks and letters < CHUNK_LETTERS:
            chunks[-1] += " " + " ".join(current)  # a short tail joins the last piece
        else:
            chunks.append(" ".join(current))
    return chunks


def _inline_text(children: Sequence[Token]) -> str:
    out: list[str] = []
    in_autolink = False
    for token in children:
        if token.type == "link_open" and token.markup == "autolink":
            in_autolink = True
        elif token.type == "link_close" and in_autolink:
            in_autolink = False
        elif token.type in ("text", "html_inline") and not in_autolink:
            # Raw HTML comes as html_inline tokens, or as text while the parser leaves
            # it as text: either way its tags are taken out of the whole block (_readable).
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        # code_inline, a picture's alt text (often a file name or words a CMS filled in,
        # in English, under a Catalan post) and anything else: not read for the language
    return "".join(out)


def _without_templates(text: str) -> str:
    """``text`` without its template constructs (and Jekyll highlight/raw/comment blocks).

    One pass, linear in the text: once a "{{" (or "{%") finds no closing "}}" (or "%}"),
    no later one can, so it is not looked for again; the same for a block's end tag.
    """
    out: list[str] = []
    position = 0
    unclosed: set[str] = set()
    unended: set[str] = set()
    while (opener := _TEMPLATE_OPENER_RE.search(text, position)) is not None:
        kind = opener.group()
        end = -1 if kind in unclosed else text.find(_TEMPLATE_CLOSERS[kind], opener.end())
        if end < 0:
            unclosed.add(kind)
            if len(unclosed) == len(_TEMPLATE_CLOSERS):
                break
            out.append(text[position : opener.end()])  # kept as written: not a construct
            position = opener.end()
            continue
        end += len(_TEMPLATE_CLOSERS[kind])
        block = _BLOCK_TAG_RE.match(text, opener.start())
        name = block.group(1).lower() if block is not None else None
        if name is not None and name not in unended:
            found = _END_TAG_RE[name].search(text, end)
            if found is None:
                unended.add(name)
            else:
                end = found.end()
        out += (text[position : opener.start()], " ")
        position = end
    out.append(text[position:])
    return "".join(out)


def _readable(block: str) -> str:
    """What a reader reads of a block: no HTML tags or attributes (the text between tags
    stays; code, scripts and comments go), bare URLs or paths."""
    if "<" in block:
        # A space before each tag, so that words on either side of <br> stay apart.
        block = nh3.clean(
            block.replace("<", " <"),
            tags=set(),
            attributes={},
            clean_content_tags=_UNREAD_ELEMENTS,
        )
        block = html.unescape(block)
    if _ADDRESS_MARKS.isdisjoint(block):
        return block
    return " ".join(word for word in block.split() if not _is_address(word))


def _is_address(word: str) -> bool:
    if "/" in word or word[:4].lower() == "www.":  # paths, and URLs with a scheme too
        return True
    user, at, domain = word.rpartition("@")
    if at and user and "." in domain.strip(".,;:!?)"):
        return True
    return _FILE_NAME_RE.search(word) is not None


def _visible_blocks(markdown_text: str) -> list[str]:
    """The words a reader sees, block by block: no syntax, markup, code or URLs."""
    if "{" in markdown_text:
        markdown_text = _without_templates(markdown_text)
    blocks = (
        _inline_text(token.children or ()) if token.type == "inline" else token.content
        for token in markdown().parse(markdown_text)
        if token.type in ("inline", "html_block")
    )
    return [_readable(block) for block in blocks]


def _read_start(markdown_text: str) -> list[str]:
    """The start of the visible blocks, as _letters: READ_LETTERS characters at most.

    Only a window of the Markdown is parsed (READ_CHARS, cut at a line end), widened
    while it shows too little (a start of code or tables) and there is more.
    """
    size = READ_CHARS
    while True:
        whole = len(markdown_text) <= size
        window = markdown_text
        if not whole:
            line_end = markdown_text.rfind("\n", size // 2, size)
            window = markdown_text[: line_end if line_end >= 0 else size]
        blocks: list[str] = []
        read = 0
        for block in _visible_blocks(window):
            blocks.append(_letters(block)[: READ_LETTERS - read])
            read += len(blocks[-1])
            if read >= READ_LETTERS:
                break
        if whole or read >= READ_LETTERS // 2 or size >= MAX_READ_CHARS:
            return blocks
        size = min(4 * size, MAX_READ_CHARS)


def visible_text(markdown_text: str) -> str:
    """The words a reader sees: no Markdown syntax, HTML tags or attributes, template
    constructs, code, link URLs or bare URLs."""
    return "\n".join(_visible_blocks(markdown_text))


def _script(letter: str) -> str:
    if letter <= _LAST_PLAIN_LATIN:
        return "LATIN"
    return unicodedata.name(letter, "").split(" ", 1)[0]


def foreign_share(letters: str, candidates: Sequence[str]) -> float:
    """The share of ``letters`` in scripts none of ``candidates`` is written in (0 to 1)."""
    allowed = _LATIN.union(*(_SCRIPTS.get(lang, _LATIN) for lang in candidates))
    words = letters.replace(" ", "")
    if not words or max(words) <= _LAST_PLAIN_LATIN:
        return 0.0  # Latin letters are always allowed: names and code are written in them
    counts = Counter(map(_script, words))
    return sum(n for script, n in counts.items() if script not in allowed) / len(words)


def language_name(code: str) -> str:
    """``ca`` -> ``Catalan (ca)``; the code alone for a language the profiles do not know."""
    name = LANGUAGE_NAMES.get(code)
    return f"{name} ({code})" if name else code


Unsure = Literal["too-short", "other-language", "other-script", "mixed"]


@dataclass(frozen=True)
class LanguageGuess:
    """What detection found: a candidate (``lang``), or why not (``unsure``).

    ``detected`` is the most likely language overall (e.g. ``fr``), whether or not it
    is a candidate; None when the text is too short to say anything.
    """

    lang: str | None
    unsure: Unsure | None = None
    detected: str | None = None


def identify_language(text: str, candidates: Sequence[str]) -> LanguageGuess:
    """Which candidate ``text`` (Markdown) is written in, or why that cannot be told.

    Deterministic. A text mostly written in scripts none of the candidates uses
    (Japanese, Cyrillic, Greek, Arabic... on a Spanish and English site) is in none of
    them ("other-script"), whatever Latin words it has. Else each piece of the text
    (CHUNK_LETTERS) gives every language a probability; a language's share is their
    average, weighted by how much each piece said. Unsure when the text is too short,
    is in none of the candidates (most of it is not theirs, or another language is
    likelier than any of them: Catalan on a Spanish site), or is split between them.
    """
    languages, _ = _profiles()
    known = [languages.index(lang) for lang in dict.fromkeys(candidates) if lang in languages]
    blocks = _read_start(text)
    if sum(len(block) - block.count(" ") for block in blocks) < MIN_LETTERS:
        return LanguageGuess(None, "too-short")
    other_script = foreign_share(" ".join(blocks), candidates) > 0.5
    shares = [0.0] * len(languages)
    for chunk in _chunks(blocks):
        probabilities, told = _chunk_probabilities(chunk)
        shares = [
            share + told * probability
            for share, probability in zip(shares, probabilities, strict=True)
        ]
    total = sum(shares)
    if not total:
        # No n-gram of any language: no words, or a script the profiles do not know.
        return LanguageGuess(None, "other-script" if other_script else "too-short")
    best_overall = max(range(len(languages)), key=shares.__getitem__)
    overall = languages[best_overall]
    if other_script:
        return LanguageGuess(None, "other-script", overall)
    candidate_total = sum(shares[index] for index in known)
    if not known or candidate_total < MIN_CANDIDATE_SHARE * total or best_overall not in known:
        return LanguageGuess(None, "other-language", overall)
    best = max(known, key=shares.__getitem__)
    if shares[best] < MIN_CONFIDENCE * candidate_total:
        return LanguageGuess(None, "mixed", overall)
    return LanguageGuess(languages[best], None, overall)


def detect_language(text: str, candidates: Sequence[str]) -> str | None:
    """The candidate language ``text`` (Markdown) is written in, or None when unsure."""
    return identify_language(text, candidates).lang
