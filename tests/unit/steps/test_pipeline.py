"""pipeline.py: each kind of key reaches its step, and a freed slug reaches who waits for it."""

from __future__ import annotations

from conftest import Site, post
from polypub import pipeline


def test_each_kind_of_key_reaches_its_step(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.upload("notes/readme.txt", "not for the site")
    assert pipeline.dispatch("posts/a.md", site.services).action == "published"
    assert pipeline.dispatch("notes/readme.txt", site.services).action == "skipped"
    assert pipeline.dispatch("posts/gone.md", site.services).action == "unpublished"
    assert pipeline.dispatch("assets/gone.png", site.services).action == "skipped"
    assert pipeline.dispatch("config/glossary.yml", site.services).message == "unchanged"


def test_a_freed_slug_goes_to_the_file_that_was_refused_for_it(site: Site) -> None:
    site.upload("posts/old-name.md", post("Trip", slug="trip"))
    site.run("posts/old-name.md")
    site.upload("posts/new-name.md", post("Trip", slug="trip"))
    assert site.run("posts/new-name.md").error_code == "slug-taken"
    site.delete("posts/old-name.md")
    outcome = site.run("posts/old-name.md")
    assert outcome.action == "unpublished"
    assert site.status("posts/new-name.md") == ("published", None)
    entry = site.services.catalog.get_post("trip")
    assert entry is not None
    assert entry.source_key == "posts/new-name.md"
    assert site.page("en", "trip") is not None


def test_an_event_older_than_one_handled_does_nothing(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    assert pipeline.process_source_key("posts/a.md", site.services, sequencer="2").action == (
        "published"
    )
    stale = pipeline.process_source_key("posts/a.md", site.services, sequencer="1")
    assert stale.action == "skipped"


def test_a_post_with_an_upper_case_extension_gets_a_report(site: Site) -> None:
    site.upload("posts/Viaje.MD", post("Viaje"))
    outcome = site.run("posts/Viaje.MD")
    assert (outcome.action, outcome.error_code) == ("failed", "post-extension-case")
    assert site.report("posts/Viaje.MD") is not None
    site.delete("posts/Viaje.MD")
    site.run("posts/Viaje.MD")
    assert site.report("posts/Viaje.MD") is None
