"""Mistakes teachers make with names and flags: the site they meant, or a named error."""

from __future__ import annotations

from pathlib import Path

from polypub.content.keys import report_key
from support.pipeline import Services, apply_source_change, apply_translation


def upload(services: Services, key: str, text: str) -> None:
    services.source.put(key, text.encode(), "text/markdown")
    apply_source_change(key, services)
    for job in list(services.jobs.jobs):  # type: ignore[attr-defined]
        apply_translation(job, services)
    services.jobs.jobs.clear()  # type: ignore[attr-defined]


def remove(services: Services, key: str) -> None:
    services.source.delete(key)
    apply_source_change(key, services)


def page(services: Services, lang: str, slug: str) -> str | None:
    data = services.site.get(f"{lang}/posts/{slug}/index.html")
    return None if data is None else data.decode()


def test_a_translation_named_after_the_originals_own_language_is_refused(
    services: Services,
) -> None:
    upload(services, "posts/viaje.md", "---\ntitle: Viaje\nlang: es\n---\nFuimos a Roma.\n")
    original = page(services, "es", "viaje")

    upload(services, "posts/viaje.es.md", "---\ntitle: Otro viaje\n---\nOtro texto.\n")

    status = services.catalog.get_status("posts/viaje.es.md")
    assert status is not None
    assert status.error_code == "translation-same-language"
    assert "posts/viaje.en.md" in (status.message or "")
    assert services.source.get(report_key("posts/viaje.es.md")) is not None
    assert page(services, "es", "viaje") == original
    entry = services.catalog.get_post("viaje")
    assert entry is not None
    assert entry.versions["es"].kind == "original"

    remove(services, "posts/viaje.es.md")  # deleting the mistake takes nothing offline
    assert page(services, "es", "viaje") == original


def test_translate_false_takes_the_machine_translation_down(services: Services) -> None:
    upload(services, "posts/menu.md", "---\ntitle: Menu\nlang: en\n---\nToday's menu.\n")
    assert page(services, "es", "menu") is not None

    upload(
        services,
        "posts/menu.md",
        "---\ntitle: Menu\nlang: en\ntranslate: false\n---\nToday's menu.\n",
    )

    assert page(services, "es", "menu") is None
    entry = services.catalog.get_post("menu")
    assert entry is not None
    assert set(entry.versions) == {"en"}
    assert "/es/posts/menu/" not in (services.site.get("es/index.html") or b"").decode()


def test_a_renamed_post_with_its_own_slug_stays_online(services: Services) -> None:
    text = "---\ntitle: Fiesta\nslug: fiesta\nlang: es\n---\nLa fiesta.\n"
    upload(services, "posts/old-name.md", text)
    # A client renames by copying, then deleting: the copy first finds the slug taken.
    upload(services, "posts/new-name.md", text)
    failed = services.catalog.get_status("posts/new-name.md")
    assert failed is not None
    assert failed.error_code == "slug-taken"

    remove(services, "posts/old-name.md")

    entry = services.catalog.get_post("fiesta")
    assert entry is not None
    assert entry.source_key == "posts/new-name.md"
    assert page(services, "es", "fiesta") is not None
    status = services.catalog.get_status("posts/new-name.md")
    assert status is not None
    assert status.state == "published"
    assert services.source.get(report_key("posts/new-name.md")) is None


def test_a_persons_translation_is_no_longer_published_once_its_original_goes(
    services: Services,
) -> None:
    upload(services, "posts/club.md", "---\ntitle: Club\nlang: en\n---\nOur club.\n")
    upload(services, "posts/club.es.md", "---\ntitle: Club\n---\nNuestro club.\n")
    assert "Nuestro club" in (page(services, "es", "club") or "")

    remove(services, "posts/club.md")

    assert page(services, "es", "club") is None
    status = services.catalog.get_status("posts/club.es.md")
    assert status is not None
    assert status.state != "published"
    assert "posts/club.md" in (status.message or "")


def test_a_local_build_writes_no_report_into_the_content_folder(
    services: Services, tmp_path: Path
) -> None:
    upload(services, "posts/broken.md", "---\ntitle: [oops\n---\n")

    assert not (tmp_path / "content" / "posts" / "broken.md.error.txt").exists()
    assert services.source.get(report_key("posts/broken.md")) is not None  # kept in the state
    assert "broken.md.error.txt" not in "".join(services.source.list_keys())
