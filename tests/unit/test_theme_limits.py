"""Issue 11, item 6: a theme template's render is bounded in steps, time and size."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from test_design import MemoryStorage, entry

from polypub.model import PostEntry, VersionInfo
from polypub.settings import Settings
from polypub.site import render as render_module
from polypub.site.config import SiteConfig
from polypub.site.design import ThemeTooExpensiveError, check_design, site_config
from polypub.site.pages import build_listings, render_post_page
from polypub.site.render import (
    LIMITS,
    Limits,
    ThemeTooExpensive,
    environment,
    render_bounded,
)

SETTINGS = Settings(site_url="https://blog.example.org", site_name="Polyglot Press")
# Well under the Lambda's 60 s, and what "quickly" means for one refused page here.
QUICKLY = 10 * LIMITS.seconds

# Each stays inside the sandbox's own rules (range() <= 100,000 items), yet would
# hang a build or exhaust memory without the budget.
EXPENSIVE = {
    "nested-loops": "{% for a in range(100000) %}{% for b in range(100000) %}x"
    "{% endfor %}{% endfor %}",
    "nested-loops-silent": "{% for a in range(100000) %}{% for b in range(100000) %}"
    "{% endfor %}{% endfor %}",
    "repeat-string": "{{ 'x' * 10**10 }}",
    "repeat-list": "{{ [[0] * 100000] * 100000 }}",
    "ljust": "{{ 'x'.ljust(10**9) }}",
    "center-filter": "{{ 'x' | center(10**9) }}",
    "format-width": "{{ '%999999999s' | format('x') }}",
    "str-format-width": "{{ '{:>999999999}'.format('x') }}",
    "str-format-width-argument": "{{ '{:>{w}}'.format('x', w=10**9) }}",
    "doubling-concat": "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
    "doubling-plus": "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
    "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}",
    "shared-lists": "{% set a = [0] * 100000 %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}"
    "{% set c = [b,b,b,b,b,b,b,b,b,b] %}{{ c | join(',') }}",
    "replace": "{{ ('x' * 1000000) | replace('x', 'x' * 1000) }}",
    "sum-lists": "{{ ([[0] * 1000] * 10000) | sum(start=[]) }}",
    "macro-output": "{% macro m() %}{% for i in range(100000) %}{{ 'y' * 100 }}{% endfor %}"
    "{% endmacro %}{% set s = m() %}{{ s | length }}",
}


def post_theme(body: str) -> bytes:
    return ('{% extends "base.html" %}{% block main %}' + body + "{% endblock %}").encode()


@pytest.mark.parametrize("source", list(EXPENSIVE.values()), ids=list(EXPENSIVE))
def test_an_expensive_template_is_stopped_quickly(source: str) -> None:
    template = environment((("t.html", source),)).get_template("t.html")
    started = time.perf_counter()
    with pytest.raises(ThemeTooExpensive):
        render_bounded(template)
    assert time.perf_counter() - started < QUICKLY


@pytest.mark.parametrize("name", ["nested-loops", "repeat-string"])
def test_the_upload_check_names_the_theme_too_expensive(name: str) -> None:
    storage = MemoryStorage({"theme/post.html": post_theme(EXPENSIVE[name])})
    started = time.perf_counter()
    with pytest.raises(ThemeTooExpensiveError) as info:
        check_design(SETTINGS, storage, "theme/post.html")
    assert time.perf_counter() - started < QUICKLY
    assert info.value.code == "theme-too-expensive"
    assert "too costly" in str(info.value)
    assert "standard look" in str(info.value)


def test_pages_use_the_packaged_template_and_never_try_a_refused_one_again() -> None:
    site = site_config(
        SETTINGS, MemoryStorage({"theme/post.html": post_theme(EXPENSIVE["nested-loops"])})
    )
    started = time.perf_counter()
    first = render_post_page(site, entry(), "es", "<p>body</p>")
    assert time.perf_counter() - started < QUICKLY
    assert "<h1>Hola &lt;mundo&gt;</h1>" in first  # the packaged post.html
    assert "post.html" in environment(site.theme).refused  # type: ignore[attr-defined]

    started = time.perf_counter()
    for lang in ("es", "en"):
        assert "<h1>" in render_post_page(site, entry(), lang, "<p>body</p>")
    assert time.perf_counter() - started < LIMITS.seconds / 2


def test_the_bound_holds_outside_the_main_thread() -> None:
    # Lambda runtimes and build workers may render off the main thread, where no
    # signal can interrupt: the budget counts in the sandbox instead.
    template = environment((("t.html", EXPENSIVE["nested-loops-silent"]),)).get_template("t.html")
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            render_bounded(template)
        except BaseException as exc:  # the assertion below names what happened
            outcome.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(QUICKLY)
    assert not worker.is_alive()
    assert [type(exc) for exc in outcome] == [ThemeTooExpensive]


def test_a_normal_theme_renders_unchanged_and_its_budget_is_its_own() -> None:
    source = "{% for p in range(200) %}<p>{{ p }}</p>{% endfor %}"
    template = environment((("t.html", source),)).get_template("t.html")
    expected = "".join(f"<p>{p}</p>" for p in range(200))
    # Each render starts from zero: many small pages never add up to a refusal.
    for _ in range(200):
        assert render_bounded(template, Limits(operations=2_000)) == expected


def catalog(count: int) -> list[PostEntry]:
    return [
        PostEntry(
            slug=f"post-{n}",
            source_key=f"posts/post-{n}.md",
            source_lang="es",
            content_hash=str(n),
            updated="2024-05-22T12:00:00Z",
            date="2024-05-22",  # one month: its archive and sitemap list every post
            author="Ana",
            project="proyecto",
            versions={
                "es": VersionInfo(f"Entrada {n}", "Una entrada de ejemplo", "original"),
                "en": VersionInfo(f"Post {n}", "An example post", "machine"),
            },
        )
        for n in range(count)
    ]


def test_the_packaged_templates_use_a_tenth_of_the_limits_on_a_large_catalog(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A theme naming a template no page uses: every page goes through the bounded
    # sandbox with the packaged templates, strictly (a refusal raises).
    site: SiteConfig = replace(
        SiteConfig.from_settings(SETTINGS), theme=(("unused.html", ""),), strict_theme=True
    )
    tenth = Limits(LIMITS.operations // 10, LIMITS.output // 10, LIMITS.seconds)
    monkeypatch.setattr(render_module, "LIMITS", tenth)
    entries = catalog(300)
    pages = build_listings(site, entries)
    assert b"Entrada 299" in pages["es/archive/2024/05/index.html"].body
    assert "Entrada 1" in render_post_page(site, entries[1], "es", "<p>body</p>" * 2000)
