"""Language detection: which of the site's languages a post is written in."""

from __future__ import annotations

import string
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from polypub.content import language
from polypub.content.language import (
    MAX_READ_CHARS,
    LanguageGuess,
    _profiles,
    _word_grams,
    detect_language,
    foreign_share,
    identify_language,
    language_name,
    visible_text,
)
from polypub.content.post import parse_post

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


# --- what readers read (issue 13, item 5) ----------------------------------------------

# A Catalan post as a WordPress export leaves it (written for this test): the picture's
# attributes, the link's address and the classes are English words no reader sees.
CATALAN_FROM_WORDPRESS = """\
<img class="size-medium wp-image-2301 aligncenter" src="https://example.org/wp-content/\
uploads/2019/10/students-working-together-in-the-new-classroom.jpg" \
alt="students working together in the new classroom with their teacher" width="600" />

Avui hem començat el projecte de ràdio amb els alumnes de quart.

<!--more-->

<a href="https://example.org/category/news/school-radio-project-first-week/" \
title="read the whole story about the school radio project">Més fotos</a>
{{ site.baseurl }}/assets/images/the-students-and-the-teachers-of-the-radio.jpg
{% include youtube.html id="the-first-radio-programme-recorded-by-the-students" %}
"""

JAPANESE_WITH_MARKUP = """\
今日は学校でプログラミングの授業がありました。生徒たちはとても楽しそうでした。
先生は新しいロボットを見せてくれました。来週はみんなでゲームを作ります。

<img src="https://example.com/images/students-learning-programming-together.png" \
alt="students learning programming together in the classroom">

```python
for student in students:
    print("hello world from the programming class", student)
```
"""


def html_markdown() -> MarkdownIt:
    """The configured parser once raw HTML is on: tags come as html_inline/html_block."""
    return MarkdownIt("commonmark", {"html": True})


@pytest.mark.parametrize("raw_html", [False, True], ids=["site-parser", "html-tokens"])
def test_markup_templates_and_urls_are_not_read(
    raw_html: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if raw_html:
        monkeypatch.setattr(language, "markdown", html_markdown)
    plain = visible_text(CATALAN_FROM_WORDPRESS)
    for hidden in ("students", "wp-image", "href", "more", "site", "baseurl", "youtube", "https"):
        assert hidden not in plain
    assert "Avui hem començat el projecte de ràdio" in plain
    assert "Més fotos" in plain
    guess = identify_language(CATALAN_FROM_WORDPRESS, ["es", "en"])
    assert guess == LanguageGuess(None, "other-language", "ca")
    assert identify_language(CATALAN_FROM_WORDPRESS, ["es", "en", "ca"]).lang == "ca"


def test_an_html_block_is_read_for_its_text_not_its_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "markdown", html_markdown)
    block = (
        '<div class="wp-block-group"><p>Hoy plantamos tomates<br>en el huerto.</p>'
        "<script>document.write('the script text is not read')</script>"
        "<code>print('nor is code')</code></div>\n"
    )
    assert visible_text(block).split() == ["Hoy", "plantamos", "tomates", "en", "el", "huerto."]


def test_jekyll_highlight_blocks_are_code() -> None:
    text = (
        SPANISH
        + "\n{% highlight python %}\nfor student in students:\n    print(student)\n"
        + "{% endhighlight %}\n"
    )
    assert "student" not in visible_text(text)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (JAPANESE_WITH_MARKUP, "ja"),
        ("Сегодня мы посадили деревья в школьном саду вместе с учениками. " * 2, "ru"),  # noqa: RUF001
        ("Σήμερα φυτέψαμε δέντρα στον κήπο του σχολείου μαζί με τους μαθητές. " * 2, "el"),
        ("اليوم زرعنا الأشجار في حديقة المدرسة مع الطلاب والمعلمين. " * 2, "ar"),
    ],
    ids=["japanese", "russian", "greek", "arabic"],
)
def test_a_script_no_site_language_uses_is_language_unknown(text: str, lang: str) -> None:
    # English words (code, names, the Latin letters of a brand) do not make it English.
    text += "\n\nErasmus+ eTwinning Scratch Arduino micro:bit Google Classroom\n"
    assert identify_language(text, ["es", "en"]) == LanguageGuess(None, "other-script", lang)
    assert detect_language(text, ["es", "en", lang]) == lang  # on a site that has it


def test_a_word_in_another_script_does_not_change_the_language() -> None:
    text = SPANISH + "\nAprendimos a decir «gracias» en japonés: ありがとう (arigatō).\n"
    assert detect_language(text, ["es", "en"]) == "es"


def test_scripts_are_told_by_share_of_letters() -> None:
    assert foreign_share("Hola món", ["es", "en"]) == 0.0
    assert foreign_share("Привет мир", ["es", "en"]) == 1.0
    assert foreign_share("Привет мир", ["es", "ru"]) == 0.0
    assert foreign_share("abc日本", ["es"]) == pytest.approx(0.4)
    assert language_name("ca") == "Catalan (ca)"
    assert language_name("xx") == "xx"


@pytest.mark.parametrize(
    "hostile",
    [
        "a@" * 8000,
        "{{" * 8000,
        "{% " * 5000,
        "{{< " * 4000,
        "{% highlight x %}" * 1000,
        "a/" * 8000,
    ],
    ids=["at-signs", "braces", "tags", "shortcodes", "unended-blocks", "slashes"],
)
def test_long_runs_of_markup_cost_linear_time(hostile: str) -> None:
    # Each of these took 1.5 to 8 s when URLs and templates were found by regexes that
    # rescan a run without spaces from every start; reading the text costs ~0.1 s.
    start = time.perf_counter()
    identify_language(hostile, ["es", "en"])
    assert time.perf_counter() - start < 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=string.ascii_letters + " -_", min_size=1), min_size=1, max_size=4))
def test_words_in_attributes_never_decide_the_language(words: list[str]) -> None:
    attributes = " ".join(f'{name}="{value}"' for name, value in zip("abcd", words, strict=False))
    markup = f"<img {attributes} src='https://example.com/{words[0]}.png'>"
    text = SPANISH.replace("experiencia", f"{markup} experiencia")
    assert "experiencia" in visible_text(text)
    assert identify_language(text, ["es", "en"]) == identify_language(SPANISH, ["es", "en"])


# Real posts of a Spanish/Catalan Hugo blog (tests/corpus/fisiquimicamente/SOURCE.md
# gives their source and licence): the Catalan ones have Hugo shortcodes and HTML.
FISIQUIMICAMENTE = Path(__file__).resolve().parents[1] / "corpus" / "fisiquimicamente" / "content"


@pytest.mark.parametrize(
    "path",
    sorted(FISIQUIMICAMENTE.glob("*/post/*/index.md")),
    ids=lambda path: f"{path.parts[-4]}-{path.parent.name}",
)
def test_the_corpus_catalan_posts_are_no_site_language_and_the_spanish_ones_are_spanish(
    path: Path,
) -> None:
    post = parse_post(f"posts/{path.parent.name}/index.md", path.read_bytes())
    guess = identify_language(f"{post.title}\n\n{post.body}", ["es", "en"])
    written_in = path.parts[-4]  # content/<lang>/post/<name>/index.md
    # "Contrast de color" was read as English from its {{% callout soon %}} shortcode.
    assert guess.lang == (None if written_in == "ca" else "es")


def test_an_unclosed_construct_does_not_keep_the_others() -> None:
    text = SPANISH + "\nUn {{ sin cerrar y {% include the-english-words.html %} aquí.\n"
    assert "include" not in visible_text(text)
    assert "sin cerrar" in visible_text(text)
