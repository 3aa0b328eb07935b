"""parse_post on the front matter Jekyll, Hugo and WordPress exports write (issue 13, item 4).

The posts are written for these tests in the shapes those engines produce; none is
copied from a real blog.
"""

from __future__ import annotations

import html
import string
from datetime import UTC, datetime

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from polypub.content.errors import (
    ContentError,
    DuplicateKeyError,
    FrontMatterSyntaxError,
    FrontMatterTooComplexError,
    InvalidFieldError,
    InvalidSlugError,
)
from polypub.content.keys import classify_key, dated_name
from polypub.content.post import decode_entities, parse_post

JEKYLL = """\
---
layout: post
title: "Taller de robòtica amb Arduino"
authors:
  - Marta Puig
  - name: Jordi Soler
    twitter: jsoler
excerpt: "Construïm un robot seguidor de línia&#8230;"
image: assets/img/posts/robot.jpg
categories: [robotica, taller]
---
Avui hem construït un robot.
"""

HUGO_YAML = """\
---
title: "Laboratorio: Let&#8217;s Encrypt"
date: 2021-03-04T10:00:00+01:00
slug: laboratorio_lets_encrypt
summary: Certificados gratis para la web del centro.
cover:
  image: /assets/images/uploads/candado.png
  alt: Un candado
  relative: false
tags: ["web", "seguridad"]
---
Hoy instalamos un certificado.
"""

HUGO_TOML = """\
+++
title = "Semana de la ciencia"
date = 2022-11-07T09:30:00Z
author = "Ana López"
teaser = "Experimentos en el patio &amp; en el aula"
draft = false
images = ["/assets/images/uploads/patio.jpg"]

[params]
featured = true
+++

Esta semana hicimos experimentos.
"""

WORDPRESS = """\
---
title: 'Sortida a Montserrat &#8211; 2n d&#8217;ESO'
author: admin
date: '2018-05-14 09:12:33'
description: 'Crònica de la sortida&#8230; &amp; fotos'
image: /assets/images/uploads/2018/05/montserrat.jpg
images:
  - /assets/images/uploads/2018/05/montserrat.jpg
  - /assets/images/uploads/2018/05/grup.jpg
---
<p>Vam sortir a les vuit.</p>
"""


def test_a_jekyll_post_takes_its_date_and_slug_from_its_file_name() -> None:
    post = parse_post("posts/2019-10-01-taller-robotica.md", JEKYLL.encode())
    assert post.date == datetime(2019, 10, 1, tzinfo=UTC)
    assert post.slug == "taller-robotica"
    assert post.name == "2019-10-01-taller-robotica"  # pairs with its translations by name
    assert (post.author, post.co_authors) == ("Marta Puig", ("Jordi Soler",))
    assert post.description == "Construïm un robot seguidor de línia\u2026"
    assert post.images == ("/assets/img/posts/robot.jpg",)
    assert post.notes == ()


def test_a_date_in_the_front_matter_wins_over_the_file_name_but_the_slug_drops_the_prefix() -> None:
    data = b"---\ntitle: Trip\ndate: 2020-02-03\n---\nText.\n"
    post = parse_post("posts/2019-10-01-trip.md", data)
    assert (post.date, post.slug) == (datetime(2020, 2, 3, tzinfo=UTC), "trip")


def test_a_jekyll_translation_pairs_with_its_original() -> None:
    original = classify_key("posts/2019-10-01-trip.md")
    translation = classify_key("posts/2019-10-01-trip.en.md")
    assert (translation.kind, translation.lang) == ("translation", "en")
    assert translation.base == original.base
    post = parse_post("posts/2019-10-01-trip.en.md", b"---\ntitle: Trip\n---\nText.\n")
    assert (post.slug, post.translation_lang) == ("trip", "en")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2019-10-01-trip", ("2019-10-01", "trip")),
        ("2019-10-01-2020-01-01-x", ("2019-10-01", "2020-01-01-x")),
        ("2019-13-45-trip", (None, "2019-13-45-trip")),  # no such day: part of the name
        ("2019-10-01", (None, "2019-10-01")),  # nothing after the date
        ("trip-2019-10-01", (None, "trip-2019-10-01")),
        ("0000-01-01-x", (None, "0000-01-01-x")),
    ],
)
def test_dated_names(name: str, expected: tuple[str | None, str]) -> None:
    day, rest = dated_name(name)
    assert (day.isoformat() if day else None, rest) == expected


