"""The site glossary (config/glossary.yml): bytes -> Glossary, or a named GlossaryError. Pure."""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import yaml

from polypub.content.errors import (
    ContentError,
    DuplicateKeyError,
    FrontMatterTooComplexError,
    InvalidCharacterError,
    NotUtf8Error,
)
from polypub.content.post import load_yaml
from polypub.content.segments import DEFAULT_PROTECTED_TERMS, Term
from polypub.languages import known_languages

# Where the glossary lives in the source bucket (and under content/ locally).
GLOSSARY_KEY = "config/glossary.yml"
# A glossary is a page of terms; these bounds keep a mistaken upload (a whole
# dictionary, a binary file) from slowing every translation down.
MAX_GLOSSARY_BYTES = 256 * 1024
MAX_TERMS = 1000
MAX_TERM_LENGTH = 100

_KEEP = "do_not_translate"
_FIXED = "translations"
_EXAMPLE = f"""\
{_KEEP}:
  - Erasmus+
  - eTwinning
  - IES Abastos
{_FIXED}:
  - es: huerto escolar
    en: school garden
    ca: hort escolar"""


class GlossaryError(ContentError):
    """config/glossary.yml cannot be used; the message says what to fix."""

    code: ClassVar[str] = "invalid-glossary"


class GlossarySyntaxError(GlossaryError):
    """The file is not valid YAML."""

    code: ClassVar[str] = "glossary-invalid-yaml"


class GlossaryShapeError(GlossaryError):
    """Valid YAML, but not the two lists a glossary has."""

    code: ClassVar[str] = "glossary-shape"


class GlossaryTermError(GlossaryError):
    """A term is empty, too long, repeated, or contradicts another entry."""

    code: ClassVar[str] = "glossary-term"


class GlossaryTooLargeError(GlossaryError):
    """The file or its number of terms is beyond what a glossary needs."""

    code: ClassVar[str] = "glossary-too-large"


