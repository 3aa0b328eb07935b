"""steps/entries.py: an entry keeps people's translations and knows what the machine does."""

from __future__ import annotations

from dataclasses import replace

from conftest import Site, post
from polypub.content.post import parse_post
from polypub.model import VersionInfo
from polypub.settings import Settings
from polypub.steps.context import Outcome
from polypub.steps.entries import (
    entry_for,
    machine_targets,
    remove_post,
    save_entry,
    take_down_retired,
)


def test_a_new_version_keeps_translations_until_they_are_replaced(site: Site) -> None:
    first = parse_post("posts/a.md", post("A", "One."))
    entry = entry_for(first, "en", None, site.services)
    human = VersionInfo(title="A es", description=None, kind="human", source_hash="old")
    machine = VersionInfo(title="A ca", description=None, kind="machine", source_hash="old")
    entry = replace(entry, versions={**entry.versions, "es": human, "ca": machine})
    second = parse_post("posts/a.md", post("A", "Two."))
    kept = entry_for(second, "en", entry, site.services)
    assert kept.versions["es"] is human
    assert kept.versions["ca"] is machine
    assert kept.versions["en"].source_hash == second.content_hash
    dropped = entry_for(second, "en", entry, site.services, keep_machine=False)
    assert set(dropped.versions) == {"en", "es"}


def test_the_machine_translates_only_what_is_missing_or_out_of_date(site: Site) -> None:
    settings = Settings(languages=("es", "en", "ca"))
    text = parse_post("posts/a.md", post("A"), languages=settings.languages)
    entry = entry_for(text, "en", None, replace(site.services, settings=settings))
    assert machine_targets(entry, text, settings) == ("es", "ca")
    fresh = VersionInfo(title="x", description=None, kind="machine", source_hash=entry.content_hash)
    human = VersionInfo(title="x", description=None, kind="human", source_hash="older")
    entry = replace(entry, versions={**entry.versions, "es": fresh, "ca": human})
    assert machine_targets(entry, text, settings) == ()
    untranslated = parse_post("posts/a.md", post("A", translate="false"))
    assert machine_targets(entry, untranslated, settings) == ()


def test_an_entry_saved_twice_is_written_once_and_removed_before_its_pages(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    entry = site.services.catalog.get_post("a")
    assert entry is not None
    outcome = Outcome("posts/a.md", "published")
    save_entry(entry, entry, site.services, outcome)
    assert outcome.entries_before == {}
    remove_post("a", site.services, outcome)
    assert outcome.entries_before == {"a": entry}
    assert outcome.retired == {"a": {"es", "en"}}
    assert site.page("en", "a") is not None  # until the listings no longer show it
    assert site.services.catalog.get_post("a") is None
    assert site.services.catalog.pending_entries() == {"a": entry}


def test_retired_pages_go_unless_their_post_is_back(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    outcome = Outcome("posts/x.md", "unpublished")
    outcome.retire("a", ["en"])
    outcome.retire("gone", ["en", "es"])
    assert take_down_retired([outcome], site.services) == []  # "a" is still published
    entry = site.services.catalog.get_post("a")
    assert entry is not None
    remove_post("a", site.services, outcome)
    assert take_down_retired([outcome], site.services) == ["/en/posts/a/index.html"]
