"""Segments: what a translator sees of a post, and how translations are put back."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from polypub.content.markdown import render_body
from polypub.content.segments import (
    DEFAULT_PROTECTED_TERMS,
    PlaceholderMismatch,
    Tag,
    normalise,
    parse_tagged,
    segment_body,
    segment_text,
)

BODY = """\
# Our *eTwinning* trip

We visited **Rome** with the [Erasmus+ programme](https://erasmus-plus.ec.europa.eu/ "EU")
and wrote `print("hola")` every day. See <https://www.etwinning.net>.

![Students in the Colosseum](/assets/images/uploads/rome.jpg)

- First item with _emphasis_
- Second item ~~gone~~

| Day | Place |
|-----|-------|
| Monday | The `forum` |

> A quote from a teacher.

```python
print("never translated")
```

    indented code is code too
"""


class _Structure(HTMLParser):
    """Tags and attributes in order, without the text between them (alt is text too)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str, tuple[tuple[str, str | None], ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = tuple((k, v) for k, v in attrs if k != "alt")
        self.events.append(("start", tag, kept))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag, ()))


def structure(html: str) -> list[tuple[str, str, tuple[tuple[str, str | None], ...]]]:
    parser = _Structure()
    parser.feed(html)
    return parser.events


def upper_outside_tags(text: str) -> str:
    """A stand-in translation: upper-case the words, keep placeholders and entities."""
    return "".join(
        part if part.startswith(("<", "&")) else part.upper()
        for part in re.split(r"(<[^>]*>|&\w+;)", text)
    )


def texts_of(body: str) -> list[str]:
    return [s.text for s in segment_body(body).segments]


def test_segments_are_the_block_contents_alt_texts_and_link_titles_in_document_order() -> None:
    assert texts_of(BODY) == [
        "Our <g1><x1/></g1> trip",
        "We visited <g1>Rome</g1> with the <g2><x1/> programme</g2> and wrote <x2/> every day. "
        "See <x3/>.",
        "EU",  # the link's title, after the paragraph that holds the link
        "Students in the Colosseum",
        "First item with <g1>emphasis</g1>",
        "Second item <g1>gone</g1>",
        "Day",
        "Place",
        "Monday",
        "The <x1/>",
        "A quote from a teacher.",
    ]


def test_code_urls_paths_and_raw_html_never_reach_the_translator() -> None:
    sent = " ".join(texts_of(BODY))
    for secret in (
        "print",
        "never translated",
        "indented code",
        "https://",
        "etwinning.net",
        "rome.jpg",
        "/assets/",
        "forum",
    ):
        assert secret not in sent


def test_identity_translation_renders_the_same_html_as_render_body() -> None:
    body = segment_body(BODY)
    assert body.render([None] * len(body.segments)) == render_body(BODY)
    identity = body.render([s.text for s in body.segments])
    # Only the soft break after the link's title became a space.
    assert identity == render_body(BODY.replace('"EU")\nand', '"EU") and'))


def test_soft_breaks_are_sent_as_spaces_so_wrapped_sentences_stay_whole() -> None:
    body = segment_body("A sentence wrapped\nover two lines.\n")
    assert [s.text for s in body.segments] == ["A sentence wrapped over two lines."]
    assert body.render(["Una frase partida en dos líneas."]) == (
        "<p>Una frase partida en dos líneas.</p>\n"
    )


def test_translated_text_lands_in_text_tokens_and_the_structure_is_unchanged() -> None:
    body = segment_body(BODY)
    translated = body.render([upper_outside_tags(s.text) for s in body.segments])
    assert structure(translated) == structure(render_body(BODY))
    assert "WE VISITED <strong>ROME</strong> WITH THE" in translated
    assert '<img src="/assets/images/uploads/rome.jpg" alt="STUDENTS IN THE COLOSSEUM" />' in (
        translated
    )
    assert "<code>print(&quot;hola&quot;)</code>" in translated
    assert "<code>forum</code>" in translated
    assert "print(&quot;never translated&quot;)" in translated


def test_link_urls_come_from_the_source_whatever_the_translator_writes() -> None:
    body = segment_body("Read [the guide](https://example.org/guide) now.\n")
    (segment,) = body.segments
    assert segment.text == "Read <g1>the guide</g1> now."
    html = body.render(["Lee <g1>la guía</g1> ahora (https://evil.example)."])
    assert html == (
        '<p>Lee <a href="https://example.org/guide">la guía</a> ahora (https://evil.example).</p>\n'
    )
    # A placeholder with attributes is not one of ours: the translation does not fit.
    with pytest.raises(PlaceholderMismatch):
        segment.check('Lee <g1 href="https://evil.example">la guía</g1> ahora.')


