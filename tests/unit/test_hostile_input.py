"""Issue 11, item 3: inputs that used to raise a traceback now end as a named ContentError."""

from __future__ import annotations

from pathlib import Path

import pytest

from polypub.adapters.localfs import FolderStorage
from polypub.content.errors import (
    ContentError,
    DuplicateKeyError,
    InvalidCharacterError,
    InvalidFieldError,
    InvalidKeyError,
    PostExtensionError,
)
from polypub.content.keys import _is_unsafe, key_problem, report_key
from polypub.content.markdown import render_body
from polypub.content.post import parse_post
from polypub.content.sanitize import sanitize_html
from polypub.site.design import load_design, parse_site_config

LANGS = ("es", "en")


def post(front: str, body: str = "Hola.\n") -> bytes:
    return f"---\n{front}\n---\n{body}".encode()


# --- dates out of range once in UTC ------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:00:00-12:00",
        "0001-01-01T00:00:00+14:00",
        '"9999-12-31T23:00:00-12:00"',  # quoted: read as text, then fromisoformat
        '"0001-01-01T00:00:00+14:00"',
    ],
)
def test_a_date_whose_zone_leaves_the_calendar_is_a_named_field_error(value: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        parse_post("posts/a.md", post(f"title: Hola\ndate: {value}"))
    assert info.value.field == "date"
    assert info.value.line == 3
    assert "1 to 9999" in str(info.value)


def test_the_last_representable_dates_still_publish() -> None:
    late = parse_post("posts/a.md", post("title: Hola\ndate: 9999-12-31T23:00:00+12:00"))
    early = parse_post("posts/a.md", post("title: Hola\ndate: 0001-01-01T12:00:00-10:00"))
    assert late.date is not None
    assert early.date is not None
    assert (late.date.year, early.date.year) == (9999, 1)


# --- lone surrogates ---------------------------------------------------------------


@pytest.mark.parametrize(
    "front",
    [
        'title: "Hola \\ud800"',
        'title: Hola\nauthor: "\\udfff Ana"',
        'title: Hola\nlang: "\\ud800"',  # would be quoted in the invalid-field message
        'title: Hola\n"\\ud800": x',  # a key nobody reads
        'title: Hola\nimages:\n  - "/assets/\\ud83d.png"',
    ],
)
def test_a_lone_surrogate_is_refused_with_its_line(front: str) -> None:
    with pytest.raises(InvalidCharacterError) as info:
        parse_post("posts/a.md", post(front))
    assert info.value.code == "invalid-character"
    assert (info.value.line or 0) >= 2
    # The report, status and e-mail are UTF-8: the message itself must encode.
    str(info.value).encode("utf-8")


def test_a_real_emoji_written_as_a_surrogate_pair_is_fine() -> None:
    parsed = parse_post("posts/a.md", post('title: "Viaje \\ud83d\\ude00"'))
    assert parsed.title == "Viaje \U0001f600"


# --- %-encoded paths ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/assets/%2e%2e/posts/secret.md",
        "/assets/images/%2E%2E/%2e%2e/x.png",
        "/assets/%2e/x.png",
        "/assets/a%2F%2Fb.png",
        "/assets/a%5Cb.png",
        "/assets/a%00.png",
    ],
)
def test_image_paths_are_checked_after_percent_decoding(path: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        parse_post("posts/a.md", post(f"title: Hola\nimages:\n  - {path}"))
    assert info.value.field == "images"


def test_a_percent_encoded_space_in_an_image_path_is_still_fine() -> None:
    parsed = parse_post("posts/a.md", post("title: Hola\nimages:\n  - /assets/my%20photo.png"))
    assert parsed.images == ("/assets/my%20photo.png",)


@pytest.mark.parametrize("logo", ["/assets/%2e%2e/config/site.yml", "/assets/%2E%2E/%2e%2e/x"])
def test_a_percent_encoded_logo_outside_assets_is_a_problem_not_a_crash(
    tmp_path: Path, logo: str
) -> None:
    # FolderStorage is what `polypub build` reads through; it refused the decoded '..'
    # with UnsafeKeyError, a traceback, before the check looked at the decoded path.
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "site.yml").write_text(f"name: IES\nlogo: {logo}\n")
    loaded = load_design(FolderStorage(tmp_path), LANGS)
    assert loaded.design.logo is None
    assert loaded.design.name == "IES"
    assert [where for where, _ in loaded.problems] == ["config/site.yml"]


# --- duplicate keys ----------------------------------------------------------------


def test_a_field_written_twice_is_a_named_error_with_both_lines() -> None:
    with pytest.raises(DuplicateKeyError) as info:
        parse_post("posts/a.md", post("title: Hola\nlang: es\nauthor: Ana\nlang: en"))
    error = info.value
    assert (error.code, error.field, error.line) == ("duplicate-key", "lang", 5)
    assert "lines 3 and 5" in str(error)


def test_duplicate_keys_are_found_in_nested_mappings_too() -> None:
    with pytest.raises(DuplicateKeyError):
        parse_post("posts/a.md", post("title: Hola\nextra:\n  a: 1\n  a: 2"))


def test_merge_keys_are_not_duplicates() -> None:
    parsed = parse_post("posts/a.md", post("title: Hola\n<<: {author: Ana}\n<<: {project: p}"))
    assert (parsed.author, parsed.project) == ("Ana", "p")


