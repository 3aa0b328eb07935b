"""Catalog entries: what one post's entry is, and saving or removing it with its pages."""

from __future__ import annotations

from collections.abc import Iterable

from polypub.content.post import Post
from polypub.model import PostEntry, VersionInfo
from polypub.settings import Settings
from polypub.site import urls
from polypub.steps.context import Outcome, Services, iso
from polypub.steps.site_writing import delete_existing
from polypub.steps.sources import image_sizes


def entry_for(
    post: Post,
    source_lang: str,
    previous: PostEntry | None,
    services: Services,
    *,
    keep_machine: bool = True,
) -> PostEntry:
    """The entry of a post just published in its own language, keeping the other versions.

    Existing translations stay online until their replacements are ready: publishing the
    original never waits for the translator.
    """
    original = VersionInfo(
        title=post.title,
        description=post.description,
        kind="original",
        source_hash=post.content_hash,
    )
    versions: dict[str, VersionInfo] = {source_lang: original}
    updated = services.now()
    if previous is not None:
        for lang, version in previous.versions.items():
            if lang == source_lang or version.kind == "original":
                continue
            if version.kind == "machine" and not keep_machine:
                continue  # `translate: false` (or no site language): machine versions go
            versions[lang] = version
        if previous.content_hash == post.content_hash:
            updated = previous.updated  # a redelivered event changes nothing
    sizes = image_sizes(post.images, services)
    return PostEntry(
        slug=post.slug,
        source_key=post.source_key,
        source_lang=source_lang,
        content_hash=post.content_hash,
        updated=updated,
        date=iso(post.date) if post.date else None,
        author=post.author,
        project=post.project,
        images=post.images,
        versions=versions,
        image_sizes={src: (size.width, size.height) for src, size in sizes.items()},
        co_authors=post.co_authors,
    )


def expected_entry(post: Post, source_lang: str, services: Services) -> PostEntry:
    """The entry publishing a new post gives (what `polypub build` prepares pages for)."""
    return entry_for(post, source_lang, None, services)


def machine_targets(entry: PostEntry, post: Post, settings: Settings) -> tuple[str, ...]:
    """The languages the machine translates: not the original's, a person's, or up to date."""
    if not post.translate:
        return ()
    return tuple(
        lang
        for lang in settings.languages
        if lang != entry.source_lang
        and not (
            (version := entry.versions.get(lang)) is not None
            and (version.kind == "human" or version.source_hash == entry.content_hash)
        )
    )


def save_entry(
    entry: PostEntry, previous: PostEntry | None, services: Services, outcome: Outcome
) -> None:
    """Write a catalog entry unless unchanged, noting what it was for the listings."""
    if entry == previous:
        return
    outcome.entries_before.setdefault(entry.slug, previous)
    # Remembered in the catalog first: if this function dies before the listings are
    # refreshed, the next run to refresh them (often this message's retry) does it.
    services.catalog.add_pending_entries({entry.slug: previous})
    # Only over what was read: a post another function changed or removed meanwhile
    # raises CatalogConflictError, and the step is done again from the current state.
    services.catalog.put_post(entry, expected=previous)


def remove_post(slug: str, services: Services, outcome: Outcome) -> None:
    """Remove a post's catalog entry; its pages go once the listings no longer show it."""
    previous = services.catalog.get_post(slug)
    outcome.entries_before.setdefault(slug, previous)
    outcome.retire(slug, services.settings.languages)
    services.catalog.add_pending_entries({slug: previous})
    services.catalog.delete_post(slug)


def take_down_retired(outcomes: Iterable[Outcome], services: Services) -> list[str]:
    """Delete the retired pages that no entry has (again): after the listings dropped them.

    A page whose post is back by now (a slug handed to another file, a translation
    published again) stays.
    """
    retired: dict[str, set[str]] = {}
    for outcome in outcomes:
        for slug, langs in outcome.retired.items():
            retired.setdefault(slug, set()).update(langs)
    keys = []
    for slug, langs in sorted(retired.items()):
        entry = services.catalog.get_post(slug)
        gone = sorted(lang for lang in langs if entry is None or lang not in entry.versions)
        keys += post_page_keys(slug, gone)
    return delete_existing(keys, services)


def post_page_keys(slug: str, langs: Iterable[str]) -> list[str]:
    """The site keys of a post's pages in these languages."""
    return [urls.object_key(urls.post_url(lang, slug)) for lang in langs]
