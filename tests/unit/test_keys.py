"""classify_key: which source-bucket keys are posts, translations, assets, config or other."""

from __future__ import annotations

import pytest

from polypub.content.keys import SourceKey, classify_key, is_report_key, report_key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("posts/foo.md", SourceKey("post", "foo", None, "posts/foo.md", "posts/foo")),
        (
            "posts/Foo Bar.MD",
            SourceKey("post", "Foo Bar", None, "posts/Foo Bar.MD", "posts/Foo Bar"),
        ),
        (
            "posts/2024/foo.md",
            SourceKey("post", "foo", None, "posts/2024/foo.md", "posts/2024/foo"),
        ),
        ("posts/foo.en.md", SourceKey("translation", "foo", "en", "posts/foo.en.md", "posts/foo")),
        ("posts/foo.ES.md", SourceKey("translation", "foo", "es", "posts/foo.ES.md", "posts/foo")),
        # Not a site language: an ordinary post whose name happens to contain a dot.
        ("posts/foo.fr.md", SourceKey("post", "foo.fr", None, "posts/foo.fr.md", "posts/foo.fr")),
        ("posts/v1.2.md", SourceKey("post", "v1.2", None, "posts/v1.2.md", "posts/v1.2")),
    ],
)
def test_posts_and_translations(key: str, expected: SourceKey) -> None:
    assert classify_key(key) == expected


def test_translation_shares_its_base_with_the_post() -> None:
    post = classify_key("posts/a/viaje.md")
    translation = classify_key("posts/a/viaje.en.md")
    assert translation.kind == "translation"
    assert translation.base == post.base == "posts/a/viaje"
    assert translation.name == post.name == "viaje"


def test_languages_are_a_parameter() -> None:
    assert classify_key("posts/foo.ca.md").kind == "post"
    source = classify_key("posts/foo.ca.md", languages=("es", "en", "ca"))
    assert (source.kind, source.name, source.lang) == ("translation", "foo", "ca")


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("assets/images/uploads/izquierda_ES.png", "asset"),
        ("assets/file.md", "asset"),
        ("config/site.yml", "config"),
        ("posts/notes.txt", "other"),
        ("posts/", "other"),  # the folder marker the S3 console creates
        ("assets/", "other"),
        ("README.md", "other"),
        ("Posts/foo.md", "other"),  # S3 keys are case-sensitive; the contract says posts/
        ("drafts/posts/foo.md", "other"),
        ("posts/.DS_Store", "other"),
        ("posts/._foo.md", "other"),  # macOS AppleDouble twin of foo.md
        ("assets/images/.DS_Store", "other"),
    ],
)
def test_kinds(key: str, kind: str) -> None:
    source = classify_key(key)
    assert source.kind == kind
    assert source.key == key
    if kind != "post":
        assert (source.name, source.lang, source.base) == ("", None, "")


@pytest.mark.parametrize(
    "key",
    [
        "posts/../foo.md",
        "posts/a/../../foo.md",
        "../posts/foo.md",
        "posts/./foo.md",
        "posts//foo.md",
        "/posts/foo.md",
        "posts\\foo.md",
        "posts/sub\\..\\foo.md",
        "assets/../config/x",
        "posts/foo\n.md",
        "",
    ],
)
def test_unsafe_keys_are_other(key: str) -> None:
    assert classify_key(key).kind == "other"


def test_report_keys_sit_beside_the_upload_and_are_other() -> None:
    assert report_key("posts/foo.md") == "posts/foo.md.error.txt"
    assert is_report_key("posts/foo.md.error.txt")
    assert not is_report_key("posts/foo.md")
    for key in ("posts/foo.md", "assets/a.png", "config/site.yml"):
        assert classify_key(report_key(key)).kind == "other"


def test_source_key_is_frozen() -> None:
    source = classify_key("posts/foo.md")
    with pytest.raises(AttributeError):
        source.kind = "other"  # type: ignore[misc]