def test_a_file_name_that_is_only_a_date_keeps_it_as_its_slug() -> None:
    post = parse_post("posts/2019-10-01-!!.md", b"---\ntitle: T\n---\n")
    assert post.slug == "2019-10-01"
    post = parse_post("posts/2019-10-01.md", b"---\ntitle: T\n---\n")
    assert (post.slug, post.date) == ("2019-10-01", None)


@pytest.mark.parametrize(
    ("key", "slug", "day"),
    [
        ("posts/salida-al-museo/index.md", "salida-al-museo", None),
        ("posts/2020/2020-02-03-salida/index.md", "salida", datetime(2020, 2, 3, tzinfo=UTC)),
        ("posts/salida-al-museo/index.en.md", "salida-al-museo", None),
        ("posts/salida-al-museo/_index.md", "salida-al-museo", None),
        ("posts/index.md", "index", None),  # not a bundle: a post named index
    ],
)
def test_a_hugo_page_bundle_is_named_by_its_folder(
    key: str, slug: str, day: datetime | None
) -> None:
    post = parse_post(key, b"---\ntitle: T\n---\nText.\n")
    assert (post.slug, post.date) == (slug, day)


@pytest.mark.parametrize(
    ("fields", "draft", "day"),
    [
        ("published: false", True, datetime(2018, 1, 1, tzinfo=UTC)),  # Jekyll's flag
        ('published: "false"', True, datetime(2018, 1, 1, tzinfo=UTC)),
        ("published: true", False, datetime(2018, 1, 1, tzinfo=UTC)),
        ("published: 2020-01-02", False, datetime(2020, 1, 2, tzinfo=UTC)),  # Hugo's date
        ("publishDate: 2021-03-04T10:00:00Z", False, datetime(2021, 3, 4, 10, tzinfo=UTC)),
        ("pubdate: 2021-03-05", False, datetime(2021, 3, 5, tzinfo=UTC)),
        ("date: 2019-01-01\npublishDate: 2020-01-02", False, datetime(2019, 1, 1, tzinfo=UTC)),
    ],
)
def test_jekyll_published_and_hugo_date_aliases(fields: str, draft: bool, day: datetime) -> None:
    post = parse_post("posts/2018-01-01-a.md", f"---\ntitle: T\n{fields}\n---\n".encode())
    assert (post.draft, post.date, post.notes) == (draft, day, ())


def test_a_date_alias_that_is_no_date_is_noted_not_refused() -> None:
    post = parse_post("posts/2018-01-01-a.md", b"---\ntitle: T\npubdate: soon\n---\n")
    assert post.date == datetime(2018, 1, 1, tzinfo=UTC)
    [note] = post.notes
    assert "'pubdate' (line 3) is 'soon'" in note


def test_a_hugo_post_with_an_underscore_slug_is_published_with_hyphens_and_a_note() -> None:
    post = parse_post("posts/lets-encrypt.md", HUGO_YAML.encode())
    assert post.title == "Laboratorio: Let\u2019s Encrypt"
    assert post.slug == "laboratorio-lets-encrypt"
    assert post.date == datetime(2021, 3, 4, 9, 0, tzinfo=UTC)
    assert post.description == "Certificados gratis para la web del centro."
    assert post.images == ("/assets/images/uploads/candado.png",)
    [note] = post.notes
    assert "laboratorio_lets_encrypt" in note
    assert "slug: laboratorio-lets-encrypt" in note
    assert "line 4" in note


def test_an_underscore_slug_that_hyphens_do_not_fix_is_still_refused() -> None:
    with pytest.raises(InvalidSlugError, match="_trip_"):
        parse_post("posts/a.md", b"---\ntitle: T\nslug: _trip_\n---\n")


def test_hugo_toml_front_matter_is_read() -> None:
    post = parse_post("posts/ciencia.md", HUGO_TOML.encode())
    assert post.title == "Semana de la ciencia"
    assert post.date == datetime(2022, 11, 7, 9, 30, tzinfo=UTC)
    assert post.author == "Ana López"
    assert post.description == "Experimentos en el patio & en el aula"
    assert post.images == ("/assets/images/uploads/patio.jpg",)
    assert post.draft is False
    assert post.body == "Esta semana hicimos experimentos.\n"


