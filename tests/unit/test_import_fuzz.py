"""Hypothesis over the importer's readers: any bytes or fields give a post or a named error."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polypub.content.errors import ContentError
from polypub.content.post import parse_post, slug_problem
from polypub.importers.fields import iso_date, map_fields
from polypub.importers.frontmatter import read_front_matter
from polypub.importers.model import ConvertedPost, FrontMatterReadError, WxrError
from polypub.importers.run import render_post
from polypub.importers.wordpress import read_wxr

pytestmark = pytest.mark.fuzz
LANGS = ("es", "en")

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.dates(),
    st.datetimes(),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "title",
        "author",
        "authors",
        "date",
        "summary",
        "excerpt",
        "teaser",
        "image",
        "cover",
        "images",
        "categories",
        "category",
        "project",
        "slug",
        "lang",
        "draft",
        "published",
        "translate",
        "layout",
    ]
) | st.text(max_size=10)

_TAGS = [
    "rss",
    "channel",
    "item",
    "title",
    "wp:status",
    "wp:post_type",
    "content:encoded",
    "dc:creator",
    "wp:post_date_gmt",
    "category",
    "wp:postmeta",
    "wp:comment",
]


@given(st.binary(max_size=2000))
def test_any_bytes_are_a_wxr_or_a_named_error(data: bytes) -> None:
    with contextlib.suppress(WxrError):
        read_wxr(data)


@st.composite
def _xmlish(draw: st.DrawFn) -> bytes:
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from(_TAGS).map(lambda t: f"<{t}>"),
                st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
                st.sampled_from(
                    [
                        "<![CDATA[",
                        "]]>",
                        "&amp;",
                        "&#8217;",
                        "&bogus;",
                        "<!--",
                        "-->",
                        '<!DOCTYPE r [<!ENTITY a "x">]>',
                        "<?xml version='1.0'?>",
                    ]
                ),
                st.text(max_size=12),
            ),
            max_size=30,
        )
    )
    head = (
        '<rss xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
    )
    return (head + "".join(parts) + "</channel></rss>").encode("utf-8", "surrogatepass")


@given(_xmlish())
def test_wxr_shaped_text_is_a_wxr_or_a_named_error(data: bytes) -> None:
    try:
        wxr = read_wxr(data)
    except WxrError:
        return
    for item in wxr.items:
        assert all(isinstance(v, str) for v in item.fields.values())


@given(
    st.sampled_from(["---\n", "+++\n", "", "\ufeff---\n"]),
    st.text(max_size=300),
    st.sampled_from(["---\n", "+++\n", "...\n", ""]),
    st.text(max_size=100),
)
def test_front_matter_reader_gives_fields_or_a_named_error(
    opening: str, head: str, closing: str, body: str
) -> None:
    try:
        fields, rest, _fmt = read_front_matter(opening + head + "\n" + closing + body)
    except FrontMatterReadError:
        return
    assert isinstance(fields, dict)
    assert isinstance(rest, str)


@given(
    st.dictionaries(_keys, _values, max_size=8),
    st.text(max_size=30),
    st.none() | st.just("2019-10-01"),
)
def test_any_fields_map_to_documented_ones_that_the_pipeline_reads(
    meta: dict[str, object], name: str, filename_date: str | None
) -> None:
    mapped = map_fields(meta, name=name, filename_date=filename_date, languages=LANGS)
    assert mapped.slug == "" or slug_problem(mapped.slug) is None
    assert set(mapped.front) <= {
        "title",
        "author",
        "authors",
        "description",
        "date",
        "project",
        "lang",
        "translate",
    }
    if "title" not in mapped.front:
        return
    post = ConvertedPost("posts/p.md", "src", mapped.front, "Text\n")
    try:
        parsed = parse_post("posts/p.md", render_post(post).encode("utf-8"), languages=LANGS)
    except ContentError:
        # Only for titles the pipeline itself refuses (control characters and the like).
        return
    if filename_date and "date" not in meta:
        assert parsed.date is not None
        assert parsed.date.date().isoformat() == filename_date


@given(st.text(max_size=40))
def test_iso_date_is_iso_or_none(text: str) -> None:
    value = iso_date(text)
    assert value is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?", value)
