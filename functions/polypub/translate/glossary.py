"""The site glossary: built-in school terms plus config/glossary.yml, or a GlossaryError. Pure."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
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
from polypub.content.segments import DEFAULT_PROTECTED_TERMS, Term, TermPattern
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
_DEFAULTS = "defaults"
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
    """Do-not-translate terms, fixed translations (one mapping language -> form each),
    the forms matched only as written (``exact``), and built-in pattern rules by name."""

    keep: tuple[str, ...] = DEFAULT_PROTECTED_TERMS
    fixed: tuple[Mapping[str, str], ...] = field(default=())
    exact: frozenset[str] = field(default=frozenset())
    rules: tuple[str, ...] = ()

    def terms(self, source: str, target: str) -> tuple[Term | TermPattern, ...]:
        """The Terms the segmenter protects when translating ``source`` -> ``target``.

        A fixed translation applies when its entry has both languages; each Term's
        identity names only those two forms, so editing an entry's Catalan form never
        retranslates Spanish -> English segments.
        """
        found: list[Term | TermPattern] = [
            *(rule for name in self.rules for rule in RULES[name].get((source, target), ())),
            *(Term(term, exact_case=term in self.exact) for term in self.keep),
        ]
        for entry in self.fixed:
            if source in entry and target in entry:
                found.append(
                    Term(
                        entry[source],
                        entry[target],
                        entry=f"fixed\x1f{source}:{entry[source]}\x1f{target}:{entry[target]}",
                        exact_case=entry[source] in self.exact,
                    )
                )
        return tuple(found)

    def extending(self, base: Glossary) -> Glossary:
        """This glossary on top of ``base``: an entry of ``base`` that shares a form with
        one of ours gives way to ours, so a school can redefine any built-in term."""
        ours = {form.lower() for form in self.keep} | {
            form.lower() for entry in self.fixed for form in entry.values()
        }
        keep = [*self.keep, *(t for t in base.keep if t.lower() not in ours)]
        fixed = [
            *self.fixed,
            *(e for e in base.fixed if not any(f.lower() in ours for f in e.values())),
        ]
        kept = set(keep) | {form for entry in fixed for form in entry.values()}
        # A built-in acronym stays matched as written even when the file lists it too:
        # a school that copies "ESO" into its file must not stop "eso" being translated.
        exact = (self.exact | base.exact) & kept
        return Glossary(
            keep=tuple(dict.fromkeys(keep)),
            fixed=tuple(fixed),
            exact=frozenset(exact),
            rules=tuple(dict.fromkeys((*self.rules, *base.rules))),
        )

    @property
    def digest(self) -> str:
        """A hash of the entries (not of the file's layout or comments)."""
        material: dict[str, object] = {
            "keep": sorted(self.keep),
            "fixed": sorted(sorted(e.items()) for e in self.fixed),
        }
        # Only when used, so a glossary without them hashes as it always has.
        if self.exact:
            material["exact"] = sorted(self.exact)
        if self.rules:
            material["rules"] = sorted(self.rules)
        canonical = json.dumps(material, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def size(self) -> int:
        return len(self.keep) + len(self.fixed) + len(self.rules)


# ----------------------------------------------------------------------------- school years
# "3.º de ESO", "1º Bachillerato", "2.º B": the Spanish way of naming a school year (and
# a class group in it), which Apertium reads as "3rd of THIS" and "2nd To". One rule per
# direction, as a pattern: a list of fixed terms could never name every year and group.

_STAGES: dict[str, dict[str, str]] = {
    # key: the stage as matched (lower case) -> its name in each language
    "eso": {"es": "ESO", "en": "ESO", "ca": "ESO"},
    "bachillerato": {"es": "Bachillerato", "en": "Bachillerato", "ca": "Batxillerat"},
    "primaria": {"es": "Primaria", "en": "Primary", "ca": "Primària"},
    "fp básica": {"es": "FP Básica", "en": "Basic FP", "ca": "FP Bàsica"},
    "fp": {"es": "FP", "en": "FP", "ca": "FP"},
}
_STAGE_BY_EN = {forms["en"].lower(): key for key, forms in _STAGES.items()}
_CATALAN_ORDINAL = {"1": "r", "2": "n", "3": "r", "4": "t", "5": "è", "6": "è"}
_ES_YEAR = r"(?P<year>[1-6])\s?\.?\s?[º°]"
_ES_STAGE = r"(?:\s+de)?\s+(?P<stage>ESO|Bachillerato|Primaria|FP\s+Básica|FP)"
_EN_YEAR = r"Year\s+(?P<year>[1-6])\s+of\s+(?P<stage>ESO|Bachillerato|Primary|Basic\s+FP|FP)"
# A class group is one capital letter ("2.º B"), never the preposition "a".
_GROUP = r"(?:\s+(?-i:(?P<group>[A-H])))"


def _year_in(lang: str, year: str, stage_key: str, group: str | None) -> str:
    stage = _STAGES[stage_key][lang]
    suffix = f" {group}" if group else ""
    if lang == "en":
        return f"Year {year} of {stage}{suffix}"
    if lang == "ca":
        of = "d'" if stage[0] in "AEIOUaeiou" else "de "
        return f"{year}{_CATALAN_ORDINAL[year]} {of}{stage}{suffix}"
    return f"{year}.º de {stage}{suffix}"


def _stage_key(matched: str, source: str) -> str:
    name = " ".join(matched.split()).lower()
    return _STAGE_BY_EN[name] if source == "en" else name


def _school_year_rules(source: str, target: str) -> tuple[TermPattern, ...]:
    def render(match: re.Match[str]) -> str:
        stage = _stage_key(match.group("stage"), source)
        return _year_in(target, match.group("year"), stage, match.group("group"))

    if source == "es":
        return (
            TermPattern("school-year", f"{_ES_YEAR}{_ES_STAGE}{_GROUP}?", render),
            # A group without its stage ("los de 3.º A") is a name: kept as written.
            TermPattern("school-group", f"{_ES_YEAR}{_GROUP}", lambda match: match.group()),
        )
    if source == "en":
        return (TermPattern("school-year", f"{_EN_YEAR}{_GROUP}?", render),)
    return ()


# Rule name -> the TermPatterns for each (source, target) pair, built once: the
# segmenter caches its expression per tuple of terms.
RULES: dict[str, dict[tuple[str, str], tuple[TermPattern, ...]]] = {
    "school-years": {
        (source, target): _school_year_rules(source, target)
        for source in known_languages()
        for target in known_languages()
        if source != target and _school_year_rules(source, target)
    }
}

# ----------------------------------------------------------------------------- defaults
# Spanish and European school life, for every site. A school's config/glossary.yml
# extends this list (an entry of its own with the same form replaces the built-in one);
# `defaults: false` in the file turns it off.

# Acronyms and place names that are also common words: matched only as written, so
# "ESO" is kept while "por eso" is still translated, and "Valencia" stays while
# "valencia" (valency) does not.
_EXACT_KEEP = (
    # school types, stages and bodies
    "ESO",
    "FP",
    "CEIP",
    "IES",
    "CRA",
    "CPI",
    "EOI",
    "AMPA",
    "AFA",
    "CFGM",
    "CFGS",
    "EBAU",
    "EvAU",
    "PAU",
    # places Apertium turns into words: Valency, Boroughs, Knickers, Round, Wave, Bull...
    "Valencia",
    "Burgos",
    "Braga",
    "Ronda",
    "Onda",
    "Toro",
    "Cabra",
    "Tarifa",
    "Rota",
    "León",
    "Granada",
    "Santiago",
    "Las Palmas",
    "La Coruña",
    "A Coruña",
)
_KEEP_ANY_CASE = ("Erasmus+", "eTwinning", "ErasmusDays", "Bachillerato")
_SCHOOL_FIXED: tuple[Mapping[str, str], ...] = (
    # Places whose name differs by language ("Oporto" is "Port wine" to Apertium).
    {"es": "Oporto", "en": "Porto", "ca": "Porto"},
    {"es": "Colonia", "en": "Cologne", "ca": "Colònia"},
    # School life
    {"es": "huerto escolar", "en": "school garden", "ca": "hort escolar"},
    {"es": "club de programación", "en": "coding club", "ca": "club de programació"},
    {"es": "jornada de puertas abiertas", "en": "open day", "ca": "jornada de portes obertes"},
    {"es": "videollamada", "en": "video call", "ca": "videotrucada"},
    {"es": "salón de actos", "en": "assembly hall", "ca": "sala d'actes"},
    {"es": "intercambio escolar", "en": "school exchange", "ca": "intercanvi escolar"},
    {"es": "familias de acogida", "en": "host families", "ca": "famílies d'acollida"},
    {"es": "familia de acogida", "en": "host family", "ca": "família d'acollida"},
    {"es": "centro socio", "en": "partner school", "ca": "centre soci"},
    {"es": "fiesta de fin de curso", "en": "end-of-year party", "ca": "festa de final de curs"},
    {"es": "Educación Primaria", "en": "Primary Education", "ca": "Educació Primària"},
    {"es": "Educación Infantil", "en": "Early Years Education", "ca": "Educació Infantil"},
    {"es": "jefatura de estudios", "en": "head of studies", "ca": "cap d'estudis"},
    {"es": "ciclo formativo", "en": "vocational course", "ca": "cicle formatiu"},
)
_EXACT_FIXED = frozenset({"Oporto", "Porto", "Colonia", "Cologne", "Colònia"})

DEFAULT_GLOSSARY = Glossary(
    keep=tuple(dict.fromkeys((*_KEEP_ANY_CASE, *_EXACT_KEEP))),
    fixed=_SCHOOL_FIXED,
    exact=frozenset(_EXACT_KEEP) | _EXACT_FIXED,
    rules=("school-years",),
)
NO_GLOSSARY = Glossary(keep=())


def parse_glossary(
    data: bytes,
    *,
    languages: Sequence[str] | None = None,
    defaults: Glossary = DEFAULT_GLOSSARY,
) -> Glossary:
    """Parse the glossary file on top of ``defaults``; raise a GlossaryError (a
    ContentError) if it is unusable.

    The file extends the built-in school glossary (DEFAULT_GLOSSARY): its entries come
    first, and a built-in entry sharing a form with one of them is dropped, so a school
    can give "FP" a translation of its own. ``defaults: false`` in the file uses the
    file alone. An empty file is the defaults. Forms may be given for every language
    Polyglot Press supports, site languages or not, so that adding a language to the
    site needs no glossary change.
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
        return defaults
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
        if name == _DEFAULTS:
            if _switch(value_node) is False:
                defaults = NO_GLOSSARY
        elif name == _KEEP:
            keep += _keep_terms(value_node)
        elif name == _FIXED:
            fixed += _fixed_entries(value_node, langs)
        else:
            raise GlossaryShapeError(
                f"The glossary has an unknown section '{name}' (line {_line(key_node)}). "
                f"Its sections are '{_KEEP}' and '{_FIXED}' (and '{_DEFAULTS}: false').",
                line=_line(key_node),
            )
    if len(keep) + len(fixed) > MAX_TERMS:
        raise GlossaryTooLargeError(
            f"The glossary has {len(keep) + len(fixed)} entries; the limit is {MAX_TERMS}."
        )
    keep = list(dict.fromkeys(keep))
    _check_unique(keep, fixed)
    return Glossary(keep=tuple(keep), fixed=tuple(fixed)).extending(defaults)


def _switch(node: yaml.Node) -> bool:
    value = node.value.lower() if isinstance(node, yaml.ScalarNode) else None
    if value in ("true", "yes", "on"):
        return True
    if value in ("false", "no", "off"):
        return False
    raise GlossaryShapeError(
        f"'{_DEFAULTS}' (line {_line(node)}) must be true or false: false uses only the "
        "terms in this file, without the built-in school glossary.",
        line=_line(node),
    )


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
