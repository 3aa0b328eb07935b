"""The reliability rules on the local adapters: sequencer claims, pending paths, listing rounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import pytest

from polypub.adapters.errors import InfrastructureError
from polypub.handlers.s3events import normalise_sequencer
from polypub.model import PostEntry, VersionInfo
from polypub.ports import CatalogConflictError
from polypub.site.pages import build_listings, owned_listing_key
from support.local import folder_services
from support.pipeline import (
    MANY_CHANGES,
    ListingsUnsettledError,
    Outcome,
    Services,
    finish,
    process_source_key,
    process_translation,
    refresh_listings,
)


def seq(value: str) -> str:
    padded = normalise_sequencer(value)
    assert padded is not None
    return padded


def write(services: Services, key: str, title: str) -> None:
    services.source.put(key, f"---\ntitle: {title}\nlang: en\n---\nBody.\n".encode(), "text/plain")


def test_the_json_catalog_orders_events_by_sequencer_too(services: Services) -> None:
    key = "posts/a.md"
    write(services, key, "A")
    assert process_source_key(key, services, sequencer=seq("20")).action == "published"
    services.source.delete(key)
    stale = process_source_key(key, services, sequencer=seq("10"))
    assert stale.action == "skipped"
    assert services.site.get("en/posts/a/index.html") is not None  # a stale event does nothing
    gone = process_source_key(key, services, sequencer=seq("30"))
    assert gone.action == "unpublished"
    finish([gone], services)  # pages go once the listings no longer show them
    assert services.site.get("en/posts/a/index.html") is None


class FlakyCdn:
    """Refuses the first `failures` invalidations, then records them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.invalidated: list[set[str]] = []

    def invalidate(self, paths: Sequence[str]) -> None:
        if self.failures:
            self.failures -= 1
            raise InfrastructureError(
                "CloudFront said TooManyInvalidationsInProgress", retryable=True
            )
        self.invalidated.append(set(paths))


def test_paths_stay_pending_until_an_invalidation_succeeds(services: Services) -> None:
    cdn = FlakyCdn(failures=1)
    services = replace(services, cdn=cdn)
    write(services, "posts/b.md", "B")
    outcome = process_source_key("posts/b.md", services)
    with pytest.raises(InfrastructureError):
        finish([outcome], services)
    pending = services.catalog.pending_paths()
    assert "/en/posts/b/index.html" in pending
    assert "/sitemap.xml" in pending

    # The retry writes nothing new, yet invalidates everything the failed run changed.
    again = process_source_key("posts/b.md", services)
    assert again.changed == []
    finish([again], services)
    assert cdn.invalidated == [pending]
    assert services.catalog.pending_paths() == set()


def entry(slug: str) -> PostEntry:
    return PostEntry(
        slug=slug,
        source_key=f"posts/{slug}.md",
        source_lang="en",
        content_hash=slug,
        updated="2026-01-01T00:00:00Z",
        date="2025-01-01T00:00:00Z",
        versions={"en": VersionInfo(title=slug, description=None, kind="original")},
    )


class RacingCatalog:
    """A catalog that another function changes while listings are being rebuilt.

    `during="read"`: between a full rebuild's read of every post and its check.
    `during="write"`: while an incremental refresh writes what it rendered (it records
    the paths as pending just before), so its check finds the queries answer otherwise.
    """

    def __init__(self, inner: Any, changes: int, during: Literal["read", "write"]) -> None:
        self._inner = inner
        self.changes = changes
        self.during = during
        self.reads = 0  # list_posts calls: one per full rebuild round, and its check
        self.rounds = 0  # get_post calls: one per changed post

    def _publish_elsewhere(self) -> None:
        if self.changes:
            self.changes -= 1
            self._inner.put_post(entry(f"concurrent-{self.changes}"))

    def list_posts(self) -> list[PostEntry]:
        self.reads += 1
        if self.during == "read" and self.reads > 1:
            self._publish_elsewhere()
        posts: list[PostEntry] = self._inner.list_posts()
        return posts

    def get_post(self, slug: str) -> PostEntry | None:
        self.rounds += 1
        found: PostEntry | None = self._inner.get_post(slug)
        return found

    def add_pending_paths(self, paths: Sequence[str]) -> None:
        self._inner.add_pending_paths(paths)
        if self.during == "write":
            self._publish_elsewhere()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def published(slug: str) -> Outcome:
    """What publishing a new post tells the listings: it was not in the catalog before."""
    return Outcome(f"posts/{slug}.md", "published", slug=slug, entries_before={slug: None})


def design_change() -> Outcome:
    return Outcome("config/site.yml", "published", rebuild_all=True)


