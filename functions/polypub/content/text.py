"""Characters that never belong in published text: controls, bidi overrides, zero-width marks."""

from __future__ import annotations

import re

# C0 controls except tab and line feed (CR is already turned into LF), DEL and C1:
# a NUL or an ESC in a page is at best garbage and at worst a terminal escape in a log.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069) reorder
# what follows them: "Trip to Rome\u202egpj.exe" spoofs a title. Zero-width space,
# non-joiner and joiner (U+200B-U+200D), word joiner (U+2060) and a BOM inside text
# (U+FEFF) are invisible; pasted from Word or a web page they only make two titles
# that look alike differ.
_INVISIBLE = "\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff"
_FRONT_MATTER_STRIP = re.compile(f"[{_CONTROLS}{_INVISIBLE}]")
_BODY_STRIP = re.compile(f"[{_CONTROLS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_field(text: str) -> str:
    """A front matter text without controls (tab and newline kept), bidi controls, zero-widths."""
    return _FRONT_MATTER_STRIP.sub("", text)


def strip_controls(text: str) -> str:
    """HTML or Markdown text without control characters (tab and newline kept).

    Bidi and zero-width characters stay in bodies: they are how right-to-left quotes
    and some scripts are written, and the page's layout keeps them inside their paragraph.
    """
    return _BODY_STRIP.sub("", text)


def replace_lone_surrogates(text: str) -> str:
    """``text`` with each half of a UTF-16 pair left alone replaced by U+FFFD.

    A body decoded from UTF-8 has none, but a text that went through JSON (a
    translator's answer, "\\ud800") can; a page must still encode as UTF-8.
    """
    if _SURROGATE.search(text) is None:
        return text
    joined = join_surrogates(text)
    if joined is not None:
        return joined
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def join_surrogates(text: str) -> str | None:
    """``text`` with UTF-16 surrogate pairs joined; None if half of a pair is left alone.

    YAML's ``"\\ud83d\\ude00"`` (how JSON-minded tools write an emoji) arrives as two
    halves; joined, it is the emoji. A lone half cannot be written as UTF-8 at all.
    """
    if _SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return None
