"""content/post_markdown.py: a machine translation written as Markdown reads back as its page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polypub.content.keys import classify_key
from polypub.content.markdown import render_body
from polypub.content.post import parse_post
from polypub.content.post_markdown import (
    DRAFTS_PREFIX,
    draft_key,
    is_draft_key,
    markdown_of,
    translation_file,
)
from polypub.content.segments import normalise, translated_tokens
from polypub.translate.engine import TranslatedPost, TranslationEngine
from polypub.translate.memory import DictMemory
from support.translators import FakeTranslator, upper

# The translator answers with every character Markdown gives a meaning to, so that the
# writer's escaping is what keeps them text. The source's markup comes from the shapes
# below only: CommonMark cannot write every token tree (emphasis nested in emphasis
# against a word, "*w*w**"), and the translate step writes no copy for those
# (test_steps_translate.py); this property is about the posts teachers write.
_CHARS = list("abcñáZ019 *_`#[]()!<>&|\\~-+.=:'\"{}")
words = st.text(st.sampled_from(list("abcñáZ019 .,:;!?'\"()")), min_size=1, max_size=10).filter(
    lambda w: any(ch.isalpha() for ch in w)
)
# What emphasis wraps in a post: words, not spaces or punctuation at its edges.
tight = words.map(lambda w: w.strip(" .,:;!?'\"()")).filter(bool)
inline = st.one_of(
    words,
    tight.map(lambda w: f"**{w}**"),
    tight.map(lambda w: f"*{w}*"),
    tight.map(lambda w: f"_{w}_"),
    tight.map(lambda w: f"**_{w}_**"),
    tight.map(lambda w: f"***{w}***"),
    tight.map(lambda w: f"~~{w}~~"),
    st.just("`code * x`"),
    words.map(lambda w: f"[{w}](https://example.org/a)"),
    # A '"' in the title would make it no link at all, but text with a bare URL, which
    # the noisy translator may glue words to ("whttps://..."): that segment is then
    # skipped by the aligner, rightly, since its URL no longer reads the same.
    words.filter(lambda w: '"' not in w).map(lambda w: f'[{w}](https://example.org/b "title {w}")'),
    words.map(lambda w: f"![alt {w}](/assets/images/a.png)"),
    st.just("<https://auto.example>"),
    st.just("Erasmus+"),
    st.just("$E = mc^2$"),  # TeX (content/markdown.py)
    st.just("line\\\nbreak"),
    st.just("soft\nwrap"),
    # Inline HTML that Markdown has no syntax for (content/rawhtml.py rebuilds it).
    tight.map(lambda w: f'<span class="x">{w}</span>'),
    tight.map(lambda w: f"<cite>{w}</cite>"),
)
paragraphs = st.lists(inline, min_size=1, max_size=5).map(" ".join)
# Inside an HTML block the copy holds HTML: an autolink there is an ordinary <a> whose
# text is words (same page, but the aligner skips that one segment, rightly).
html_paragraphs = st.lists(
    inline.filter(lambda s: not s.startswith("<https:")), min_size=1, max_size=5
).map(" ".join)
blocks = st.one_of(
    paragraphs,
    paragraphs.map(lambda p: "## " + p.replace("\n", " ")),
    st.lists(paragraphs, min_size=1, max_size=3).map(
        lambda items: "\n".join("- " + i.replace("\n", " ") for i in items)
    ),
    st.lists(paragraphs, min_size=1, max_size=3).map(
        lambda items: "\n".join(f"{n}. " + i.replace("\n", " ") for n, i in enumerate(items, 1))
    ),
    st.tuples(words, words).map(
        lambda c: f"| A | B |\n|:--|--:|\n| {c[0].replace('|', '')} | {c[1].replace('|', '')} |"
    ),
    paragraphs.map(lambda p: "> " + p.replace("\n", " ")),
    st.just("```python\nprint('*kept*')\n```"),
    st.just("$$\n\\frac{a}{b}\n$$"),
    # Block HTML from imported posts: written back as HTML, text and all.
    html_paragraphs.map(lambda p: f'<div class="nota">\n\n{p}\n\n</div>'),
    st.tuples(tight, tight).map(
        lambda c: f'<figure><img src="/a.png" alt="{c[0]}"><figcaption>{c[1]}</figcaption></figure>'
    ),
    st.tuples(tight, html_paragraphs).map(
        lambda c: f"<details><summary>{c[0]}</summary>\n\n{c[1]}\n\n</details>"
    ),
    # Footnotes (Hugo, Jekyll): the reference a placeholder, the note translated.
    st.tuples(tight, paragraphs).map(
        lambda c: f"{c[0]}[^n].\n\n[^n]: {c[1].replace(chr(10), ' ')}"
    ),
    st.tuples(tight, tight).map(
        lambda c: f"<table><tr><td>{c[0]}</td><td>{c[1]}</td></tr></table>"
    ),
)
bodies = st.lists(blocks, min_size=1, max_size=5).map("\n\n".join)
# What a translator may answer for a run of text: anything, Markdown syntax included.
answers = st.text(st.sampled_from([*_CHARS, "\n", " ", "\t", "é"]), max_size=12).map(
    lambda noise: "w" + noise
)
_TAGS = re.compile(r"(<[^>]*>)")


def _noisy(data: st.DataObject) -> Callable[[str, str], str]:
    """A translator: every text run replaced by what it "says", with the spaces around it
    (as translators keep them); placeholders kept."""

    def say(run: str) -> str:
        if run.startswith("<") or not run.strip():
            return run
        lead, trail = run[: len(run) - len(run.lstrip())], run[len(run.rstrip()) :]
        return lead + data.draw(answers) + trail

    return lambda text, _target: "".join(say(run) for run in _TAGS.split(text))


def _engine(answer: FakeTranslator) -> TranslationEngine:
    return TranslationEngine(answer, DictMemory())


def _draft_body(engine: TranslationEngine, post_body: str) -> tuple[str, TranslatedPost]:
    post = parse_post("posts/p.md", f"---\ntitle: Hola\n---\n{post_body}".encode())
    result = engine.translate_post(post, "es", "en")
    body = engine.segmented(post, "es", "en")
    return markdown_of(translated_tokens(body, result.body_translations)), result


@given(body=bodies, data=st.data())
def test_the_markdown_copy_parses_back_to_the_translated_page(
    body: str, data: st.DataObject
) -> None:
    markdown, result = _draft_body(_engine(FakeTranslator("fuzz", _noisy(data))), body)
    assert render_body(markdown) == result.body_html


@given(body=bodies, data=st.data())
def test_an_unedited_copy_uploaded_back_teaches_memory_nothing(
    body: str, data: st.DataObject
) -> None:
    # The writer and the aligner (translate/postedit.py) agree on every segment: none is
    # lost to the round trip (skipped) or mistaken for a correction.
    engine = _engine(FakeTranslator("fuzz", _noisy(data)))
    original = parse_post("posts/p.md", f"---\ntitle: Hola\n---\n{body}".encode())
    result = engine.translate_post(original, "es", "en")
    copy = markdown_of(
        translated_tokens(engine.segmented(original, "es", "en"), result.body_translations)
    )
    file = translation_file(
        original, lang="en", title=result.title, description=None, body=copy, upload_as="x"
    )
    learned = engine.learn(original, parse_post("posts/p.en.md", file), "es", "en")
    assert learned.corrections == []
    assert learned.skipped == 0


def test_tables_keep_their_alignment_and_lists_their_numbers() -> None:
    body = "| Día | Hora |\n|:---|---:|\n| lunes | 9 |\n\n1. uno\n2. dos\n"
    markdown, result = _draft_body(_engine(FakeTranslator("fake", lambda t, _: upper(t))), body)
    assert "| :--" in markdown
    assert "--: |" in markdown
    assert "1. UNO\n2. DOS" in markdown
    assert 'class="align-right"' in result.body_html
    assert render_body(markdown) == result.body_html


def test_the_file_is_a_translation_of_its_original_with_the_posts_fields() -> None:
    source = (
        b"---\ntitle: 'Visita: el museo'\ndescription: Una visita\ndate: 2024-05-22\n"
        b"author: Ana\nproject: proyecto-1\nimages:\n  - /assets/images/a.jpg\nlang: es\n---\n"
        b"Visitamos **el museo**.\n"
    )
    original = parse_post("posts/a/visita.md", source)
    engine = _engine(FakeTranslator("fake", lambda t, _: upper(t)))
    result = engine.translate_post(original, "es", "en")
    body = markdown_of(
        translated_tokens(engine.segmented(original, "es", "en"), result.body_translations)
    )
    upload_as = "posts/a/visita.en.md"
    data = translation_file(
        original,
        lang="en",
        title=result.title,
        description=result.description,
        body=body,
        upload_as=upload_as,
    )
    text = data.decode()
    assert "translation_of: posts/a/visita.md" in text
    assert upload_as in text  # the note says where to upload it
    # Uploaded where the note says, it is the person's translation of the original.
    assert classify_key(upload_as).kind == "translation"
    person = parse_post(upload_as, data)
    assert (person.title, person.description) == ("VISITA: EL MUSEO", "UNA VISITA")
    assert person.translation_lang == "en"
    assert person.slug == original.slug
    assert (person.date, person.author, person.project, person.images) == (
        original.date,
        original.author,
        original.project,
        original.images,
    )
    assert render_body(person.body) == result.body_html


# Titles come from answers tidied like this (translate/answers.tidy_spaces).
@given(title=answers.map(normalise), description=answers.map(normalise))
def test_the_front_matter_reads_back_whatever_the_translator_wrote(
    title: str, description: str
) -> None:
    original = parse_post(
        "posts/p.md", b"---\ntitle: Hola\ndate: 2024-05-22T21:12:00Z\n---\nHola.\n"
    )
    data = translation_file(
        original,
        lang="en",
        title=title,
        description=description,
        body="Hi.\n",
        upload_as="posts/p.en.md",
    )
    person = parse_post("posts/p.en.md", data)
    assert (person.title, person.description, person.date) == (title, description, original.date)


@pytest.mark.parametrize(
    ("source_key", "expected"),
    [
        ("posts/visita.md", "machine-translations/visita.en.md"),
        ("posts/2024/mayo/visita.md", "machine-translations/2024/mayo/visita.en.md"),
    ],
)
def test_the_copy_lives_outside_posts_under_the_same_name(source_key: str, expected: str) -> None:
    key = draft_key(source_key, "en")
    assert key == expected
    assert is_draft_key(key)
    assert key.startswith(DRAFTS_PREFIX)
    # Never a post, a translation, an asset or config: nothing publishes from there.
    assert classify_key(key).kind == "other"


@pytest.mark.parametrize(
    "answer", ["w{:}", "Ver [caption] y {{ x }} \\[y", "[w [audio] x](https://e.org)", "1 [2]"]
)
def test_template_and_shortcode_lookalikes_a_translator_wrote_stay_text_in_the_copy(
    answer: str,
) -> None:
    # The copy is parsed again, template constructs first (content/dialects.py): what a
    # translator answered must not read as one there and be left out of the corrected page.
    engine = _engine(FakeTranslator("fixed", lambda _text, _target: answer))
    markdown, result = _draft_body(engine, "Hola.")
    assert render_body(markdown) == result.body_html
