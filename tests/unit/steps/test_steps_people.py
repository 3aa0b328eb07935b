"""steps/people.py: a person's translation wins, and says only what is true when refused."""

from __future__ import annotations

from conftest import Site, post
from polypub.content.post_markdown import draft_key
from support.translators import FakeTranslator


def test_a_persons_translation_replaces_the_machines(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip"))
    site.run("posts/trip.md")
    site.translate_all()
    assert "[es]" in (site.page("es", "trip") or "")
    site.upload("posts/trip.es.md", post("Nuestro viaje", "Texto de una persona.", lang="es"))
    outcome = site.run("posts/trip.es.md")
    assert outcome.action == "published"
    page = site.page("es", "trip") or ""
    assert "Texto de una persona." in page
    assert "[es]" not in page
    entry = site.services.catalog.get_post("trip")
    assert entry is not None
    assert entry.versions["es"].kind == "human"


def test_a_translation_whose_original_is_not_published_is_refused(site: Site) -> None:
    site.upload("posts/alone.es.md", post("Solo", lang="es"))
    outcome = site.run("posts/alone.es.md")
    assert (outcome.action, outcome.error_code) == ("failed", "original-missing")
    assert "posts/alone.md" in (site.report("posts/alone.es.md") or "")
    assert site.page("es", "alone") is None


def test_a_translation_named_after_the_originals_language_is_refused(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip"))
    site.run("posts/trip.md")
    site.upload("posts/trip.en.md", post("Our trip again"))
    outcome = site.run("posts/trip.en.md")
    assert (outcome.action, outcome.error_code) == ("failed", "translation-same-language")
    assert "posts/trip.es.md" in (site.report("posts/trip.en.md") or "")


def test_deleting_a_persons_translation_brings_the_machine_back(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip"))
    site.run("posts/trip.md")
    site.upload("posts/trip.es.md", post("Nuestro viaje", lang="es"))
    site.run("posts/trip.es.md")
    site.translate_all()  # the original's job skips the person's language
    assert "[es]" not in (site.page("es", "trip") or "")
    site.delete("posts/trip.es.md")
    outcome = site.run("posts/trip.es.md")
    assert outcome.action == "removed"
    assert [job.targets for job in site.queue] == [("es",)]
    site.translate_all()
    assert "[es]" in (site.page("es", "trip") or "")


def test_deleting_the_original_leaves_its_translation_unpublished_with_a_report(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip"))
    site.run("posts/trip.md")
    site.upload("posts/trip.es.md", post("Nuestro viaje", lang="es"))
    site.run("posts/trip.es.md")
    site.delete("posts/trip.md")
    site.run("posts/trip.md")
    assert site.page("es", "trip") is None
    assert site.status("posts/trip.es.md") == ("failed", "original-missing")
    assert "posts/trip.md, which was deleted" in (site.report("posts/trip.es.md") or "")


def test_a_corrected_draft_counts_as_the_persons_and_teaches_memory(
    site: Site, translator: FakeTranslator
) -> None:
    site.upload("posts/trip.md", post("Our trip", "We went to Rome.\n\nWe ate pizza."))
    site.run("posts/trip.md")
    site.translate_all()
    draft = site.services.source.get(draft_key("posts/trip.md", "es"))
    assert draft is not None
    corrected = draft.decode().replace("[es] We ate pizza.", "Comimos pizza.")
    site.upload("posts/trip.es.md", corrected)
    outcome = site.run("posts/trip.es.md")
    assert outcome.action == "published"
    assert outcome.message == "1 corrected segment kept in translation memory"
    entry = site.services.catalog.get_post("trip")
    assert entry is not None
    assert entry.versions["es"].kind == "human"
    assert "Comimos pizza." in (site.page("es", "trip") or "")

    # The same file again (a redelivered event) is not learned twice.
    assert site.run("posts/trip.es.md").message is None

    sent = len(translator.sent)
    site.upload("posts/next.md", post("Next trip", "We ate pizza."))
    site.run("posts/next.md")
    site.translate_all()
    assert "<p>Comimos pizza.</p>" in (site.page("es", "next") or "")
    assert translator.sent[sent:] == ["Next trip"]


def test_a_machine_copy_uploaded_under_another_posts_name_is_refused(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip", "We went to Rome."))
    site.upload("posts/walk.md", post("Our walk", "We walked."))
    site.run("posts/trip.md")
    site.run("posts/walk.md")
    site.translate_all()
    draft = site.services.source.get(draft_key("posts/trip.md", "es"))
    assert draft is not None
    site.upload("posts/walk.es.md", draft)
    outcome = site.run("posts/walk.es.md")
    assert (outcome.action, outcome.error_code) == ("failed", "translation-of-another-post")
    report = site.report("posts/walk.es.md") or ""
    assert "upload it as posts/trip.es.md" in report
    assert "[es] We went to Rome." not in (site.page("es", "walk") or "")
    # Under its own name it is the person's translation.
    site.upload("posts/trip.es.md", draft)
    assert site.run("posts/trip.es.md").action == "published"
