"""steps/translate.py: machine translations of the current version only, people's kept."""

from __future__ import annotations

from dataclasses import replace

from conftest import Site, post
from polypub.content.keys import classify_key
from polypub.content.post import parse_post
from polypub.content.post_markdown import draft_key
from polypub.model import PostEntry, TranslationJob
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


# ----------------------------------------------------------------------------- drafts


def test_each_machine_translation_is_kept_as_an_editable_file_beside_the_sources(
    site: Site,
) -> None:
    site.upload("posts/trip.md", post("Our trip", "We went to **Rome**.", author="Ana"))
    site.run("posts/trip.md")
    site.translate_all()
    key = draft_key("posts/trip.md", "es")
    assert key == "machine-translations/trip.es.md"
    data = site.services.source.get(key)
    assert data is not None
    draft = parse_post("posts/trip.es.md", data)
    assert (draft.title, draft.author, draft.translation_lang) == ("[es] Our trip", "Ana", "es")
    assert draft.body == "[es] We went to **Rome**.\n"
    assert "translation_of: posts/trip.md" in data.decode()
    # A job done again writes nothing new.
    before = site.services.source.head(key)
    process_translation(TranslationJob.of(_entry(site, "trip"), ("es",)), site.services)
    assert site.services.source.head(key) == before
    # Nothing under machine-translations/ is a source of the site.
    assert classify_key(key).kind == "other"


def test_a_translation_markdown_cannot_write_gets_its_page_and_no_copy(site: Site) -> None:
    # Emphasis inside emphasis, right against a word: "*w*w**" reads as something else,
    # so the teacher is not handed a file that would publish another page.
    site.services = replace(
        site.services, translator=FakeTranslator("nested", lambda _t, _l: "<g1>w<g2>w</g2></g1>")
    )
    site.upload("posts/nest.md", post("Nested", "*a *b**"))
    site.run("posts/nest.md")
    (outcome,) = site.translate_all()
    assert outcome.action == "translated"
    assert "<em>w<em>w</em></em>" in (site.page("es", "nest") or "")
    assert site.services.source.get(draft_key("posts/nest.md", "es")) is None


def _entry(site: Site, slug: str) -> PostEntry:
    entry = site.services.catalog.get_post(slug)
    assert entry is not None
    return entry
