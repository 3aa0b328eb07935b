"""steps/translate.py: machine translations of the current version only, people's kept."""

from __future__ import annotations

from dataclasses import replace

from conftest import Site, post
from polypub.steps.translate import process_translation
from support.translators import FakeTranslator


def test_a_job_writes_the_translated_page_and_counts_what_was_sent(
    site: Site, translator: FakeTranslator
) -> None:
    site.upload("posts/trip.md", post("Our trip", "We went to Rome."))
    site.run("posts/trip.md")
    (outcome,) = site.translate_all()
    assert outcome.action == "translated"
    assert outcome.languages == ("es",)
    assert outcome.chars_sent == sum(len(text) for text in translator.sent) > 0
    assert "[es] We went to Rome." in (site.page("es", "trip") or "")
    status = site.services.catalog.get_status("posts/trip.md")
    assert status is not None
    assert status.chars_sent == outcome.chars_sent
    # The original's page now links to the Spanish one.
    assert "/es/posts/trip/" in (site.page("en", "trip") or "")


def test_a_job_for_an_older_version_does_nothing(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip"))
    site.run("posts/trip.md")
    old = site.queue.pop()
    site.upload("posts/trip.md", post("Our trip, edited"))
    site.run("posts/trip.md")
    outcome = process_translation(old, site.services)
    assert (outcome.action, outcome.message) == (
        "skipped",
        "superseded by a newer version of the post",
    )
    assert site.page("es", "trip") is None


def test_a_job_for_a_deleted_post_does_nothing(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip"))
    site.run("posts/trip.md")
    site.delete("posts/trip.md")
    site.run("posts/trip.md")
    (outcome,) = site.translate_all()
    assert (outcome.action, outcome.message) == ("skipped", "the source was deleted")
    assert site.page("es", "trip") is None


def test_the_same_job_twice_changes_nothing_the_second_time(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip"))
    site.run("posts/trip.md")
    job = site.queue[0]
    site.translate_all()
    again = process_translation(replace(job), site.services)
    assert again.action == "skipped"
    assert again.message == "already translated"
    assert again.changed == []