def test_machine_output_is_text_so_markup_in_it_is_escaped() -> None:
    body = segment_body("Hello **world**.\n")
    html = body.render(['<script>alert(1)</script> <g1>mundo</g1> <b onclick="x">.'])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b onclick=&quot;x&quot;&gt;" in html
    assert "<strong>mundo</strong>" in html


def test_an_authors_html_element_is_a_placeholder_pair_and_comes_back_as_written() -> None:
    body = segment_body('Use <b>bold</b> & <a href="/x" onclick="y">more</a>.\n')
    (segment,) = body.segments
    assert segment.text == "Use <g1>bold</g1> &amp; <g2>more</g2>."
    html = body.render(["Usa <g2>más</g2> y <g1>negrita</g1>."])
    # <b> is Markdown's strong, written as Markdown writes it (content/rawhtml.py).
    assert html == '<p>Usa <a href="/x">más</a> y <strong>negrita</strong>.</p>\n'


def test_a_literal_placeholder_in_a_post_is_text_not_a_placeholder() -> None:
    (segment,) = segment_body("Type &lt;g1&gt; to start.\n").segments
    assert segment.text == "Type &lt;g1&gt; to start."
    assert not any(isinstance(p, Tag) for p in parse_tagged(segment.text))


def test_protected_terms_are_standalone_placeholders_restored_with_source_spelling() -> None:
    (segment,) = segment_body(
        "An ETWINNING project, part of Erasmus+, not eTwinningers.\n"
    ).segments
    assert segment.text == "An <x1/> project, part of <x2/>, not eTwinningers."
    html = segment_body("An ETWINNING project, part of Erasmus+.\n").render(
        ["Un proyecto <x1/>, parte de <x2/>."]
    )
    assert html == "<p>Un proyecto ETWINNING, parte de Erasmus+.</p>\n"


def test_protected_terms_are_a_parameter_ready_for_a_glossary() -> None:
    assert DEFAULT_PROTECTED_TERMS == ("Erasmus+", "eTwinning")
    terms = ("IES Abastos", "IES")
    (segment,) = segment_body("The IES Abastos and the IES.\n", protected_terms=terms).segments
    # The longer term wins where both match.
    assert segment.text == "The <x1/> and the <x2/>."
    (plain,) = segment_body("The eTwinning way.\n", protected_terms=()).segments
    assert plain.text == "The eTwinning way."


def test_image_alt_is_its_own_segment_even_when_its_paragraph_has_no_words() -> None:
    body = segment_body("![A photo of eTwinning day](/img/day.png)\n")
    assert [s.text for s in body.segments] == ["A photo of <x1/> day"]
    assert body.render(["Una foto del día <x1/>"]) == (
        '<p><img src="/img/day.png" alt="Una foto del día eTwinning" /></p>\n'
    )


def test_blocks_without_words_are_not_segments() -> None:
    body = segment_body("- <https://www.etwinning.net/en/>\n- `code`\n- 2024\n")
    assert body.segments == ()
    assert body.render([]) == render_body("- <https://www.etwinning.net/en/>\n- `code`\n- 2024\n")


def test_hard_breaks_and_nested_markup_survive() -> None:
    source = "One  \ntwo **bold _both_** [link `c`](https://x.org)\n"
    body = segment_body(source)
    (segment,) = body.segments
    assert segment.text == "One<x1/>two <g1>bold <g2>both</g2></g1> <g3>link <x2/></g3>"
    html = body.render(["Uno<x1/>dos <g1>negrita <g2>ambas</g2></g1> <g3>enlace <x2/></g3>"])
    assert html == (
        "<p>Uno<br />\ndos <strong>negrita <em>ambas</em></strong> "
        '<a href="https://x.org">enlace <code>c</code></a></p>\n'
    )


def test_translators_may_move_placeholders_and_space_them() -> None:
    body = segment_body("the **red** car\n")
    assert body.render(["el coche < g1 >rojo</ G1 >"]) == (
        "<p>el coche <strong>rojo</strong></p>\n"
    )
    code = segment_body("run `ls` now\n")
    # A dropped slash still names the standalone placeholder.
    assert code.render(["ejecuta <x1> ya"]) == "<p>ejecuta <code>ls</code> ya</p>\n"