def test_a_key_written_twice_in_toml_is_refused_by_name_and_lines() -> None:
    data = b'+++\ntitle = "A"\ndate = 2022-01-01\ntitle = "B"\n+++\nText.\n'
    with pytest.raises(DuplicateKeyError) as caught:
        parse_post("posts/a.md", data)
    assert "'title'" in caught.value.message
    assert "lines 2 and 4" in caught.value.message


def test_toml_mistakes_name_the_file_line() -> None:
    data = b'+++\ntitle = "A"\ndate = tomorrow\n+++\nText.\n'
    with pytest.raises(FrontMatterSyntaxError) as caught:
        parse_post("posts/a.md", data)
    assert caught.value.line == 3
    assert "TOML" in caught.value.message


def test_toml_without_its_closing_line_is_refused() -> None:
    with pytest.raises(FrontMatterSyntaxError, match=r"\+\+\+"):
        parse_post("posts/a.md", b'+++\ntitle = "A"\nText.\n')


def test_toml_fields_are_checked_like_yaml_ones() -> None:
    with pytest.raises(InvalidFieldError, match="true or false") as caught:
        parse_post("posts/a.md", b'+++\ntitle = "A"\ndraft = "no"\n+++\n')
    assert caught.value.line == 3
    with pytest.raises(InvalidFieldError, match="'date'"):
        parse_post("posts/a.md", b'+++\ntitle = "A"\ndate = 10:30:00\n+++\n')
    with pytest.raises(FrontMatterTooComplexError):
        parse_post("posts/a.md", b'+++\ntitle = "A"\nx = ' + b"[" * 40 + b"]" * 40 + b"\n+++\n")


def test_a_wordpress_export_shows_its_entities_as_characters() -> None:
    post = parse_post("posts/montserrat.md", WORDPRESS.encode())
    assert post.title == "Sortida a Montserrat \u2013 2n d\u2019ESO"
    assert post.description == "Crònica de la sortida\u2026 & fotos"
    assert post.date == datetime(2018, 5, 14, 9, 12, 33, tzinfo=UTC)
    # image: and images: name the same picture: it is shown once.
    assert post.images == (
        "/assets/images/uploads/2018/05/montserrat.jpg",
        "/assets/images/uploads/2018/05/grup.jpg",
    )


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("Tom & Jerry", "Tom & Jerry"),
        ("R&D", "R&D"),
        ("&copy without a semicolon", "&copy without a semicolon"),
        ("&amp;#8217;", "&#8217;"),  # decoded once, not twice
        ("&unknown;", "&unknown;"),
        ("&#x2019;&#8230;", "\u2019\u2026"),
        ("bidi &#8238;gpj.exe", "bidi gpj.exe"),  # what it decodes to is cleaned too
    ],
)
def test_entities_in_the_title(written: str, shown: str) -> None:
    post = parse_post("posts/a.md", f'---\ntitle: "{written}"\n---\n'.encode())
    assert post.title == shown


def test_description_aliases_are_tried_in_order() -> None:
    data = b"---\ntitle: T\nteaser: third\nexcerpt: second\nsummary: first\n---\n"
    assert parse_post("posts/a.md", data).description == "first"
    data = b"---\ntitle: T\ndescription: own\nsummary: other\n---\n"
    assert parse_post("posts/a.md", data).description == "own"
    data = b"---\ntitle: T\ndescription:\nexcerpt: kept\n---\n"
    assert parse_post("posts/a.md", data).description == "kept"


@pytest.mark.parametrize(
    "picture",
    [
        "image: /assets/a.jpg",
        "image: assets/a.jpg",
        "cover: /assets/a.jpg",
        "cover:\n  image: /assets/a.jpg",
        "cover:\n  src: /assets/a.jpg",
        "image:\n  path: /assets/a.jpg\n  height: 100",
        "image:\n  url: /assets/a.jpg",
    ],
)
def test_image_and_cover_shapes(picture: str) -> None:
    data = f"---\ntitle: T\n{picture}\n---\n".encode()
    post = parse_post("posts/a.md", data)
    assert (post.images, post.notes) == (("/assets/a.jpg",), ())


