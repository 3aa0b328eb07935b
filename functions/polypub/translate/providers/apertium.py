"""Apertium (offline, Debian packages): one ``apertium -u -f html`` process per batch."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path

from polypub import languages
from polypub.content.segments import Tag, escape_text, normalise, parse_tagged
from polypub.translate.errors import ProviderRejected, ProviderUnavailable, TranslationError

# The Debian package that installs an Apertium pair (both directions, every variant),
# by its two Apertium language codes: hints for an operator, not a list of what works.
PACKAGES: dict[frozenset[str], str] = {
    frozenset({"spa", "eng"}): "apertium-eng-spa",
    frozenset({"spa", "cat"}): "apertium-spa-cat",
    frozenset({"eng", "cat"}): "apertium-eng-cat",
}


def modes_for(variants: Mapping[str, str] | None = None) -> dict[tuple[str, str], str]:
    """(source, target) -> Apertium mode, for every pair the language table gives codes for.

    ``variants`` (language -> regional variant, e.g. ``{"ca": "valencia"}``) picks
    the target's variant mode (``spa-cat_valencia``).
    """
    sources = languages.provider_codes("apertium")
    targets = languages.provider_codes("apertium", target=True, variants=variants)
    return {
        (source, target): f"{sources[source]}-{targets[target]}"
        for source in sources
        for target in targets
        if source != target
    }


def package_for(mode: str) -> str | None:
    """The Debian package that installs ``mode`` (``spa-cat_valencia`` -> apertium-spa-cat)."""
    source, _, target = mode.partition("-")
    return PACKAGES.get(frozenset({source, target.partition("_")[0]}))


_ID_RE = re.compile(r"([sgx])(\d+)")
_WORD_RE = re.compile(r"\w+")


# Standalone placeholders travel as made-up words: Apertium passes an unknown word
# through unchanged and translates the sentence around it as around a name.
_ATOM_PREFIX = "Zqx"
_ATOM_RE = re.compile(rf"\b{_ATOM_PREFIX}([a-z]+)\b")


def _atom_word(number: int) -> str:
    """<x12/> -> "Zqxab": letters only (digits would be read as a number)."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = chr(ord("a") + digit) + letters
        if not number:
            return _ATOM_PREFIX + letters


def _atom_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("a")
    return number


def _to_html(text: str, *, atoms_as_words: bool = True) -> str:
    """Our placeholders -> markup Apertium's html format carries without damage.

    Paired tags become ``<span id="gN">``: Apertium binds inline tags to the words
    they wrap (so they move with them when word order changes) and, unlike unknown
    tags such as ``<g1>``, spans do not make it capitalise the next word ("With
    <g1>You</g1>"). Standalone tags become a made-up word (``Zqxb`` for ``<x1/>``):
    Apertium 3.8 treats ``<br>`` as the end of a sentence (it capitalises the next
    word and translates the rest as a new sentence: "The students of <br> They
    travelled"), and an empty ``<span>`` as nothing at all ("La <span/> ha
    organizado" -> "It has organised it"), while an unknown word is left as it is and
    read as a name ("The Zqxb has organised"). A text that already contains such a
    word (``atoms_as_words=False``) falls back to ``<br id="xN">``.
    """
    out: list[str] = []
    for piece in parse_tagged(text):
        if isinstance(piece, str):
            out.append(escape_text(html.unescape(piece)))
        elif piece.kind == "atom":
            if atoms_as_words:
                out.append(_atom_word(piece.number))
            else:
                out.append(f'<br id="{piece.letter}{piece.number}">')
        elif piece.kind == "open":
            out.append(f'<span id="{piece.letter}{piece.number}">')
        else:
            out.append("</span>")
    return "".join(out)


def _atoms_back(text: str) -> str:
    """Made-up words -> the <xN/> placeholders they stand for."""
    return _ATOM_RE.sub(lambda match: f"<x{_atom_number(match.group(1))}/>", text)