@pytest.mark.parametrize(
    "translated",
    [
        "sin marcas",  # placeholders lost
        "<g1>a</g1> <x1/> <x1/> <g2>b</g2>",  # duplicated standalone
        "<g1>a</g1> <x1/> <g2>b</g2> <g1>c</g1>",  # pair opened twice
        "<g1>a <g2>b</g1></g2> <x1/>",  # mis-nested
        "</g1>a<g1> <x1/> <g2>b</g2>",  # closed before opened
        "<g1>a</g1> <x1/> <g2>b</g2> <x9/>",  # invented
        "<g1>a</g1> <x1/> <g2>b</g2> <g3>c</g3>",  # invented pair
        "<g1/>a <x1/> <g2>b</g2>",  # pair written as standalone
    ],
)
def test_a_translation_that_does_not_fit_its_placeholders_is_refused(translated: str) -> None:
    (segment,) = segment_body("**a** `x` *b*\n").segments
    assert segment.text == "<g1>a</g1> <x1/> <g2>b</g2>"
    with pytest.raises(PlaceholderMismatch):
        segment.check(translated)


def test_pieces_and_reassemble_keep_placeholders_where_the_source_had_them() -> None:
    (segment,) = segment_body(
        "Read **the guide** and `run` it, then [ask us](https://x.org).\n"
    ).segments
    assert segment.pieces() == ["Read", "the guide", "and", "it, then", "ask us"]
    translated = {
        "Read": "Lee",
        "the guide": "la guía",
        "and": "y",
        "it, then": "<script>ejecútalo</script>, luego",
        "ask us": "pregúntanos",
    }
    answer = segment.reassemble(translated)
    assert answer == (
        "Lee <g1>la guía</g1> y <x1/> &lt;script&gt;ejecútalo&lt;/script&gt;, luego "
        "<g2>pregúntanos</g2>."
    )
    segment.check(answer)


def test_front_matter_segments_are_plain_text_with_protected_terms() -> None:
    segment = segment_text("Erasmus+ Experience eTwinning")
    assert segment.text == "<x1/> Experience <x2/>"
    assert segment.to_plain("Experiencia <x1/> <x2/>") == "Experiencia Erasmus+ eTwinning"
    assert segment_text("<b>Tom & Jerry</b>").text == "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"
    assert segment_text("<b>Tom & Jerry</b>").to_plain("&lt;b&gt;Tom y Jerry") == "<b>Tom y Jerry"
    assert not segment_text("2024").translatable


def test_normalise_collapses_ascii_spaces_only() -> None:
    assert normalise("  a \n\t b  ") == "a b"
    assert normalise("10\u00a0km") == "10\u00a0km"
    assert normalise("Cafe\u0301") == "Café"


def test_a_linked_image_keeps_link_and_path_and_translates_its_alt() -> None:
    body = segment_body('[![Logo of eTwinning](/a.png "t")](https://x.org)\n')
    assert [s.text for s in body.segments] == ["Logo of <x1/>"]
    assert body.render(["Logo de <x1/>"]) == (
        '<p><a href="https://x.org">'
        '<img src="/a.png" alt="Logo de eTwinning" title="t" /></a></p>\n'
    )


def test_link_titles_are_translated_as_plain_text_and_urls_stay() -> None:
    body = segment_body('See [the site](https://x.org/a "Our eTwinning page") today.\n')
    assert [s.text for s in body.segments] == [
        "See <g1>the site</g1> today.",
        "Our <x1/> page",
    ]
    html = body.render(["Mira <g1>el sitio</g1> hoy.", "<b>Nuestra</b> página <x1/>"])
    assert html == (
        '<p>Mira <a href="https://x.org/a" title="&lt;b&gt;Nuestra&lt;/b&gt; página eTwinning">'
        "el sitio</a> hoy.</p>\n"
    )
    # Untranslated (None) keeps the source's title.
    assert 'title="Our eTwinning page"' in body.render([None, None])


def test_a_placeholder_moved_out_of_its_tag_is_a_mismatch() -> None:
    (segment,) = segment_body("See [the eTwinning site](https://x.org) and **`code`**.\n").segments
    assert segment.text == "See <g1>the <x1/> site</g1> and <g2><x2/></g2>."
    segment.check("Mira <g1>el sitio <x1/></g1> y <g2><x2/></g2>.")
    with pytest.raises(PlaceholderMismatch, match="moved"):
        segment.check("Mira <x1/> <g1>el sitio</g1> y <g2><x2/></g2>.")
    with pytest.raises(PlaceholderMismatch, match="moved"):
        segment.check("Mira <g1>el sitio <x1/> y <g2><x2/></g2></g1>.")