def test_a_site_config_key_written_twice_is_a_problem_not_a_crash() -> None:
    design, problems = parse_site_config(b"name: A\nname: B\n", LANGS)
    assert design.name is None
    assert [p.code for p in problems] == ["duplicate-key"]


def test_a_site_config_with_a_lone_surrogate_is_a_problem_not_a_crash() -> None:
    design, problems = parse_site_config(b'name: "IES \\ud800"\n', LANGS)
    assert design.name is None
    assert [p.code for p in problems] == ["invalid-character"]
    str(problems[0]).encode("utf-8")


# --- invisible and control characters ----------------------------------------------


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ('"Trip to Rome\\u202egpj.exe"', "Trip to Romegpj.exe"),  # right-to-left override
        ('"A\\u202aB\\u202bC\\u202cD\\u202dE"', "ABCDE"),
        ('"A\\u2066B\\u2067C\\u2068D\\u2069E"', "ABCDE"),  # isolates
        ('"Ro\\u200bme\\u200c\\u200d\\u2060"', "Rome"),  # zero-width
        ('"Ro\\ufeffme"', "Rome"),  # a BOM inside the text
        ('"Ro\\0me\\e[31m"', "Rome[31m"),  # NUL and ESC
        ('"A\\x01\\x7f\\x85\\x9fB"', "AB"),  # C0, DEL, C1
        ("Rome\u200b", "Rome"),  # typed raw, not escaped
    ],
)
def test_invisible_and_control_characters_are_stripped_from_text_fields(
    written: str, published: str
) -> None:
    parsed = parse_post(
        "posts/a.md", post(f"title: {written}\nauthor: {written}\ndescription: {written}")
    )
    assert parsed.title == parsed.author == parsed.description == published


def test_a_title_of_invisible_characters_only_is_a_missing_title() -> None:
    with pytest.raises(ContentError) as info:
        parse_post("posts/a.md", post('title: "\\u200b\\u202e"'))
    assert info.value.code == "missing-title"


def test_an_invisible_character_cannot_split_a_field_name() -> None:
    # 'ti\u200btle' would otherwise be an unknown field and the post "has no title".
    parsed = parse_post("posts/a.md", post('"ti\\u200btle": Hola'))
    assert parsed.title == "Hola"


@pytest.mark.parametrize(
    "body",
    ["Hola\x00mundo\n", "Hola\x1b[31mmundo\n", "Hola &#27; &#0; &#x1b; mundo\n", "`\x1bmundo`\n"],
)
def test_nul_and_esc_never_reach_the_html_of_a_body(body: str) -> None:
    html = sanitize_html(render_body(body))
    assert "\x00" not in html
    assert "\x1b" not in html
    assert "mundo" in html


def test_sanitize_removes_control_characters_a_translator_might_return() -> None:
    html = sanitize_html("<p>Hello\x00 \x1b[2Jworld\x07 &#27;</p>")
    assert html == "<p>Hello [2Jworld </p>"


# --- keys: upper-case .MD posts and unusable asset keys ----------------------------


@pytest.mark.parametrize("key", ["posts/viaje.MD", "posts/a/viaje.Md", "posts/viaje.en.mD"])
def test_an_upper_case_md_post_is_refused_with_a_report(key: str) -> None:
    assert isinstance(key_problem(key), PostExtensionError)
    with pytest.raises(PostExtensionError) as info:
        parse_post(key, post("title: Hola"))
    assert info.value.code == "post-extension-case"
    assert key[:-3] + ".md" in str(info.value)


@pytest.mark.parametrize(
    "key",
    [
        "assets//photo.png",
        "assets/a/../photo.png",
        "assets/./photo.png",
        "assets/a\\photo.png",
        "assets/photo\x00.png",
        "assets/photo\x1b.png",
        "posts//viaje.md",
        "posts/a/../viaje.md",
    ],
)
def test_an_unusable_key_under_assets_or_posts_is_named(key: str) -> None:
    problem = key_problem(key)
    assert isinstance(problem, InvalidKeyError)
    assert problem.code == "invalid-key"
    str(problem).encode("utf-8")
    # The report can be written where the teacher looks, without the same problem.
    target = report_key(key)
    assert not _is_unsafe(target)
    assert target.startswith(key.split("/", 1)[0] + "/")


@pytest.mark.parametrize(
    "key",
    [
        "posts/viaje.md",
        "posts/viaje.en.md",
        "assets/images/photo.png",
        "assets/",  # the folder marker an S3 console creates
        "posts/",
        "posts/.DS_Store",
        "posts/viaje.md.error.txt",
        "theme/post.html",
        "config/site.yml",
        "notes/../x",  # not a folder the site reads
    ],
)
def test_usable_and_ignorable_keys_have_no_problem(key: str) -> None:
    assert key_problem(key) is None


def test_report_keys_of_ordinary_keys_are_unchanged() -> None:
    assert report_key("posts/viaje.md") == "posts/viaje.md.error.txt"


@pytest.mark.parametrize("fragment", ["<p>\ud800</p>", "<p>a\udfffb</p>", "<p>\ud83d\ude00</p>"])
def test_sanitize_never_fails_on_a_lone_surrogate(fragment: str) -> None:
    # Found by tests/unit/test_fuzz.py (make fuzz): nh3 raised UnicodeEncodeError.
    html = sanitize_html(fragment)
    html.encode("utf-8")
    assert html.startswith("<p>")
