"""The site glossary: parsing config/glossary.yml into terms, and its named errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from polypub.content.errors import ContentError
from polypub.content.segments import Term, segment_body, segment_text
from polypub.translate.glossary import (
    DEFAULT_GLOSSARY,
    MAX_GLOSSARY_BYTES,
    NO_GLOSSARY,
    Glossary,
    GlossaryShapeError,
    GlossarySyntaxError,
    GlossaryTermError,
    GlossaryTooLargeError,
    _check_unique,
    parse_glossary,
)

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = b"""\
do_not_translate:
  - Erasmus+
  - eTwinning
  - IES Abastos
translations:
  - es: huerto escolar
    en: school garden
    ca: hort escolar
  - es: claustro
    en: staff meeting
"""


def own(data: bytes) -> Glossary:
    """The file alone, without the built-in school glossary it normally extends."""
    return parse_glossary(data, defaults=NO_GLOSSARY)


def test_the_default_glossary_protects_erasmus_and_etwinning() -> None:
    assert DEFAULT_GLOSSARY.keep[:2] == ("Erasmus+", "eTwinning")
    terms = DEFAULT_GLOSSARY.terms("en", "es")
    assert Term("Erasmus+") in terms
    assert Term("eTwinning") in terms


def test_the_default_glossary_is_consistent() -> None:
    # Each form means one thing, as the parser demands of a school's file.
    _check_unique(list(DEFAULT_GLOSSARY.keep), [dict(e) for e in DEFAULT_GLOSSARY.fixed])
    assert DEFAULT_GLOSSARY.exact <= set(DEFAULT_GLOSSARY.keep) | {
        form for entry in DEFAULT_GLOSSARY.fixed for form in entry.values()
    }


def test_the_shipped_content_glossary_is_valid_and_keeps_the_defaults() -> None:
    glossary = parse_glossary((ROOT / "content" / "config" / "glossary.yml").read_bytes())
    assert {"Erasmus+", "eTwinning"} <= set(glossary.keep)
    assert any(entry.get("en") == "school garden" for entry in glossary.fixed)


def test_parses_do_not_translate_terms_and_fixed_translations() -> None:
    glossary = own(EXAMPLE)
    assert glossary.keep == ("Erasmus+", "eTwinning", "IES Abastos")
    assert glossary.fixed == (
        {"es": "huerto escolar", "en": "school garden", "ca": "hort escolar"},
        {"es": "claustro", "en": "staff meeting"},
    )


def test_terms_for_a_pair_include_fixed_translations_in_that_direction_only() -> None:
    glossary = own(EXAMPLE)
    es_en = {t.text: t.replacement for t in glossary.terms("es", "en")}
    assert es_en == {
        "Erasmus+": None,
        "eTwinning": None,
        "IES Abastos": None,
        "huerto escolar": "school garden",
        "claustro": "staff meeting",
    }
    en_ca = {t.text: t.replacement for t in glossary.terms("en", "ca")}
    # "claustro" has no Catalan form: it is not a fixed translation into Catalan.
    assert en_ca == {
        "Erasmus+": None,
        "eTwinning": None,
        "IES Abastos": None,
        "school garden": "hort escolar",
    }


def test_an_entrys_identity_names_only_the_two_forms_a_pair_uses() -> None:
    before = parse_glossary(EXAMPLE)
    edited = parse_glossary(EXAMPLE.replace(b"ca: hort escolar", b"ca: l'hort de l'escola"))
    assert before.terms("es", "en") == edited.terms("es", "en")
    assert before.terms("es", "ca") != edited.terms("es", "ca")


def test_digest_ignores_comments_layout_and_order() -> None:
    reordered = b"""\
# Our school's glossary
translations:
  - {en: staff meeting, es: claustro}
  - es: huerto escolar
    ca: hort escolar
    en: school garden