def test_listings_are_rendered_again_until_the_catalog_they_show_is_current(
    services: Services,
) -> None:
    services.catalog.put_post(entry("first"))
    racing = RacingCatalog(services.catalog, changes=1, during="write")
    services = replace(services, catalog=racing)
    refresh_listings([published("first")], services)
    home = (services.site.get("en/index.html") or b"").decode()
    assert "/en/posts/first/" in home
    # Published by another function while this one wrote: shown by the second round.
    assert "/en/posts/concurrent-0/" in home
    # The units are worked out once; the second round renders only those whose
    # questions answer otherwise now.
    assert racing.rounds == 1
    assert racing.reads == 0  # one post changed: the whole catalog is never read


def test_a_full_rebuild_is_repeated_until_the_catalog_it_read_is_current(
    services: Services,
) -> None:
    services.catalog.put_post(entry("first"))
    racing = RacingCatalog(services.catalog, changes=1, during="read")
    services = replace(services, catalog=racing)
    refresh_listings([design_change()], services)
    home = (services.site.get("en/index.html") or b"").decode()
    assert "/en/posts/first/" in home
    assert "/en/posts/concurrent-0/" in home
    assert racing.reads == 3  # read, check (changed), check again after a second round


@pytest.mark.parametrize(
    ("during", "outcome"), [("write", published("first")), ("read", design_change())]
)
def test_a_catalog_that_never_settles_fails_the_batch_for_a_retry(
    services: Services, during: Literal["read", "write"], outcome: Outcome
) -> None:
    services.catalog.put_post(entry("first"))
    services = replace(services, catalog=RacingCatalog(services.catalog, 100, during))
    with pytest.raises(ListingsUnsettledError):
        refresh_listings([outcome], services)


class DeletedWhileTranslating:
    """A catalog whose post is unpublished by another function just as a translation saves."""

    def __init__(self, inner: Any, unpublish: Any) -> None:
        self._inner = inner
        self._unpublish = unpublish

    def put_post(self, entry: PostEntry, **kwargs: Any) -> None:
        if self._unpublish is not None:
            unpublish, self._unpublish = self._unpublish, None
            unpublish()  # the render step handles the DELETE in between
        self._inner.put_post(entry, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_translation_finishing_after_its_post_was_deleted_takes_its_page_back(
    tmp_path: Path,
) -> None:
    services = folder_services(tmp_path)
    write(services, "posts/c.md", "C")
    assert process_source_key("posts/c.md", services).action == "published"
    (job,) = services.jobs.jobs  # type: ignore[attr-defined]

    def delete_the_post() -> None:
        services.source.delete("posts/c.md")
        deleted = process_source_key("posts/c.md", services)
        assert deleted.action == "unpublished"
        finish([deleted], services)

    racing = replace(services, catalog=DeletedWhileTranslating(services.catalog, delete_the_post))
    outcome = process_translation(job, racing)
    assert (outcome.action, outcome.message) == ("skipped", "superseded while translating")
    changed = finish([outcome], services)
    assert services.catalog.get_post("c") is None
    # Neither language's page stays online without its post.
    assert services.site.get("es/posts/c/index.html") is None
    assert services.site.get("en/posts/c/index.html") is None
    assert "/es/posts/c/index.html" in changed  # and the CDN forgets it


def test_put_post_with_an_expectation_refuses_a_changed_entry(services: Services) -> None:
    first = entry("d")
    services.catalog.put_post(first, expected=None)
    with pytest.raises(CatalogConflictError):
        services.catalog.put_post(replace(first, content_hash="x"), expected=None)
    services.catalog.put_post(replace(first, content_hash="y"), expected=first)
    with pytest.raises(CatalogConflictError):
        services.catalog.put_post(replace(first, content_hash="z"), expected=first)
    current = services.catalog.get_post("d")
    assert current is not None
    assert current.content_hash == "y"


@pytest.mark.parametrize("posts", [1, MANY_CHANGES + 2])
def test_a_batch_of_changes_leaves_exactly_the_listings_a_full_rebuild_makes(
    services: Services, posts: int
) -> None:
    """Few changes take the bounded queries, many the one catalog read: the same site."""
    outcomes = []
    for i in range(posts):
        month = 1 + i % 3
        services.source.put(
            f"posts/p{i}.md",
            f"---\ntitle: P{i}\nlang: en\ndate: 2024-0{month}-1{i % 9}\nproject: x{i % 2}\n"
            f"author: A{i % 2}\n---\nBody {i}.\n".encode(),
            "text/plain",
        )
        outcomes.append(process_source_key(f"posts/p{i}.md", services))
    finish(outcomes, services)
    expected = build_listings(services.site_config, services.catalog.list_posts())
    written = {
        key for key in services.site.list_keys() if owned_listing_key(services.site_config, key)
    }
    assert written == set(expected)
    for key, item in expected.items():
        assert services.site.get(key) == item.body, key