def test_a_picture_the_site_cannot_show_is_left_out_with_a_note() -> None:
    data = b"---\ntitle: T\nimage: https://example.com/a.jpg\ncover:\n  image: ''\n---\n"
    post = parse_post("posts/a.md", data)
    assert post.images == ()
    [note] = post.notes
    assert "'image' (line 3)" in note
    assert "https://example.com/a.jpg" in note


def test_images_come_first_then_image_and_cover_without_duplicates() -> None:
    data = (
        b"---\ntitle: T\nimages:\n  - /assets/b.jpg\n  - /assets/a.jpg\n"
        b"image: /assets/a.jpg\ncover:\n  image: /assets/c.jpg\n---\n"
    )
    post = parse_post("posts/a.md", data)
    assert post.images == ("/assets/b.jpg", "/assets/a.jpg", "/assets/c.jpg")


def test_author_and_authors_in_every_shape() -> None:
    data = b"---\ntitle: T\nauthor: Ana\nauthors: [Ana, 'Luis  Gil', {name: Marta}]\n---\n"
    post = parse_post("posts/a.md", data)
    assert (post.author, post.co_authors) == ("Ana", ("Luis Gil", "Marta"))
    data = b"---\ntitle: T\nauthor:\n  name: Pau\n  email: pau@example.org\n---\n"
    assert parse_post("posts/a.md", data).author == "Pau"
    data = b"---\ntitle: T\nauthor: no\n---\n"
    assert parse_post("posts/a.md", data).author == "no"  # a name, as typed


def test_an_author_that_is_not_a_name_is_left_out_with_a_note() -> None:
    data = b"---\ntitle: T\nauthors:\n  - Ana\n  - twitter: x\n  - [a, b]\n---\n"
    post = parse_post("posts/a.md", data)
    assert (post.author, post.co_authors) == ("Ana", ())
    assert len(post.notes) == 2
    assert "line 5" in post.notes[0]
    assert "line 6" in post.notes[1]


# --- properties ----------------------------------------------------------------------


@given(st.text(alphabet=st.characters(blacklist_characters="&")))
def test_decoding_leaves_text_without_ampersands_alone(text: str) -> None:
    assert decode_entities(text) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf"))))
def test_decoding_undoes_html_escaping_exactly_once(text: str) -> None:
    escaped = html.escape(text)
    assert decode_entities(escaped) == text
    assert decode_entities(html.escape(escaped)) == escaped


_KEYS = st.sampled_from(
    [
        "title",
        "author",
        "authors",
        "description",
        "summary",
        "excerpt",
        "teaser",
        "image",
        "cover",
        "images",
        "date",
        "slug",
        "lang",
        "draft",
        "params",
    ]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.text(string.printable, max_size=20)
    | st.sampled_from(["/assets/a.jpg", "a_b", "2019-10-01", "&#8217;", "&amp;"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=8,
)


def _toml_value(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, list):
        items = [_toml_value(item) for item in value]
        return None if None in items else "[" + ", ".join(str(i) for i in items) + "]"
    if isinstance(value, dict):
        pairs = [f"{key} = {_toml_value(item)}" for key, item in value.items()]
        return None if any(p.endswith("None") for p in pairs) else "{" + ", ".join(pairs) + "}"
    return None


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=6), st.sampled_from(["yaml", "toml"]))
def test_any_front_matter_mapping_parses_or_names_its_problem(
    fields: dict[str, object], syntax: str
) -> None:
    if syntax == "yaml":
        text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\nText.\n"
    else:
        lines = [f"{k} = {v}" for k, v in ((k, _toml_value(v)) for k, v in fields.items()) if v]
        text = "+++\n" + "\n".join(lines) + "\n+++\nText.\n"
    try:
        post = parse_post("posts/2019-10-01-a_b.md", text.encode())
    except ContentError as error:
        # A named problem, for the report: never a traceback.
        assert error.message.strip()  # noqa: PT017 - the property is about the error raised
        return
    assert post.title
    assert all(note.strip() for note in post.notes)
    assert post.author is None or post.author not in post.co_authors
    assert len(set(post.images)) == len(post.images)
