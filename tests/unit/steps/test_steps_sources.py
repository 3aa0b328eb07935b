"""steps/sources.py: bytes read by size first, parsed and rendered once, language decided."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import Site, post
from polypub.content.errors import PostTooLargeError
from polypub.content.post import parse_post
from polypub.settings import Settings
from polypub.steps.sources import (
    load_glossary,
    parse_source,
    read_source_post,
    rendered_body,
    source_language,
)
from polypub.translate.glossary import DEFAULT_GLOSSARY


def test_a_post_too_large_is_refused_from_its_size_alone(site: Site) -> None:
    services = replace(site.services, settings=Settings(max_post_bytes=100))
    site.upload("posts/big.md", post("Big", "x" * 200))
    reads: list[str] = []
    real_get = services.source.get
    services.source.get = lambda key: reads.append(key) or real_get(key)  # type: ignore[method-assign]
    with pytest.raises(PostTooLargeError):
        read_source_post("posts/big.md", services)
    assert reads == []
    assert read_source_post("posts/gone.md", services) is None


def test_the_same_bytes_are_parsed_and_rendered_once_per_batch(site: Site) -> None:
    data = post("A", "Some *text*.")
    first = parse_source("posts/a.md", data, site.services)
    assert parse_source("posts/a.md", data, site.services) is first
    assert rendered_body(first, site.services) == "<p>Some <em>text</em>.</p>\n"
    rendered_body(first, site.services)
    work = site.services.work
    assert (work.posts.made, work.posts.reused) == (1, 1)
    assert (work.bodies.made, work.bodies.reused) == (1, 1)
    site.services.forget()
    parse_source("posts/a.md", data, site.services)
    assert work.posts.made == 2  # a new batch parses again


def test_the_declared_language_wins_and_an_unknown_one_explains_itself() -> None:
    settings = Settings()
    declared = parse_post("posts/a.md", post("Hola", "Texto.", lang="en"))
    assert source_language(declared, settings) == ("en", None)
    short = parse_post("posts/b.md", b"---\ntitle: Hi\n---\nOk.\n")
    lang, note = source_language(short, settings)
    assert lang == "es"  # the default language's address
    assert note is not None
    assert "too short" in note
    assert "'lang: en'" in note


def test_an_invalid_glossary_falls_back_to_the_built_in_one(site: Site) -> None:
    site.upload("config/glossary.yml", "do_not_translate: [unclosed\n")
    assert load_glossary(site.services) is DEFAULT_GLOSSARY
    site.services.forget()
    site.upload("config/glossary.yml", "do_not_translate:\n  - IES Abastos\n")
    extended = load_glossary(site.services)
    assert extended.size == DEFAULT_GLOSSARY.size + 1  # the school's file extends the defaults


def test_a_post_in_another_language_or_script_is_told_what_it_looks_like() -> None:
    settings = Settings()  # es and en
    catalan = "Avui hem començat el projecte de ràdio amb els alumnes de quart de l'escola."
    post = parse_post("posts/radio.md", f"---\ntitle: Ràdio\n---\n{catalan}\n".encode())
    lang, note = source_language(post, settings)
    assert lang == settings.default_language
    assert "it looks like Catalan (ca)" in (note or "")
    japanese = "今日は学校でプログラミングの授業がありました。生徒たちはとても楽しそうでした。"
    post = parse_post("posts/ja.md", f"---\ntitle: Scratch\n---\n{japanese}\n".encode())
    _, note = source_language(post, settings)
    assert "script" in (note or "")
    assert "Japanese (ja)" in (note or "")
