"""parse_post: every fixture post either parses to the expected Post or names its problem."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from polypub.content.errors import (
    ContentError,
    FrontMatterShapeError,
    FrontMatterSyntaxError,
    FrontMatterTooComplexError,
    InvalidFieldError,
    InvalidSlugError,
    MissingTitleError,
    NotUtf8Error,
    PostTooLargeError,
)
from polypub.content.post import Post, parse_post, slug_problem, slugify

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "posts"
CONTENT = ROOT / "content"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_fixture(name: str) -> Post:
    return parse_post(f"posts/{name}", fixture(name))


# --- posts that parse --------------------------------------------------------------


def test_post_dataclass_is_the_agreed_shape() -> None:
    names = [f.name for f in dataclasses.fields(Post)]
    assert names == [
        "source_key",
        "name",
        "slug",
        "title",
        "body",
        "content_hash",
        "author",
        "description",
        "date",
        "project",
        "images",
        "lang",
        "draft",
        "translate",
        "translation_lang",
        "co_authors",
        "notes",
    ]
    post = parse_fixture("minimal.md")
    with pytest.raises(dataclasses.FrozenInstanceError):
        post.title = "changed"  # type: ignore[misc]


def test_minimal_post_gets_defaults() -> None:
    post = parse_fixture("minimal.md")
    assert post == Post(
        source_key="posts/minimal.md",
        name="minimal",
        slug="minimal",
        title="Hello",
        body="Just one line.\n",
        content_hash=hashlib.sha256(fixture("minimal.md")).hexdigest(),
    )


def test_full_post_reads_every_known_field_and_ignores_unknown_ones() -> None:
    post = parse_fixture("full.md")
    assert post.title == "Nuestro viaje a Roma"
    assert post.author == "IES Abastos"
    assert post.description == "Crónica del intercambio con el liceo de Roma."
    assert post.date == datetime(2024, 3, 10, 8, 30, tzinfo=UTC)
    assert post.project == "proyecto-1"
    assert post.slug == "viaje-a-roma"
    assert post.lang == "es"
    assert post.draft is False
    assert post.translate is False
    assert post.images == (
        "/assets/images/uploads/roma.jpg",
        "/assets/images/uploads/coliseo.png",
    )
    assert post.body == "## Día 1\n\nLlegamos a **Roma** por la tarde.\n"
    assert not hasattr(post, "layout")


def test_real_cms_example_post() -> None:
    key = "posts/erasmus-etwinning-experience.md"
    data = (CONTENT / key).read_bytes()
    post = parse_post(key, data)
    assert post.name == post.slug == "erasmus-etwinning-experience"
    assert post.title == "Erasmus+ Experience eTwinning"
    assert post.author == "IES Abastos"
    assert post.description == "This is my eTwinning experience"
    assert post.date == datetime(2024, 5, 22, 21, 12, tzinfo=UTC)
    assert post.project == "proyecto-2"
    assert post.images == (
        "/assets/images/uploads/izquierda_ES.png",
        "/assets/images/uploads/erasmusdays_logo_2021_sin_fechas.jpg",
        "/assets/images/uploads/images.png",
    )
    assert post.lang is None  # no lang: the pipeline detects English
    assert (post.draft, post.translate, post.translation_lang) == (False, True, None)
    assert post.body.startswith("**Hello everyone!**\n\nToday I want to share")
    assert post.body.endswith("Feel free to leave a comment below!**\n")
    assert post.content_hash == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("path", sorted((CONTENT / "posts").glob("*.md")), ids=lambda p: p.name)
def test_demo_content_parses_and_its_images_exist(path: Path) -> None:
    post = parse_post(f"posts/{path.name}", path.read_bytes())
    assert post.title
    for image in post.images:
        assert (CONTENT / image.lstrip("/")).is_file(), image


def test_bom_is_accepted_and_hash_covers_the_raw_bytes() -> None:
    data = fixture("bom.md")
    assert data.startswith(b"\xef\xbb\xbf")
    post = parse_fixture("bom.md")
    assert post.title == "Año nuevo"
    assert post.lang == "es"
    assert post.content_hash == hashlib.sha256(data).hexdigest()


def test_crlf_line_ends_are_normalised() -> None:
    assert b"\r\n" in fixture("crlf.md")  # guard against a checkout rewriting the fixture
    post = parse_fixture("crlf.md")
    assert post.title == "Windows line ends"
    assert post.author == "IES Abastos"
    assert post.body == "First line.\n\nSecond paragraph.\n"


def test_translation_key_gives_name_and_language() -> None:
    post = parse_post("posts/sub/viaje.en.md", b"---\ntitle: Our trip\n---\nText\n")
    assert (post.name, post.slug, post.translation_lang, post.lang) == (
        "viaje",
        "viaje",
        "en",
        "en",
    )


def test_translation_whose_lang_field_disagrees_with_its_file_name() -> None:
    with pytest.raises(InvalidFieldError) as info:
        parse_post("posts/viaje.en.md", b"---\ntitle: Our trip\nlang: es\n---\n")
    assert info.value.field == "lang"
    assert info.value.line == 3
    assert "'en'" in str(info.value)
    assert "'es'" in str(info.value)


def test_slug_comes_from_the_file_name_transliterated() -> None:
    post = parse_post("posts/Año Nuevo.md", b"---\ntitle: Feliz\n---\n")
    assert (post.name, post.slug) == ("Año Nuevo", "ano-nuevo")


def test_blank_slug_falls_back_to_the_file_name() -> None:
    post = parse_post("posts/viaje.md", b'---\ntitle: Hola\nslug: ""\n---\n')
    assert post.slug == "viaje"


def test_front_matter_slug_is_lowercased() -> None:
    post = parse_post("posts/x.md", b"---\ntitle: Hola\nslug: Mi-Viaje-2024\n---\n")
    assert post.slug == "mi-viaje-2024"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Año Nuevo", "ano-nuevo"),
        ("Crónica: ¡Día 1!", "cronica-dia-1"),
        ("Straße über Ærø", "strasse-uber-aero"),
        ("Col·legi Łódź", "collegi-lodz"),
        ("  --Hello__World--  ", "hello-world"),
        ("日本", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
    if slug:
        assert slug_problem(slug) is None


def test_slugify_caps_the_length_at_a_word_boundary() -> None:
    slug = slugify("palabra " * 40)
    assert len(slug) <= 100
    assert slug.endswith("palabra")


def test_file_name_without_letters_needs_an_explicit_slug() -> None:
    with pytest.raises(InvalidSlugError) as info:
        parse_post("posts/日本.md", b"---\ntitle: Hola\n---\n")
    assert "日本.md" in str(info.value)
    assert "slug:" in str(info.value)


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("date: 2024-05-22", datetime(2024, 5, 22, tzinfo=UTC)),
        ("date: 2024-05-22 10:00:00", datetime(2024, 5, 22, 10, tzinfo=UTC)),
        ("date: 2024-05-22T21:12:00.000Z", datetime(2024, 5, 22, 21, 12, tzinfo=UTC)),
        ("date: 2024-05-22T21:12:00+02:00", datetime(2024, 5, 22, 19, 12, tzinfo=UTC)),
        ("date: '2024-05-22T21:12:00.000Z'", datetime(2024, 5, 22, 21, 12, tzinfo=UTC)),
        ("date: '2024-05-22T21:12:00-03:00'", datetime(2024, 5, 23, 0, 12, tzinfo=UTC)),
        ("date: '2024-05-22'", datetime(2024, 5, 22, tzinfo=UTC)),
        ("date:", None),
        ("date: ''", None),
    ],
)
def test_dates_become_aware_utc(front: str, expected: datetime | None) -> None:
    post = parse_post("posts/d.md", f"---\ntitle: D\n{front}\n---\n".encode())
    assert post.date == expected
    if post.date is not None:
        assert post.date.utcoffset() is not None
        assert post.date.tzinfo == UTC


@pytest.mark.parametrize(
    ("front", "title"),
    [
        ("title: 2024", "2024"),
        ("title: 1.10", "1.10"),  # as typed, not the float 1.1
        ("title: yes", "yes"),  # YAML 1.1 would make it True
        ("title: |\n  Two\n  lines", "Two lines"),
        ("title: '  padded   title '", "padded title"),
    ],
)
def test_titles_are_the_text_as_typed(front: str, title: str) -> None:
    assert parse_post("posts/t.md", f"---\n{front}\n---\n".encode()).title == title


@pytest.mark.parametrize(
    ("value", "lang"), [("es", "es"), ("EN", "en"), ("en-GB", "en"), ("es_ES", "es"), ("''", None)]
)
def test_lang_is_normalised(value: str, lang: str | None) -> None:
    post = parse_post("posts/l.md", f"---\ntitle: L\nlang: {value}\n---\n".encode())
    assert post.lang == lang


def test_site_languages_are_a_parameter() -> None:
    post = parse_post("posts/l.md", b"---\ntitle: L\nlang: ca\n---\n", languages=("es", "en", "ca"))
    assert post.lang == "ca"


def test_flags() -> None:
    post = parse_post("posts/f.md", b"---\ntitle: F\ndraft: true\ntranslate: no\n---\n")
    assert (post.draft, post.translate) == (True, False)


def test_empty_body() -> None:
    assert parse_post("posts/e.md", b"---\ntitle: E\n---\n").body == ""


# --- posts that are refused ---------------------------------------------------------

# (fixture, error class, 1-based line or None, words the teacher must see)
REFUSED = [
    ("windows-1252.md", NotUtf8Error, 2, ["UTF-8", "byte 12", "Windows-1252", "'ñ'", "Save as"]),
    ("utf16.md", NotUtf8Error, 1, ["UTF-16", "UTF-8", "Save as"]),
    ("no-front-matter.md", MissingTitleError, 1, ["no front matter", "title:", "---"]),
    ("missing-title.md", MissingTitleError, 1, ["no title", "title:"]),
    ("empty-title.md", MissingTitleError, 3, ["title", "line 3", "empty"]),
    ("misspelt-title.md", MissingTitleError, 2, ["'Title'", "lowercase", "line 2"]),
    ("invalid-yaml.md", FrontMatterSyntaxError, 3, ["line 3", "Erasmus+: our trip", "quotes"]),
    ("tab-indent.md", FrontMatterSyntaxError, 4, ["line 4", "spaces", "Tab"]),
    ("unclosed-quote.md", FrontMatterSyntaxError, 2, ["never closed", "line 2", 'title: "Hola']),
    ("unclosed-front-matter.md", FrontMatterSyntaxError, 1, ["never ends", "---"]),
    ("leading-blank-lines.md", FrontMatterSyntaxError, 6, ["line 6", "line 5", "author:"]),
    ("front-matter-list.md", FrontMatterShapeError, 1, ["a list", "'name: value'"]),
    ("front-matter-string.md", FrontMatterShapeError, 1, ["'title:Hola'", "space after"]),
    ("bad-date.md", InvalidFieldError, 3, ["'date'", "line 3", "22/05/2024", "2024-05-22"]),
    ("impossible-date.md", InvalidFieldError, 3, ["'date'", "2024-13-45", "year-month-day"]),
    ("lang-no.md", InvalidFieldError, 3, ["'lang'", "'no'", "yes/no value false", "es, en"]),
    ("lang-unsupported.md", InvalidFieldError, 3, ["'lang'", "'fr'", "es, en"]),
    ("draft-not-boolean.md", InvalidFieldError, 3, ["'draft'", "true or false", "quotes"]),
    ("translate-not-boolean.md", InvalidFieldError, 3, ["'translate'", "'maybe'"]),
    ("images-not-list.md", InvalidFieldError, 3, ["'images'", "list", "- "]),
    ("images-not-strings.md", InvalidFieldError, 4, ["'images'", "not an image path"]),
    ("image-outside-assets.md", InvalidFieldError, 5, ["'images'", "tracker.png", "/assets/"]),
    ("image-traversal.md", InvalidFieldError, 4, ["'images'", "'..'"]),
    ("title-list.md", InvalidFieldError, 2, ["'title'", "a list"]),
    ("project-invalid.md", InvalidFieldError, 3, ["'project'", "line 3", "proyecto 1/2"]),
    ("slug-traversal.md", InvalidSlugError, 3, ["slug", "line 3", "../../index", "'/'"]),
    ("slug-backslash.md", InvalidSlugError, 3, ["slug", "posts\\index", "'\\'"]),
    ("slug-drive-letter.md", InvalidSlugError, 3, ["slug", "c:evil", "drive"]),
    ("slug-unsafe-characters.md", InvalidSlugError, 3, ["slug", "'ñ'", "'!'", "ano-nuevo"]),
    ("alias-bomb.md", FrontMatterTooComplexError, None, ["too complex", "10000", "&"]),
    ("self-alias.md", FrontMatterTooComplexError, None, ["refers to itself"]),
    ("deep-nesting.md", FrontMatterTooComplexError, None, ["nested too deeply"]),
]


@pytest.mark.parametrize(
    ("name", "error", "line", "words"), REFUSED, ids=[case[0] for case in REFUSED]
)
def test_refused_post_names_its_problem(
    name: str, error: type[ContentError], line: int | None, words: list[str]
) -> None:
    with pytest.raises(error) as info:
        parse_fixture(name)
    exc = info.value
    assert type(exc) is error
    assert exc.code == error.code
    assert exc.line == line
    message = str(exc)
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"
    # A teacher's message, not a traceback: no Python or PyYAML internals.
    for jargon in ("Traceback", "yaml.", "<unicode string>", "python/", "sys."):
        assert jargon not in message


def test_invalid_field_error_knows_its_field() -> None:
    with pytest.raises(InvalidFieldError) as info:
        parse_fixture("lang-no.md")
    assert info.value.field == "lang"
    assert str(info.value).startswith("The field 'lang' (line 3)")


def test_alias_bomb_is_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(FrontMatterTooComplexError):
        parse_fixture("alias-bomb.md")
    assert time.perf_counter() - start < 1.0


def test_merge_keys_and_small_aliases_still_work() -> None:
    data = b"---\nbase: &base {author: Ana}\n<<: *base\ntitle: Hola\n---\n"
    assert parse_post("posts/m.md", data).author == "Ana"


def test_size_is_checked_before_decoding() -> None:
    data = b"\xff" * 101  # not UTF-8 either: the size must be the reported problem
    with pytest.raises(PostTooLargeError) as info:
        parse_post("posts/big.md", data, max_bytes=100)
    assert "101 bytes" in str(info.value)
    assert "100 bytes" in str(info.value)
    assert "assets/" in str(info.value)


def test_default_size_limit_is_two_megabytes() -> None:
    body = b"x" * (2 * 1024 * 1024)
    with pytest.raises(PostTooLargeError) as info:
        parse_post("posts/big.md", b"---\ntitle: Big\n---\n" + body)
    assert "2.0 MB" in str(info.value)


def test_empty_front_matter_has_no_title() -> None:
    with pytest.raises(MissingTitleError):
        parse_post("posts/e.md", b"---\n---\nText\n")


def test_huge_front_matter_is_refused() -> None:
    data = b"---\ntitle: Hola\ndescription: " + b"a" * (70 * 1024) + b"\n---\n"
    with pytest.raises(FrontMatterTooComplexError) as info:
        parse_post("posts/h.md", data)
    assert "64 KB" in str(info.value)


def test_unreadable_scalar_is_a_syntax_error_not_a_crash() -> None:
    data = b"---\ntitle: Hola\nn: " + b"9" * 5000 + b"\n---\n"
    with pytest.raises(FrontMatterSyntaxError) as info:
        parse_post("posts/n.md", data)
    assert "double quotes" in str(info.value)


def test_unsafe_yaml_tags_are_refused() -> None:
    data = b"---\ntitle: !!python/object/apply:os.system ['true']\n---\n"
    with pytest.raises(FrontMatterSyntaxError):
        parse_post("posts/evil.md", data)


def test_error_codes_are_stable_kebab_case_and_distinct() -> None:
    classes: list[type[ContentError]] = [
        NotUtf8Error,
        PostTooLargeError,
        FrontMatterSyntaxError,
        FrontMatterTooComplexError,
        FrontMatterShapeError,
        MissingTitleError,
        InvalidFieldError,
        InvalidSlugError,
    ]
    codes = [cls.code for cls in classes]
    assert codes == [
        "not-utf8",
        "post-too-large",
        "invalid-yaml",
        "front-matter-too-complex",
        "front-matter-not-mapping",
        "missing-title",
        "invalid-field",
        "invalid-slug",
    ]
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code) for code in codes)
    assert all(issubclass(cls, ContentError) for cls in classes)