class _Splitter(HTMLParser):
    """Apertium's HTML answer -> one placeholder text per ``<p id="sN">`` block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: dict[int, list[str]] = {}
        self.current: list[str] | None = None
        self.spans: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        match = _ID_RE.fullmatch(dict(attrs).get("id") or "")
        if tag == "p" and match and match.group(1) == "s":
            self.current = self.texts.setdefault(int(match.group(2)), [])
            self.spans = []
        elif self.current is None:
            return
        elif tag == "span":
            ident = match.group(0) if match and match.group(1) == "g" else None
            self.spans.append(ident)
            if ident:
                self.current.append(f"<{ident}>")
        elif tag == "br" and match and match.group(1) == "x":
            self.current.append(f"<{match.group(0)}/>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.current is None:
            return
        if tag == "p":
            self.current = None
        elif tag == "span" and self.spans:
            ident = self.spans.pop()
            if ident:
                self.current.append(f"</{ident}>")

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(escape_text(data))


def _merge_split_pairs(text: str) -> str:
    """Join a paired tag that Apertium split when it reordered words.

    Apertium copies an inline tag onto every word it wraps, so "<g1>Project
    Country</g1>" comes back "<g1>País</g1> de <g1>Proyecto</g1>". The source had one
    g1: a reopened pair is joined with its earlier half when what lies between them
    is balanced, which keeps the nesting valid.
    """
    out: list[str | Tag] = []
    for piece in parse_tagged(text):
        if isinstance(piece, Tag) and piece.kind == "open":
            close = Tag(piece.letter, piece.number, "close")
            at = next((i for i in range(len(out) - 1, -1, -1) if out[i] == close), None)
            if at is not None and _balanced(out[at + 1 :]):
                del out[at]
                continue
        out.append(piece)
    return "".join(str(piece) for piece in out)


def _balanced(pieces: Sequence[str | Tag]) -> bool:
    depth: list[Tag] = []
    for piece in pieces:
        if isinstance(piece, Tag) and piece.kind == "open":
            depth.append(piece)
        elif isinstance(piece, Tag) and piece.kind == "close":
            if not depth or depth[-1].number != piece.number:
                return False
            depth.pop()
    return not depth


def _repair_start_case(source: str, translated: str, target: str) -> str:
    """Give the first letter of a translation the case of the source's first letter.

    Apertium treats each block as a sentence: it capitalises a lower-case start (a
    list item "improved my skills" -> "Mejorado...") and, when it drops a leading
    word, leaves a lower-case one ("Would you like" -> "te gusta"). Only the first
    letter is touched; a word the target language always capitalises (the English
    pronoun "I") is left alone.
    """
    capitalised = languages.language(target).capitalised if languages.is_known(target) else ()
    source_letters = (ch for p in parse_tagged(source) if isinstance(p, str) for ch in p)
    wanted = next((ch for ch in source_letters if ch.isalpha()), "")
    out: list[str] = []
    found = not wanted or wanted.lower() == wanted.upper()
    for piece in parse_tagged(translated):
        if isinstance(piece, str) and not found:
            first = next((i for i, ch in enumerate(piece) if ch.isalpha()), None)
            if first is not None:
                found = True
                word = _WORD_RE.match(piece, first)
                always_capital = word is not None and word.group() in capitalised
                letter = piece[first].upper() if wanted.isupper() else piece[first].lower()
                if not always_capital:
                    piece = piece[:first] + letter + piece[first + 1 :]
        out.append(str(piece))
    return "".join(out)


def _repair_case_after_breaks(source: str, translated: str, target: str) -> str:
    """After each standalone placeholder, give the next letter the case it has in the source.

    Some Apertium builds treat the ``<br>`` that carries a standalone placeholder as a
    sentence break and capitalise the word after it ("con <x1/> también" -> "with <x1/>
    Also"); others do not. A capital the source does not have there is taken back (the
    English pronoun "I" is left alone); a capital the source has is never invented.
    """
    source_pieces = parse_tagged(source)
    wanted = {
        n: str(source_pieces[i])[at] for n, (i, at) in _letters_after_atoms(source_pieces).items()
    }
    tagged = parse_tagged(translated)
    pieces = [str(piece) for piece in tagged]
    for n, (i, at) in _letters_after_atoms(tagged).items():
        word = _WORD_RE.match(pieces[i], at)
        pronoun_i = target == "en" and word is not None and word.group() == "I"
        if wanted.get(n, "").islower() and not pronoun_i:
            pieces[i] = pieces[i][:at] + pieces[i][at].lower() + pieces[i][at + 1 :]
    return "".join(pieces)


def _letters_after_atoms(pieces: list[str | Tag]) -> dict[int, tuple[int, int]]:
    """For the n-th standalone placeholder, where the first letter after it is: (piece, index).

    Only a letter in the text that follows it before any other tag counts.
    """
    found: dict[int, tuple[int, int]] = {}
    seen = -1
    pending: int | None = None
    for i, piece in enumerate(pieces):
        if isinstance(piece, Tag):
            if piece.letter == "x" and piece.kind == "atom":
                seen += 1
                pending = seen
            else:
                pending = None
        elif pending is not None:
            at = next((j for j, ch in enumerate(piece) if ch.isalpha()), None)
            if at is not None:
                found[pending] = (i, at)
                pending = None
    return found


class ApertiumTranslator:
    """Rule-based offline translation through the ``apertium`` command."""

    name = "apertium"

    def __init__(
        self,
        *,
        command: str = "apertium",
        timeout: float = 60.0,
        modes: dict[tuple[str, str], str] | None = None,
    ) -> None:
        self.command = command
        self.timeout = timeout
        self.modes = modes if modes is not None else modes_for()
        self._modes: frozenset[str] | None = None

    def available_modes(self) -> frozenset[str]:
        """The installed modes, found once, on first use.

        ``apertium -l`` only lists the ``modes/*.mode`` files of its data directory, but
        as a bash script it costs a process start; the files are read directly when the
        directory is where the command looks, and ``-l`` is asked otherwise.
        """
        if self._modes is None:
            modes_dir = _modes_dir(self.command)
            if modes_dir is not None:
                self._modes = frozenset(path.stem for path in modes_dir.glob("*.mode"))
            else:
                listing = self._run(["-l"], "")
                self._modes = frozenset(
                    line.strip() for line in listing.splitlines() if line.strip()
                )
        return self._modes

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        mode = self.modes.get((source, target))
        if mode is None:
            raise ProviderRejected(
                f"apertium cannot translate {source}->{target}; "
                f"it knows {', '.join(f'{s}->{t}' for s, t in self.modes)}",
                provider=self.name,
            )
        if mode not in self.available_modes():
            package = package_for(mode)
            hint = (
                f"install the Debian package {package} (apt-get install {package})"
                if package
                else "install the Debian package that provides it (apt-cache search apertium)"
            )
            raise ProviderRejected(
                f"apertium has no {mode} mode installed; {hint}", provider=self.name
            )
        # One process for the whole batch: each text in its own numbered block, which
        # Apertium treats as a separate sentence and copies back with its id.
        as_words = not any(_ATOM_PREFIX.lower() in text.lower() for text in texts)
        document = "\n".join(
            f'<p id="s{i}">{_to_html(text, atoms_as_words=as_words)}</p>'
            for i, text in enumerate(texts)
        )
        splitter = _Splitter()
        splitter.feed(self._run(["-u", "-f", "html", mode], document))
        splitter.close()
        if sorted(splitter.texts) != list(range(len(texts))):
            raise TranslationError(
                f"apertium returned {len(splitter.texts)} blocks for {len(texts)} texts",
                provider=self.name,
            )
        results = []
        for i, text in enumerate(texts):
            joined = "".join(splitter.texts[i])
            answer = normalise(_merge_split_pairs(_atoms_back(joined) if as_words else joined))
            answer = _repair_start_case(text, answer, target)
            results.append(_repair_case_after_breaks(text, answer, target))
        return results

    def _run(self, args: list[str], stdin: str) -> str:
        try:
            completed = subprocess.run(
                [self.command, *args],
                input=stdin,
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            raise ProviderRejected(
                f"the {self.command!r} command is not installed; "
                "install the Debian packages apertium apertium-eng-spa "
                "(and apertium-spa-cat apertium-eng-cat for Catalan)",
                provider=self.name,
            ) from None
        except subprocess.TimeoutExpired:
            raise ProviderUnavailable(
                f"apertium took longer than {self.timeout:g}s", provider=self.name
            ) from None
        if completed.returncode != 0:
            detail = completed.stderr.strip().splitlines()[-1:] or ["no message"]
            raise ProviderUnavailable(
                f"apertium {' '.join(args[-1:])} failed (exit {completed.returncode}): "
                f"{detail[0][:200]}",
                provider=self.name,
            )
        return completed.stdout


def _modes_dir(command: str) -> Path | None:
    """The ``modes`` directory the ``apertium`` script reads, if it can be known here.

    The script looks in ``$APERTIUM_DATADIR`` (it inherits our environment), else in
    the ``share/apertium`` of the prefix it was installed under (``/usr/bin/apertium``
    reads ``/usr/share/apertium``). None when the command is missing (``-l`` then gives
    the install hint) or the directory is not there (another layout: ask ``-l``).
    """
    found = shutil.which(command)
    if found is None:
        return None
    datadir = os.environ.get("APERTIUM_DATADIR")
    if datadir:
        modes = Path(datadir) / "modes"
    else:
        modes = Path(found).resolve().parent.parent / "share" / "apertium" / "modes"
    return modes if modes.is_dir() else None
