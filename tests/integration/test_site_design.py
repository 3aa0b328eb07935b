"""config/site.yml and theme/ uploads through the pipeline: checked, reported, republished."""

from __future__ import annotations

from pathlib import Path

import pytest

from polypub.adapters.localfs import CollectingQueue
from polypub.settings import Settings
from support.local import folder_services
from support.pipeline import Services, finish, process_source_key, process_translation
from support.translators import echo

POST = """\
---
title: Hola a todos
author: Ana
date: 2024-05-22
lang: es
---
Un **saludo** desde el instituto.
"""
THEME_POST = """\
{% extends "base.html" %}
{% block main %}<article class="themed"><h1>{{ title }}</h1>{{ body }}</article>{% endblock %}
"""


@pytest.fixture
def services(tmp_path: Path) -> Services:
    built = folder_services(
        tmp_path,
        settings=Settings(site_url="https://blog.example.org", site_name="Polyglot Press"),
        translator=echo("tagging"),
    )
    built.source.put("posts/hola.md", POST.encode("utf-8"), "text/markdown")
    outcomes = [process_source_key("posts/hola.md", built)]
    assert isinstance(built.jobs, CollectingQueue)
    outcomes += [process_translation(job, built) for job in built.jobs.jobs]
    finish(outcomes, built)
    assert [o.action for o in outcomes] == ["published", "translated"]
    return built


def upload(services: Services, key: str, text: str) -> list[str]:
    """Put a source file and run the step its S3 event would run; the changed paths."""
    services.source.put(key, text.encode("utf-8"), "text/plain")
    return apply(services, key)


def remove(services: Services, key: str) -> list[str]:
    services.source.delete(key)
    return apply(services, key)


def apply(services: Services, key: str) -> list[str]:
    outcome = process_source_key(key, services)
    return [outcome.action, *sorted(set(finish([outcome], services)))]


def page(services: Services, key: str) -> str:
    data = services.site.get(key)
    assert data is not None, key
    return data.decode("utf-8")


def test_a_site_config_republishes_every_page(services: Services) -> None:
    changed = upload(
        services,
        "config/site.yml",
        'name: IES Abastos\ncolors:\n  primary: "#7a1f3d"\n',
    )
    assert changed[0] == "published"
    for path in ("/es/posts/hola/index.html", "/en/posts/hola/index.html", "/es/index.html"):
        assert path in changed
    assert "/static/site.css" in changed
    for key in ("es/posts/hola/index.html", "en/posts/hola/index.html", "en/index.html"):
        assert "IES Abastos" in page(services, key)
    assert "--primary: #7a1f3d;" in page(services, "static/site.css")
    # The machine translation came from memory: nothing was translated again.
    assert "[en] Hola a todos" in page(services, "en/posts/hola/index.html")
    status = services.catalog.get_status("config/site.yml")
    assert status is not None
    assert status.state == "published"

    # A redelivered event, or the same file uploaded again, changes nothing.
    assert apply(services, "config/site.yml") == ["skipped"]


def test_a_bad_config_is_reported_and_its_good_parts_still_apply(services: Services) -> None:
    changed = upload(
        services, "config/site.yml", 'name: IES Abastos\ncolors:\n  primary: "red; } *{"\n'
    )
    assert changed[0] == "failed"
    report = services.source.get("config/site.yml.error.txt")
    assert report is not None
    text = report.decode("utf-8")
    assert "Error: invalid-color" in text
    assert "six hex digits" in text
    status = services.catalog.get_status("config/site.yml")
    assert status is not None
    assert (status.state, status.error_code) == ("failed", "invalid-color")
    home = page(services, "es/index.html")
    assert "IES Abastos" in home
    assert "red;" not in page(services, "static/site.css")

    # Fixed: the report disappears.
    assert upload(services, "config/site.yml", 'colors:\n  primary: "#7a1f3d"\n')[0] == (
        "published"
    )
    assert services.source.get("config/site.yml.error.txt") is None
    assert "Polyglot Press" in page(services, "es/index.html")


def test_a_theme_template_is_used_and_removing_it_restores_the_standard_look(
    services: Services,
) -> None:
    changed = upload(services, "theme/post.html", THEME_POST)
    assert changed[0] == "published"
    assert "/es/posts/hola/index.html" in changed
    assert '<article class="themed"><h1>Hola a todos</h1>' in page(
        services, "es/posts/hola/index.html"
    )

    assert remove(services, "theme/post.html")[0] == "removed"
    assert 'class="themed"' not in page(services, "es/posts/hola/index.html")
    assert '<article class="post">' in page(services, "es/posts/hola/index.html")
    status = services.catalog.get_status("theme/post.html")
    assert status is not None
    assert status.state == "deleted"


def test_a_broken_theme_is_reported_and_the_site_keeps_publishing(services: Services) -> None:
    broken = '{% extends "base.html" %}{% block main %}{{ page.__class__ }}{% endblock %}'
    assert upload(services, "theme/post.html", broken)[0] == "failed"
    report = services.source.get("theme/post.html.error.txt")
    assert report is not None
    assert "Error: invalid-template" in report.decode("utf-8")
    assert '<article class="post">' in page(services, "es/posts/hola/index.html")

    # A post published meanwhile is not held up by the theme.
    services.source.put(
        "posts/adios.md",
        POST.replace("Hola a todos", "Adiós").encode("utf-8"),
        "text/markdown",
    )
    assert apply(services, "posts/adios.md")[0] == "published"
    assert "<h1>Adiós</h1>" in page(services, "es/posts/adios/index.html")

    # The report written beside the template is no theme file: its event changes nothing.
    assert apply(services, "theme/post.html.error.txt") == ["skipped"]