@dataclass(frozen=True)
class Glossary:
    """Do-not-translate terms, and fixed translations (one mapping language -> form each)."""

    keep: tuple[str, ...] = DEFAULT_PROTECTED_TERMS
    fixed: tuple[Mapping[str, str], ...] = field(default=())

    def terms(self, source: str, target: str) -> tuple[Term, ...]:
        """The Terms the segmenter protects when translating ``source`` -> ``target``.

        A fixed translation applies when its entry has both languages; each Term's
        identity names only those two forms, so editing an entry's Catalan form never
        retranslates Spanish -> English segments.
        """
        found = [Term(term) for term in self.keep]
        for entry in self.fixed:
            if source in entry and target in entry:
                found.append(
                    Term(
                        entry[source],
                        entry[target],
                        entry=f"fixed\x1f{source}:{entry[source]}\x1f{target}:{entry[target]}",
                    )
                )
        return tuple(found)

    @property
    def digest(self) -> str:
        """A hash of the entries (not of the file's layout or comments)."""
        canonical = json.dumps(
            {"keep": sorted(self.keep), "fixed": sorted(sorted(e.items()) for e in self.fixed)},
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def size(self) -> int:
        return len(self.keep) + len(self.fixed)


DEFAULT_GLOSSARY = Glossary()


def parse_glossary(data: bytes, *, languages: Sequence[str] | None = None) -> Glossary:
    """Parse the glossary file; raise a GlossaryError (a ContentError) if it is unusable.

    The file replaces the built-in defaults (Erasmus+, eTwinning): list them too to
    keep them. An empty file is an empty glossary. Forms may be given for every
    language Polyglot Press supports, site languages or not, so that adding a
    language to the site needs no glossary change.
    """
    if len(data) > MAX_GLOSSARY_BYTES:
        raise GlossaryTooLargeError(
            f"The glossary is {len(data)} bytes; the limit is {MAX_GLOSSARY_BYTES}. "
            "A glossary lists names and terms, not a whole dictionary."
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(
            exc.start,
            data.count(b"\n", 0, exc.start) + 1,
            data[exc.start],
            utf16=data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)),
        ) from None
    try:
        _, root = load_yaml(text, where="the glossary")
    except FrontMatterTooComplexError as exc:
        raise GlossaryShapeError(str(exc).replace("front matter", "glossary")) from None
    except (DuplicateKeyError, InvalidCharacterError) as exc:
        raise GlossarySyntaxError(exc.message, line=exc.line) from None
    except (ValueError, OverflowError, RecursionError):
        # e.g. a number thousands of digits long, which Python refuses to build.
        raise GlossarySyntaxError(
            "The glossary has a value that cannot be read (for example a number thousands "
            f"of digits long). Put unusual values in double quotes, like:\n{_EXAMPLE}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", None) or "it is not valid YAML"
        raise GlossarySyntaxError(
            f"The glossary cannot be read{f' at line {line}' if line else ''}: {problem}. "
            f"It should look like this:\n{_EXAMPLE}",
            line=line,
        ) from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.value == ""):
        return Glossary(keep=(), fixed=())
    if not isinstance(root, yaml.MappingNode):
        raise GlossaryShapeError(
            f"The glossary must have the sections '{_KEEP}' and/or '{_FIXED}', like this:\n"
            f"{_EXAMPLE}",
            line=_line(root),
        )
    chosen = known_languages() if languages is None else languages
    langs = tuple(dict.fromkeys(lang.lower() for lang in chosen))
    keep: list[str] = []
    fixed: list[dict[str, str]] = []
    for key_node, value_node in root.value:
        name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if name == _KEEP:
            keep += _keep_terms(value_node)
        elif name == _FIXED:
            fixed += _fixed_entries(value_node, langs)
        else:
            raise GlossaryShapeError(
                f"The glossary has an unknown section '{name}' (line {_line(key_node)}). "
                f"Its sections are '{_KEEP}' and '{_FIXED}'.",
                line=_line(key_node),
            )
    if len(keep) + len(fixed) > MAX_TERMS:
        raise GlossaryTooLargeError(
            f"The glossary has {len(keep) + len(fixed)} entries; the limit is {MAX_TERMS}."
        )
    keep = list(dict.fromkeys(keep))
    _check_unique(keep, fixed)
    return Glossary(keep=tuple(keep), fixed=tuple(fixed))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _term(node: yaml.Node, where: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise GlossaryShapeError(
            f"{where} (line {_line(node)}) must be a single word or phrase, not a list or a group.",
            line=_line(node),
        )
    # The text as typed: "no" stays "no" and "1.10" stays "1.10", whatever YAML thinks.
    term = " ".join(str(node.value).split())
    if not any(ch.isalnum() for ch in term):
        raise GlossaryTermError(
            f"{where} (line {_line(node)}) is empty or has no letters.", line=_line(node)
        )
    if len(term) > MAX_TERM_LENGTH:
        raise GlossaryTermError(
            f"{where} (line {_line(node)}) is {len(term)} characters long; "
            f"the limit is {MAX_TERM_LENGTH}.",
            line=_line(node),
        )
    return term


def _items(node: yaml.Node, section: str) -> list[yaml.Node]:
    if isinstance(node, yaml.ScalarNode) and node.value == "":
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise GlossaryShapeError(
            f"'{section}' (line {_line(node)}) must be a list, one entry per line starting "
            f"with '- ', like this:\n{_EXAMPLE}",
            line=_line(node),
        )
    return list(node.value)


def _keep_terms(node: yaml.Node) -> list[str]:
    return [_term(item, f"A term in '{_KEEP}'") for item in _items(node, _KEEP)]


def _fixed_entries(node: yaml.Node, languages: tuple[str, ...]) -> list[dict[str, str]]:
    entries = []
    for item in _items(node, _FIXED):
        if not isinstance(item, yaml.MappingNode):
            raise GlossaryShapeError(
                f"An entry of '{_FIXED}' (line {_line(item)}) must give the term in each "
                f"language, as 'es: ...', 'en: ...', like this:\n{_EXAMPLE}",
                line=_line(item),
            )
        entry: dict[str, str] = {}
        for lang_node, form_node in item.value:
            lang = str(lang_node.value).lower() if isinstance(lang_node, yaml.ScalarNode) else ""
            if lang not in languages:
                raise GlossaryTermError(
                    f"An entry of '{_FIXED}' (line {_line(lang_node)}) names the language "
                    f"'{lang_node.value if isinstance(lang_node, yaml.ScalarNode) else '?'}'; "
                    f"use {', '.join(languages)}.",
                    line=_line(lang_node),
                )
            if lang in entry:
                raise GlossaryTermError(
                    f"An entry of '{_FIXED}' (line {_line(lang_node)}) gives '{lang}' twice.",
                    line=_line(lang_node),
                )
            entry[lang] = _term(form_node, f"The '{lang}' form in '{_FIXED}'")
        if len(entry) < 2:
            raise GlossaryTermError(
                f"An entry of '{_FIXED}' (line {_line(item)}) needs the term in at least two "
                "languages: the one it is written in, and its fixed translation.",
                line=_line(item),
            )
        entries.append(entry)
    return entries


def _check_unique(keep: list[str], fixed: list[dict[str, str]]) -> None:
    # Each term must mean one thing: the segmenter finds terms by their text alone.
    seen: dict[str, str] = {}

    def claim(form: str, owner: str, lang: str | None) -> None:
        scope = lang or "*"
        for other_scope in ("*", scope) if lang else ("*", *known_languages()):
            previous = seen.get(f"{other_scope}\x1f{form.lower()}")
            if previous is not None and previous != owner:
                raise GlossaryTermError(
                    f"'{form}' appears twice in the glossary ({previous} and {owner}); "
                    "keep one entry for it."
                )
        seen[f"{scope}\x1f{form.lower()}"] = owner

    for term in keep:
        claim(term, f"'{_KEEP}': {term}", None)
    for index, entry in enumerate(fixed, start=1):
        owner = f"'{_FIXED}' entry {index}"
        for lang, form in entry.items():
            claim(form, owner, lang)