do_not_translate: [IES Abastos, eTwinning, Erasmus+]
"""
    assert parse_glossary(reordered).digest == parse_glossary(EXAMPLE).digest
    assert parse_glossary(EXAMPLE).digest != DEFAULT_GLOSSARY.digest


def test_values_are_taken_as_typed_not_as_yaml_types() -> None:
    glossary = own(b"do_not_translate:\n  - no\n  - 1.10\n  - ON\n")
    assert glossary.keep == ("no", "1.10", "ON")


def test_an_empty_file_is_the_default_glossary_and_a_bom_is_accepted() -> None:
    assert parse_glossary(b"") == DEFAULT_GLOSSARY
    assert parse_glossary(b"# nothing yet\n") == DEFAULT_GLOSSARY
    assert own(b"") == Glossary(keep=(), fixed=())
    assert own(b"\xef\xbb\xbfdo_not_translate: [eTwinning]\n").keep == ("eTwinning",)


@pytest.mark.parametrize(
    ("data", "error", "code", "fragment"),
    [
        (b"do_not_translate: [unclosed\n", GlossarySyntaxError, "glossary-invalid-yaml", "line"),
        (b"- Erasmus+\n", GlossaryShapeError, "glossary-shape", "sections"),
        (b"dont_translate: [x]\n", GlossaryShapeError, "glossary-shape", "unknown section"),
        (b"do_not_translate: eTwinning\n", GlossaryShapeError, "glossary-shape", "must be a list"),
        (
            b"do_not_translate:\n  - [a, b]\n",
            GlossaryShapeError,
            "glossary-shape",
            "single word or phrase",
        ),
        (b"translations:\n  - huerto\n", GlossaryShapeError, "glossary-shape", "in each language"),
        (
            b"translations:\n  - es: huerto\n    fr: potager\n",
            GlossaryTermError,
            "glossary-term",
            "'fr'",
        ),
        (b"translations:\n  - es: huerto\n", GlossaryTermError, "glossary-term", "two languages"),
        (b"do_not_translate:\n  - '---'\n", GlossaryTermError, "glossary-term", "no letters"),
        (
            b"do_not_translate: [eTwinning, ETWINNING]\n",
            GlossaryTermError,
            "glossary-term",
            "appears twice",
        ),
        (
            b"do_not_translate: [claustro]\ntranslations:\n  - {es: claustro, en: staff meeting}\n",
            GlossaryTermError,
            "glossary-term",
            "appears twice",
        ),
        (
            b"do_not_translate: ['" + b"x" * 101 + b"']\n",
            GlossaryTermError,
            "glossary-term",
            "the limit is 100",
        ),
    ],
)
def test_unusable_glossaries_raise_named_errors_for_the_teacher(
    data: bytes, error: type[ContentError], code: str, fragment: str
) -> None:
    with pytest.raises(error) as caught:
        parse_glossary(data)
    assert caught.value.code == code
    assert isinstance(caught.value, ContentError)  # so the pipeline reports it like a post
    assert fragment in str(caught.value)


def test_errors_name_the_line() -> None:
    with pytest.raises(GlossaryTermError) as caught:
        parse_glossary(
            b"translations:\n  - es: huerto\n    en: garden\n  - es: patio\n    de: Hof\n"
        )
    assert caught.value.line == 5
    assert "line 5" in str(caught.value)


def test_too_large_and_alias_bombs_are_refused() -> None:
    with pytest.raises(GlossaryTooLargeError):
        parse_glossary(b"#" * (MAX_GLOSSARY_BYTES + 1))
    many = b"do_not_translate:\n" + b"".join(b"  - term%d\n" % i for i in range(1001))
    with pytest.raises(GlossaryTooLargeError, match="1001 entries"):
        parse_glossary(many)
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        b"%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n"
        % ((ord("b") + i,) * 2 + (ord("a") + i,) * 10)
        for i in range(6)
    )
    with pytest.raises(GlossaryShapeError, match="glossary"):
        parse_glossary(bomb)


def test_not_utf8_is_the_named_encoding_error() -> None:
    with pytest.raises(ContentError) as caught:
        parse_glossary("do_not_translate: [Año]\n".encode("cp1252"))
    assert caught.value.code == "not-utf8"


# ------------------------------------------------------------------- applied by the segmenter


def test_fixed_translations_become_placeholders_showing_the_target_form() -> None:
    terms = parse_glossary(EXAMPLE).terms("es", "en")
    body = segment_body("Regamos el huerto escolar. Huerto escolar del IES Abastos.\n", terms)
    (segment,) = body.segments
    assert segment.text == "Regamos el <x1/>. <x2/> del <x3/>."
    html = body.render(["We water the <x1/>. <x2/> of <x3/>."])
    # The source's capital is kept on the fixed translation; names stay as written.
    assert html == "<p>We water the school garden. School garden of IES Abastos.</p>\n"
    assert segment_text("Nuestro huerto escolar", terms).to_plain("Our <x1/>") == (
        "Our school garden"
    )


def test_segments_record_which_glossary_entries_they_use() -> None:
    terms = parse_glossary(EXAMPLE).terms("es", "en")
    plain, garden, name = segment_body(
        "Sin términos.\n\nEl huerto escolar.\n\nEl IES Abastos.\n", terms
    ).segments
    assert plain.glossary == ""
    assert garden.glossary
    assert name.glossary
    assert garden.glossary != name.glossary
    edited = parse_glossary(EXAMPLE.replace(b"en: school garden", b"en: school vegetable garden"))
    _, garden2, name2 = segment_body(
        "Sin términos.\n\nEl huerto escolar.\n\nEl IES Abastos.\n", edited.terms("es", "en")
    ).segments
    assert garden2.text == garden.text
    assert garden2.glossary != garden.glossary
    assert name2.glossary == name.glossary


# ------------------------------------------------------------------- the built-in school glossary


def atoms(text: str, source: str, target: str, glossary: Glossary = DEFAULT_GLOSSARY) -> list[str]:
    segment = segment_text(text, glossary.terms(source, target))
    return [tokens[0].content for tokens in segment.atoms.values()]


@pytest.mark.parametrize(
    ("source", "target", "text", "shown"),
    [
        ("es", "en", "El alumnado de 3.º de ESO", ["Year 3 of ESO"]),
        ("es", "en", "En 1º Bachillerato B", ["Year 1 of Bachillerato B"]),
        (
            "es",
            "en",
            "Con 4.º de Primaria y 2.° FP Básica",
            ["Year 4 of Primary", "Year 2 of Basic FP"],
        ),
        (
            "es",
            "ca",
            "El alumnado de 3.º de ESO y 1.º de Bachillerato",
            ["3r d'ESO", "1r de Batxillerat"],
        ),
        ("en", "es", "Year 3 of ESO and Year 2 of Primary C", ["3.º de ESO", "2.º de Primaria C"]),
        # A class group without its stage is a name: kept as written.
        ("es", "en", "Los alumnos de 3.º A y 2.º B", ["3.º A", "2.º B"]),
    ],
)
def test_school_years_are_one_term_each_in_the_target_languages_form(
    source: str, target: str, text: str, shown: list[str]
) -> None:
    assert atoms(text, source, target) == shown


def test_a_lower_case_a_after_a_year_is_the_preposition_not_a_group() -> None:
    segment = segment_text("Los de 3.º a las diez", DEFAULT_GLOSSARY.terms("es", "en"))
    assert segment.text == "Los de 3.º a las diez"


def test_acronyms_and_place_names_match_only_as_written() -> None:
    terms = DEFAULT_GLOSSARY.terms("es", "en")
    # "eso" (that) and "toro" (bull) are words to translate; "ESO" and "Toro" are not.
    assert segment_text("Por eso vimos un toro en Toro y en la ESO.", terms).text == (
        "Por eso vimos un toro en <x1/> y en la <x2/>."
    )
    assert atoms("Viajamos a Valencia, Oporto y Colonia.", "es", "en") == [
        "Valencia",
        "Porto",
        "Cologne",
    ]
    assert atoms("We met in Porto.", "en", "es") == ["Oporto"]
    # Names that are ordinary words in lower case stay words.
    assert atoms("una colonia de hormigas en valencia", "es", "en") == []


def test_all_years_share_one_memory_identity_and_differ_from_none() -> None:
    terms = DEFAULT_GLOSSARY.terms("es", "en")
    third = segment_text("Los alumnos de 3.º de ESO cantan.", terms)
    fourth = segment_text("Los alumnos de 4.º de ESO cantan.", terms)
    plain = segment_text("Los alumnos cantan.", terms)
    # The translator sees the same text; the page shows each year's own form.
    assert third.text == fourth.text
    assert third.glossary == fourth.glossary != plain.glossary == ""
    assert third.to_plain("The students of <x1/> sing.") == "The students of Year 3 of ESO sing."
    assert fourth.to_plain("The students of <x1/> sing.") == "The students of Year 4 of ESO sing."


def test_a_schools_file_extends_the_defaults_and_can_redefine_or_drop_them() -> None:
    school = parse_glossary(EXAMPLE)
    assert {"IES Abastos", "ESO", "Valencia", "Erasmus+"} <= set(school.keep)
    assert {"es": "claustro", "en": "staff meeting"} in school.fixed
    assert school.rules == ("school-years",)
    assert school.digest != DEFAULT_GLOSSARY.digest
    # The school's entry wins over the built-in one that shares a form.
    redefined = parse_glossary(b"translations:\n  - es: FP\n    en: vocational training\n")
    assert "FP" not in redefined.keep
    assert atoms("Los alumnos de FP.", "es", "en", redefined) == ["Vocational training"]
    # A built-in acronym listed again in the file is still matched only as written.
    copied = parse_glossary(b"do_not_translate: [ESO]\n")
    assert atoms("Por eso, la ESO.", "es", "en", copied) == ["ESO"]
    keep_porto = parse_glossary(b"do_not_translate: [Oporto]\n")
    assert atoms("Viajamos a Oporto.", "es", "en", keep_porto) == ["Oporto"]
    # "defaults: false": the file alone.
    alone = parse_glossary(b"defaults: false\ndo_not_translate: [eTwinning]\n")
    assert alone == Glossary(keep=("eTwinning",), fixed=())
    with pytest.raises(GlossaryShapeError, match="true or false"):
        parse_glossary(b"defaults: maybe\n")


def test_the_built_in_entries_keep_their_identity_when_a_file_extends_them() -> None:
    # Memory keys hash the entries a segment uses: uploading a glossary that does not
    # touch a built-in term must not retranslate the sentences that use it.
    text = "Viajamos a Valencia con el club de programación."
    before = segment_text(text, DEFAULT_GLOSSARY.terms("es", "en"))
    after = segment_text(text, parse_glossary(EXAMPLE).terms("es", "en"))
    assert before.text == after.text
    assert before.glossary == after.glossary
