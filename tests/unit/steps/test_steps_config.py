"""steps/config.py: the design republishes every page, the glossary requeues, assets copy."""

from __future__ import annotations

from conftest import Site, post
from polypub.steps.config import apply_config_change, sync_asset

PNG = (
    b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x01" * 2 + b"\x08\x02\x00\x00\x00"
)


def test_a_design_change_rewrites_every_post_page(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    site.upload("config/site.yml", "name: Escola Oberta\n")
    outcome = site.run("config/site.yml")
    assert outcome.action == "published"
    # Without a queue (a build) the run's jobs run at once: the pages and the listings.
    assert outcome.message is not None
    assert outcome.message.endswith("(all): 2 jobs")
    assert "Escola Oberta" in (site.page("en", "a") or "")
    assert "/en/posts/a/index.html" in outcome.changed
    assert "/en/index.html" in outcome.changed
    [run] = site.services.catalog.list_runs()
    assert (run.reason, run.total, run.done, run.left) == ("config/site.yml", 2, 2, 0)
    # The same design again is unchanged.
    assert site.run("config/site.yml").action == "skipped"


def test_a_glossary_change_queues_every_machine_translated_post(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    site.translate_all()
    site.upload("config/glossary.yml", "do_not_translate:\n  - Erasmus+\n  - IES Abastos\n")
    outcome = site.run("config/glossary.yml")
    assert outcome.action == "published"
    assert outcome.message is not None
    # One job (one post) of the run, run at once without a queue, queued the translation.
    assert "glossary entries; republish glossary-" in outcome.message
    assert outcome.message.endswith("(all): 1 jobs")
    assert [job.targets for job in site.queue] == [("es",)]
    # Uploading the same glossary again changes nothing.
    assert apply_config_change("config/glossary.yml", site.services).action == "skipped"


def test_an_invalid_glossary_is_reported_and_queues_nothing(site: Site) -> None:
    site.upload("config/glossary.yml", "do_not_translate: [unclosed\n")
    outcome = site.run("config/glossary.yml")
    assert (outcome.action, outcome.error_code) == ("failed", "glossary-invalid-yaml")
    assert site.report("config/glossary.yml") is not None
    assert site.queue == []


def test_other_config_files_are_skipped(site: Site) -> None:
    site.upload("config/other.yml", "a: 1\n")
    assert site.run("config/other.yml").action == "skipped"


def test_an_asset_is_copied_once_and_removed_with_its_source(site: Site) -> None:
    site.upload("assets/a.png", PNG)
    assert sync_asset("assets/a.png", site.services).action == "copied"
    assert site.services.site.get("assets/a.png") == PNG
    assert sync_asset("assets/a.png", site.services).action == "skipped"
    site.delete("assets/a.png")
    assert sync_asset("assets/a.png", site.services).action == "removed"
    assert site.services.site.get("assets/a.png") is None
    assert sync_asset("assets/a.png", site.services).action == "skipped"


def test_active_content_is_never_published_and_says_what_to_upload(site: Site) -> None:
    site.upload("assets/evil.html", b"<script>alert(1)</script>")
    site.upload("assets/evil.js", b"alert(1)")
    site.upload("assets/fake.png", b"<html><script>alert(1)</script></html>")
    for key in ("assets/evil.html", "assets/evil.js", "assets/fake.png"):
        outcome = site.run(key)
        assert (outcome.action, outcome.error_code) == ("failed", "asset-type-not-allowed")
        assert site.services.site.get(key) is None
        assert site.report(key) is not None
    assert "PNG" in (site.report("assets/evil.html") or "")


def test_a_refused_asset_fixed_or_deleted_loses_its_report(site: Site) -> None:
    site.upload("assets/a.png", b"GIF89a not a png")
    assert site.run("assets/a.png").action == "failed"
    site.upload("assets/a.png", PNG)
    assert site.run("assets/a.png").action == "copied"
    assert site.report("assets/a.png") is None
    assert site.status("assets/a.png") == ("published", None)
    site.upload("assets/b.svg", b"<svg onload='alert(1)'/>")
    site.run("assets/b.svg")
    site.delete("assets/b.svg")
    site.run("assets/b.svg")
    assert site.report("assets/b.svg") is None
    assert site.status("assets/b.svg") == ("deleted", None)
