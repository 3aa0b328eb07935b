"""Language detection: which of the site's languages a post is written in."""

from __future__ import annotations

from pathlib import Path

import pytest

from polypub.content.language import (
    MAX_READ_CHARS,
    LanguageGuess,
    _profiles,
    _word_grams,
    detect_language,
    identify_language,
    visible_text,
)

EXAMPLE = Path("/work/shared/examples/erasmus-etwinning-experience.md")

SPANISH = """\
# Nuestra semana en Roma

Hoy quiero compartir con vosotros la experiencia de nuestro alumnado en un
proyecto europeo. Trabajamos juntos con colegas de otros países.
"""

ENGLISH = """\
# Our week in Rome

Today I want to share with you the experience of our students in a European
project. We worked together with colleagues from other countries.
"""


def test_detects_spanish_and_english() -> None:
    assert detect_language(SPANISH, ["es", "en"]) == "es"
    assert detect_language(ENGLISH, ["es", "en"]) == "en"


@pytest.mark.skipif(not EXAMPLE.exists(), reason="shared example post not present")
def test_detects_the_example_post_as_english() -> None:
    assert detect_language(EXAMPLE.read_text(encoding="utf-8"), ["es", "en"]) == "en"


def test_code_and_urls_do_not_outvote_the_prose() -> None:
    spanish_with_english_code = (
        SPANISH
        + "\n```python\nfor student in students:\n    print(student.name, 'is here today')\n```\n"
        + "\nMirad `git clone https://github.com/school/the-great-english-project` y "
        + "<https://www.example.com/the/english/words/in/this/url> o "
        + "[el enlace](https://example.org/with/many/english/words/here).\n"
    )
    plain = visible_text(spanish_with_english_code)
    assert "print" not in plain
    assert "github" not in plain
    assert "english" not in plain
    assert "el enlace" in plain
    assert detect_language(spanish_with_english_code, ["es", "en"]) == "es"


def test_only_the_candidates_are_chosen() -> None:
    catalan = "Avui vull compartir amb vosaltres la meva experiència en un projecte europeu."
    assert detect_language(catalan, ["es", "en", "ca"]) == "ca"
    # Not one of the site's languages: no answer rather than a wrong one.
    assert detect_language(catalan, ["es", "en"]) is None
    french = "Aujourd'hui je veux partager avec vous mon expérience dans un projet européen."
    assert detect_language(french, ["es", "en"]) is None


@pytest.mark.parametrize("text", ["", "Hola", "OK!", "**¡Hola!**", "```\nlong code block\n```"])
def test_too_short_or_wordless_text_is_not_guessed(text: str) -> None:
    assert detect_language(text, ["es", "en"]) is None


def test_unknown_candidates_give_no_answer() -> None:
    assert detect_language(SPANISH, ["xx"]) is None
    assert detect_language(SPANISH, []) is None


def test_detection_is_deterministic() -> None:
    # A short, mixed text is where an unseeded langdetect flips between runs.
    mixed = "Erasmus+ project: la experiencia con students and profesores"
    answers = {detect_language(mixed, ["es", "en"]) for _ in range(10)}
    assert len(answers) == 1


def test_french_and_german_posts_are_named_as_other_languages() -> None:
    french = "Demain nous célébrons la semaine de la science avec des ateliers pour les familles."
    german = "Heute möchte ich mit euch die Erfahrungen unserer Schüler in einem Projekt teilen."
    assert identify_language(french, ["es", "en", "ca"]) == LanguageGuess(
        None, "other-language", "fr"
    )
    assert identify_language(german, ["es", "en", "ca"]) == LanguageGuess(
        None, "other-language", "de"
    )


def test_paragraphs_in_two_site_languages_are_mixed() -> None:
    spanish = "\n\n".join([SPANISH] * 3)
    english = "\n\n".join([ENGLISH] * 3)
    assert identify_language(f"{spanish}\n\n{english}", ["es", "en"]).unsure == "mixed"
    # An English quote in a Spanish post (under a fifth of it) does not make it mixed.
    longer = "\n\n".join([SPANISH] * 6)
    assert identify_language(f"{longer}\n\n{ENGLISH}", ["es", "en"]).lang == "es"


def test_the_profiles_know_the_site_languages() -> None:
    languages, _ = _profiles()
    assert {"es", "en", "ca", "fr", "de"} <= set(languages)


def test_n_grams_are_langdetects() -> None:
    # A word's 1- to 3-grams with a space before it and, unless the text ends there,
    # after it; inside a word in capitals (an acronym) only its first letter counts.
    hola = {"H", " H", "o", "Ho", " Ho", "l", "ol", "Hol", "a", "la", "ola"}  # no "a ", "la "
    assert set(_word_grams(" Hola")) - {" "} == hola
    assert set(_word_grams(" NASA ")) - {" "} == {"N", " N", "A ", "SA "}


def test_a_long_post_is_judged_by_its_start() -> None:
    # Only the start is read, so a long post costs no more than a short one ...
    long_spanish = "\n\n".join([SPANISH] * 1000)
    assert identify_language(long_spanish, ["es", "en"]) == LanguageGuess("es", None, "es")
    # ... but a start of code does not hide the prose after it (within MAX_READ_CHARS).
    code = "```python\n" + "print('hello world')\n" * (MAX_READ_CHARS // 40) + "```\n\n"
    assert detect_language(code + ENGLISH, ["es", "en"]) == "en"
