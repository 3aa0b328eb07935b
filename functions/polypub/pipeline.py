"""The publishing steps, readable top to bottom: source change -> pages -> listings -> CDN."""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal, TypeVar

from polypub.content.errors import ContentError, PostTooLargeError
from polypub.content.keys import classify_key, report_key
from polypub.content.language import identify_language
from polypub.content.markdown import render_body
from polypub.content.post import Post, parse_post
from polypub.content.sanitize import sanitize_html
from polypub.model import PostEntry, SourceStatus, TranslationJob, VersionInfo
from polypub.ports import (
    Catalog,
    CatalogConflictError,
    Cdn,
    JobQueue,
    Notifier,
    Storage,
    TranslationMemory,
    Translator,
)
from polypub.settings import Settings
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.design import check_design, is_design_key, site_config
from polypub.site.images import ImageSize, measure_images
from polypub.site.listings import (
    Feed,
    Front,
    ListingIndex,
    SitemapShard,
    Unit,
    affected_units,
    collection,
    sitemap_periods,
)
from polypub.site.pages import (
    Rendered,
    build_listings,
    fixed_objects,
    listing_prefixes,
    render_post_page,
    render_unit,
    sitemap_index,
    unit_key,
)
from polypub.translate.engine import TranslatedPost, TranslationEngine, provider_names
from polypub.translate.errors import TranslationError
from polypub.translate.glossary import (
    DEFAULT_GLOSSARY,
    GLOSSARY_KEY,
    Glossary,
    parse_glossary,
)

log = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
# Pages are invalidated on every change, so the CDN may keep them long; browsers
# revalidate after a minute so a teacher sees an edit without a hard reload.
PAGE_CACHE = "public, max-age=60, s-maxage=31536000"
ASSET_CACHE = "public, max-age=86400"

Action = Literal["published", "unpublished", "translated", "failed", "skipped", "copied", "removed"]


_T = TypeVar("_T")
CACHE_SECONDS = 600.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """Everything a step touches, injected explicitly (cloud or local implementations)."""

    settings: Settings
    source: Storage
    site: Storage
    catalog: Catalog
    translator: Translator
    memory: TranslationMemory
    cdn: Cdn
    jobs: JobQueue
    clock: Callable[[], datetime] = _utcnow
    # Failure reports are also sent here when set (SNS e-mail in the cloud).
    notifier: Notifier | None = None
    # What one batch reads again and again (the design, the glossary, image sizes);
    # emptied when the batch finishes, so a change is never seen late (see cached()).
    cache: dict[str, tuple[float, object]] = field(default_factory=dict, compare=False, repr=False)

    def cached(self, name: str, make: Callable[[], _T]) -> _T:
        """``make()``'s value, read once per batch (and never kept over CACHE_SECONDS).

        Each Lambda batch starts and pipeline.finish() ends with an empty cache, and a
        design or glossary change empties it at once; the age limit is a last guard.
        """
        now = time.monotonic()
        hit = self.cache.get(name)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]  # type: ignore[return-value]
        value = make()
        self.cache[name] = (now, value)
        return value

    def remember(self, name: str, value: object) -> None:
        """Put a value computed elsewhere (polypub build prepares posts in parallel)."""
        self.cache[name] = (time.monotonic(), value)

    def recall(self, name: str) -> object | None:
        hit = self.cache.get(name)
        return hit[1] if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS else None

    def forget(self) -> None:
        self.cache.clear()

    @property
    def site_config(self) -> SiteConfig:
        # The school's config/site.yml and theme/ live in the source bucket beside posts.
        return self.cached("site-config", lambda: site_config(self.settings, self.source))

    def now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Outcome:
    """What one step did: shown in summaries and turned into one CDN invalidation."""

    key: str
    action: Action
    slug: str | None = None
    message: str | None = None
    error_code: str | None = None
    changed: list[str] = field(default_factory=list)
    # Catalog entries this step changed, by slug, as they were before it: the listing
    # pages that show them are re-rendered (listings.affected_units).
    entries_before: dict[str, PostEntry | None] = field(default_factory=dict)
    # Every listing is rebuilt (a design change: every page looks different).
    rebuild_all: bool = False
    chars_sent: int = 0
    chars_by_provider: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    languages: tuple[str, ...] = ()

    def absorb(self, other: Outcome) -> None:
        """Take over what another step changed (it ran on behalf of this one)."""
        self.changed += other.changed
        for slug, before in other.entries_before.items():
            self.entries_before.setdefault(slug, before)
        self.rebuild_all = self.rebuild_all or other.rebuild_all


class SlugTakenError(ContentError):
    """Two different source files claim the same slug."""

    code = "slug-taken"


class OriginalMissingError(ContentError):
    """A person's translation arrived for a post that is not published."""

    code = "original-missing"


class SameLanguageTranslationError(ContentError):
    """A person's translation names the language the original is already written in."""

    code = "translation-same-language"


class ListingsUnsettledError(Exception):
    """The catalog kept changing while the listings were rebuilt; the caller retries later."""

    retryable = True


# --------------------------------------------------------------------------- entry points


def apply_source_change(key: str, services: Services, *, sequencer: str | None = None) -> Outcome:
    """One S3 event's worth of work: act on the key's current state, then refresh and invalidate."""
    outcome = process_source_key(key, services, sequencer=sequencer)
    finish([outcome], services)
    return outcome


def apply_translation(job: TranslationJob, services: Services) -> Outcome:
    """One translation job: translate, write pages, then refresh and invalidate.

    A provider failure is noted on the post's status and re-raised, so the queue keeps
    the job and delivers it again later; the source-language page stays online.
    """
    outcome = run_translation(job, services)
    finish([outcome], services)
    return outcome


def run_translation(job: TranslationJob, services: Services) -> Outcome:
    """process_translation, with a provider failure noted on the post's status (and re-raised)."""
    try:
        outcome = process_translation(job, services)
    except TranslationError as error:
        note_translation_failure(job, error, services)
        raise
    note_translation_failure(job, None, services)
    return outcome


def finish(outcomes: Sequence[Outcome], services: Services) -> list[str]:
    """Rebuild listings if any step changed the catalog, then invalidate exactly what changed.

    Every site write records its path as pending first (write_site_objects), so paths
    that a crash or a CDN refusal left uninvalidated are invalidated here by whichever
    run comes next, usually the SQS retry of the same message; then exactly the
    invalidated paths are forgotten.
    """
    changed = [path for outcome in outcomes for path in outcome.changed]
    changed += refresh_listings(outcomes, services)
    paths = sorted(set(changed) | services.catalog.pending_paths())
    if paths:
        services.cdn.invalidate(paths)
        services.catalog.remove_pending_paths(paths)
    services.forget()
    return changed


# --------------------------------------------------------------------------- the render step


def process_source_key(key: str, services: Services, *, sequencer: str | None = None) -> Outcome:
    """Act on the key's current state; an event older than one already handled does nothing.

    ``sequencer`` is the S3 event's, padded (handlers/s3events.py); None when unknown
    (moto, replays, `polypub build`): then only the bucket's current state decides,
    which is enough when events arrive one at a time.
    """
    if sequencer is not None and not services.catalog.claim_event(key, sequencer):
        return Outcome(key, "skipped", message="a newer event for this file was handled already")
    outcome = apply_current_state(key, services)
    if sequencer is not None and services.catalog.newest_event(key) != sequencer:
        # A newer event came in while this one worked, and its function may have finished
        # before our writes landed. Acting once more on what the bucket holds now means
        # an older state never has the last word (a late DELETE, a slow PUT).
        again = apply_current_state(key, services)
        first, outcome = outcome, again
        outcome.changed, outcome.entries_before = [], {}
        outcome.absorb(first)
        outcome.absorb(again)
    return outcome


def apply_current_state(key: str, services: Services) -> Outcome:
    """Dispatch on what the key is; reads the bucket's current state, never the event's claims."""
    if is_design_key(key):
        return publish_design(key, services)
    kind = classify_key(key, services.settings.languages)
    if kind.kind == "asset":
        return sync_asset(key, services)
    if kind.kind == "config":
        return apply_config_change(key, services)
    if kind.kind not in ("post", "translation"):
        return Outcome(key, "skipped", message="not a post or an asset")
    try:
        data = read_source_post(key, services)
    except ContentError as error:
        return report_failure(key, error, services)
    if kind.kind == "translation":
        if data is None:
            return remove_human_translation(key, services)
        return publish_human_translation(key, data, services)
    if data is None:
        return unpublish_post(key, services)
    return publish_post(key, data, services)


def read_source_post(key: str, services: Services) -> bytes | None:
    """A post's bytes, None when it is gone; PostTooLargeError, from its size alone, when too big.

    The size comes from a HEAD request, so a 50 MB upload costs no memory and no time.
    """
    info = services.source.head(key)
    if info is None:
        return None
    if info.size > services.settings.max_post_bytes:
        raise PostTooLargeError(info.size, services.settings.max_post_bytes)
    return services.source.get(key)


def publish_design(key: str, services: Services) -> Outcome:
    """config/site.yml or a theme/ template changed: check it, then republish every page."""
    data = services.source.get(key)
    digest = hashlib.sha256(data).hexdigest() if data is not None else None
    status = services.catalog.get_status(key)
    if status is not None and status.state != "failed" and status.content_hash == digest:
        return Outcome(key, "skipped", message="unchanged")
    services.forget()  # pages from here on use the new design
    try:
        check_design(services.settings, services.source, key)
    except ContentError as error:
        # What is usable of the design still applies, so every page is republished anyway.
        outcome = report_failure(key, error, services)
    else:
        outcome = Outcome(key, "published" if data is not None else "removed")
        clear_report(key, services)
        _record(
            services, key, "published" if data is not None else "deleted", slug=None, digest=digest
        )
    for entry in services.catalog.list_posts():
        outcome.changed += _rewrite_existing_pages(entry, services)
    outcome.rebuild_all = True
    return outcome


def publish_post(key: str, data: bytes, services: Services) -> Outcome:
    """Parse, validate and publish the source-language page; hand translation to the queue."""
    settings = services.settings
    try:
        post = parse_source(key, data, services)
        previous = services.catalog.get_post(post.slug)
        if previous is not None and previous.source_key != key:
            raise SlugTakenError(
                f"the slug '{post.slug}' is already used by {previous.source_key}; "
                "give this post another file name or a different 'slug' in its front matter"
            )
    except ContentError as error:
        claimed = post.slug if isinstance(error, SlugTakenError) else None
        return report_failure(key, error, services, claimed_slug=claimed)

    if post.draft:
        outcome = unpublish_post(key, services, reason="draft: true, so it is not published")
        outcome.action = "skipped"
        return outcome

    source_lang, lang_note = services.cached(
        language_cache_name(post), lambda: source_language(post, settings)
    )
    outcome = Outcome(key, "published", slug=post.slug)
    # A renamed slug: take the old pages down so no orphan stays online.
    status = services.catalog.get_status(key)
    if status and status.slug and status.slug != post.slug:
        outcome.changed += _remove_post(status.slug, services, outcome)

    entry = _entry_for(
        post, source_lang, previous, services, keep_machine=post.translate and not lang_note
    )
    if previous is not None:
        # Versions the new entry no longer has (machine translations of a post now marked
        # `translate: false`, a former source language) leave the site with it.
        gone = [lang for lang in previous.versions if lang not in entry.versions]
        outcome.changed += delete_site_objects(
            [urls.object_key(urls.post_url(lang, post.slug)) for lang in gone], services
        )
    bodies = {source_lang: rendered_body(post, services)}
    outcome.changed += write_post_pages(entry, bodies, services)
    save_entry(entry, previous, services, outcome)  # a redelivered event writes nothing

    # Translations written by people win; what is left goes to the machine.
    base = classify_key(key, settings.languages).base
    for lang in settings.languages:
        if lang == source_lang:
            continue
        human_key = f"{base}.{lang}.md"
        try:
            human = read_source_post(human_key, services)
        except ContentError as error:
            report_failure(human_key, error, services)
            continue
        if human is not None:
            outcome.absorb(publish_human_translation(human_key, human, services))
            entry = services.catalog.get_post(post.slug) or entry
    # A post in none of the site's languages (lang_note) is published as is.
    targets = () if lang_note else _machine_targets(entry, post, settings)
    if targets:
        services.jobs.send(
            TranslationJob(
                source_key=key,
                content_hash=post.content_hash,
                slug=post.slug,
                source_lang=source_lang,
                targets=targets,
            )
        )
    outcome.languages = tuple(entry.versions)
    outcome.pages = 1
    outcome.message = lang_note
    _record(services, key, "published", slug=post.slug, message=lang_note, digest=post.content_hash)
    if lang_note:
        report_untranslated(key, lang_note, services)
    return outcome


def source_language(post: Post, settings: Settings) -> tuple[str, str | None]:
    """The post's language: declared, else detected; else published as is (with a note).

    A note means the text is in none of the site's languages (or too short or too
    mixed to tell): the post is published untranslated at the default language's
    address, and the teacher gets a report saying how to have it translated.
    """
    if post.lang:
        return post.lang, None
    guess = identify_language(f"{post.title}\n\n{post.body}", settings.languages)
    if guess.lang:
        return guess.lang, None
    names = ", ".join(settings.languages)
    if guess.unsure == "other-language":
        why = f"it is in none of the site's languages ({names})" + (
            f"; it looks like '{guess.detected}'" if guess.detected else ""
        )
    elif guess.unsure == "mixed":
        why = f"it mixes the site's languages ({names}) too evenly to tell which it is in"
    else:
        why = "it is too short to tell which of the site's languages it is in"
    hint = " or ".join(f"'lang: {lang}'" for lang in settings.languages)
    return settings.default_language, (
        f"published as is, without translations: {why}. If it is written in one of "
        f"them, add {hint} to its front matter to have it translated."
    )


def _entry_for(
    post: Post,
    source_lang: str,
    previous: PostEntry | None,
    services: Services,
    *,
    keep_machine: bool = True,
) -> PostEntry:
    original = VersionInfo(
        title=post.title,
        description=post.description,
        kind="original",
        source_hash=post.content_hash,
    )
    versions: dict[str, VersionInfo] = {source_lang: original}
    updated = services.now()
    if previous is not None:
        # Existing translations stay online until their replacements are ready: publishing
        # the original never waits for the translator.
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
        date=_iso(post.date) if post.date else None,
        author=post.author,
        project=post.project,
        images=post.images,
        versions=versions,
        image_sizes={src: (size.width, size.height) for src, size in sizes.items()},
    )


def _machine_targets(entry: PostEntry, post: Post, settings: Settings) -> tuple[str, ...]:
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


def unpublish_post(key: str, services: Services, *, reason: str | None = None) -> Outcome:
    """The source is gone (or a draft): remove every language version and its catalog entry."""
    status = services.catalog.get_status(key)
    outcome = Outcome(key, "unpublished", slug=status.slug if status else None, message=reason)
    freed = None
    if status and status.slug:
        entry = services.catalog.get_post(status.slug)
        if entry is not None and entry.source_key == key:
            _orphan_human_translations(entry, services)
            outcome.changed += _remove_post(status.slug, services, outcome)
            freed = status.slug
    clear_report(key, services)
    _record(services, key, "skipped" if reason else "deleted", slug=outcome.slug, message=reason)
    if freed is not None:
        _retry_slug_claims(freed, services, outcome)
    return outcome


def _orphan_human_translations(entry: PostEntry, services: Services) -> None:
    """The original is going: its people's translations are no longer published either."""
    base = classify_key(entry.source_key, services.settings.languages).base
    for lang, version in entry.versions.items():
        if version.kind == "human":
            _record(
                services,
                f"{base}.{lang}.md",
                "skipped",
                slug=None,
                message=f"not published: its original {entry.source_key} was removed",
            )


def _retry_slug_claims(slug: str, services: Services, outcome: Outcome) -> None:
    """Files refused because `slug` was taken get it now (a post renamed or moved)."""
    for status in services.catalog.list_statuses():
        if (
            status.state == "failed"
            and status.error_code == SlugTakenError.code
            and status.slug == slug
            and status.key != outcome.key
        ):
            outcome.absorb(apply_current_state(status.key, services))


def _remove_post(slug: str, services: Services, outcome: Outcome) -> list[str]:
    keys = [urls.object_key(urls.post_url(lang, slug)) for lang in services.settings.languages]
    changed = delete_site_objects([k for k in keys if services.site.head(k) is not None], services)
    previous = services.catalog.get_post(slug)
    outcome.entries_before.setdefault(slug, previous)
    services.catalog.add_pending_entries({slug: previous})
    services.catalog.delete_post(slug)
    return changed


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


def publish_human_translation(key: str, data: bytes, services: Services) -> Outcome:
    """A person's `posts/<name>.<lang>.md`: publish it in place of the machine's version."""
    settings = services.settings
    try:
        post = parse_source(key, data, services)
        lang = post.translation_lang or ""
        original_key = _original_key(key, services)
        status = services.catalog.get_status(original_key)
        entry = services.catalog.get_post(status.slug) if status and status.slug else None
        if entry is None or entry.source_key != original_key:
            raise OriginalMissingError(
                f"this is a translation of {original_key}, which is not published; "
                "upload the original first (this file is then published with it)"
            )
        if lang == entry.source_lang:
            others = ", ".join(
                f"{classify_key(key, settings.languages).base}.{other}.md"
                for other in settings.languages
                if other != lang
            )
            raise SameLanguageTranslationError(
                f"this file is named as the '{lang}' translation of {original_key}, but the "
                f"original is written in '{lang}' itself; name a translation after the language "
                f"it is written in ({others}), or edit {original_key} instead"
            )
    except ContentError as error:
        return report_failure(key, error, services)

    previous = entry.versions.get(lang)
    digest = post.content_hash
    # The source hash records which version of the original the person translated: it is
    # kept while the translation itself is unchanged, so an edited original shows as stale.
    source_hash = (
        previous.source_hash
        if previous is not None and previous.kind == "human" and previous.provider == digest
        else entry.content_hash
    )
    version = VersionInfo(
        title=post.title,
        description=post.description,
        kind="human",
        provider=digest,
        source_hash=source_hash,
    )
    previous_entry = entry
    entry = replace(entry, versions={**entry.versions, lang: version})
    outcome = Outcome(key, "published", slug=entry.slug, pages=1)
    outcome.changed += write_post_pages(entry, {lang: rendered_body(post, services)}, services)
    save_entry(entry, previous_entry, services, outcome)
    outcome.languages = (lang,)
    _record(services, key, "published", slug=entry.slug, digest=digest)
    return outcome


def _original_key(translation_key: str, services: Services) -> str:
    """`posts/foo.en.md` -> `posts/foo.md` (the original's extension as uploaded, if it differs)."""
    base = classify_key(translation_key, services.settings.languages).base
    for candidate in (f"{base}.md", f"{base}.MD", f"{base}.Md"):
        if services.source.head(candidate) is not None:
            return candidate
    return f"{base}.md"


def remove_human_translation(key: str, services: Services) -> Outcome:
    """A person's translation was deleted: the machine translates that language again."""
    kind = classify_key(key, services.settings.languages)
    status = services.catalog.get_status(key)
    outcome = Outcome(key, "removed", slug=status.slug if status else None)
    clear_report(key, services)
    _record(services, key, "deleted", slug=outcome.slug)
    entry = services.catalog.get_post(outcome.slug) if outcome.slug else None
    lang = kind.lang or ""
    if entry is None or entry.versions.get(lang, None) is None:
        return outcome
    if entry.versions[lang].kind != "human":
        return outcome
    versions = {k: v for k, v in entry.versions.items() if k != lang}
    previous = entry
    entry = replace(entry, versions=versions)
    save_entry(entry, previous, services, outcome)
    outcome.changed += delete_site_objects(
        [urls.object_key(urls.post_url(lang, entry.slug))], services
    )
    outcome.changed += _rewrite_existing_pages(entry, services)
    services.jobs.send(
        TranslationJob(
            source_key=entry.source_key,
            content_hash=entry.content_hash,
            slug=entry.slug,
            source_lang=entry.source_lang,
            targets=(lang,),
        )
    )
    return outcome


def sync_asset(key: str, services: Services) -> Outcome:
    """Copy an asset to the site unchanged, or remove it when the source is gone."""
    data = services.source.get(key)
    if data is None:
        if services.site.head(key) is None:
            return Outcome(key, "skipped", message="already removed")
        return Outcome(key, "removed", changed=delete_site_objects([key], services))
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    changed = write_site_objects({key: SiteObject(data, content_type, ASSET_CACHE)}, services)
    if not changed:
        return Outcome(key, "skipped", message="unchanged")
    return Outcome(key, "copied", changed=changed)


def report_failure(
    key: str, error: ContentError, services: Services, *, claimed_slug: str | None = None
) -> Outcome:
    """Tell the teacher (report object beside the upload, e-mail, status line); unpublish nothing.

    The same failure reported again (a redelivered event, the same broken file uploaded
    twice) writes and sends nothing new. The status is written last: a status that says
    "failed" means the report exists and was sent.
    """
    status = services.catalog.get_status(key)
    slug = status.slug if status else None
    published = slug is not None and (entry := services.catalog.get_post(slug)) is not None
    published = published and entry is not None and entry.source_key == key
    # A file refused for a taken slug never published: it records the slug it asked for.
    slug = claimed_slug if claimed_slug is not None and not published else slug
    outcome = Outcome(key, "failed", slug=slug, message=str(error), error_code=error.code)
    if (
        status is not None
        and status.state == "failed"
        and (status.error_code, status.message) == (error.code, str(error))
        and services.source.head(report_key(key)) is not None
    ):
        return outcome
    text = (
        f"Polyglot Press could not publish {key}\n\n"
        f"Error: {error.code}\n{error}\n\n"
        + (
            "The version published before stays online until a fixed file is uploaded.\n"
            if published
            else "Nothing was published from this file.\n"
        )
        + "Fix the file and upload it again; this report disappears once it is published.\n"
        f"Checked at {services.now()}\n"
    )
    services.source.put(report_key(key), text.encode("utf-8"), "text/plain; charset=utf-8")
    if services.notifier is not None:
        try:
            services.notifier.notify(f"Polyglot Press could not publish {key}", text)
        except Exception:
            # E-mail is a convenience: the report object and the status already tell.
            log.warning("could not send the report for %s by e-mail", key, exc_info=True)
    services.catalog.put_status(
        SourceStatus(
            key=key,
            state="failed",
            updated=services.now(),
            slug=slug,
            error_code=error.code,
            message=str(error),
        )
    )
    return outcome


def _record(
    services: Services,
    key: str,
    state: Literal["published", "deleted", "skipped"],
    *,
    slug: str | None,
    message: str | None = None,
    digest: str | None = None,
    chars_sent: int = 0,
) -> None:
    services.catalog.put_status(
        SourceStatus(
            key=key,
            state=state,
            updated=services.now(),
            slug=slug,
            message=message,
            content_hash=digest,
            chars_sent=chars_sent,
        )
    )
    if state == "published":
        clear_report(key, services)


def clear_report(key: str, services: Services) -> None:
    """Remove the report beside ``key`` if there is one.

    HEAD first: in the versioned source bucket a DELETE of a missing key still adds a
    delete marker, one per publish otherwise.
    """
    if services.source.head(report_key(key)) is not None:
        services.source.delete(report_key(key))


# --------------------------------------------------------------------------- translation settings
# The glossary (config/glossary.yml), posts in no site language, and failed translations.


class LanguageUnknownNotice(ContentError):
    """Not an error: the post is published, as is, because its language is not a site language."""

    code = "language-unknown"


TRANSLATION_PENDING = "translation-pending"


def apply_config_change(key: str, services: Services) -> Outcome:
    """config/glossary.yml changed: check it, then retranslate every machine-translated post.

    Memory keys hash the glossary entries each segment uses, so the queued jobs send
    only the segments whose entries changed; everything else comes from memory. An
    invalid glossary is reported like a broken post and changes nothing.
    """
    if key != GLOSSARY_KEY:
        return Outcome(key, "skipped", message="not a configuration file Polyglot Press reads")
    services.forget()  # translations from here on use the new glossary
    data = services.source.get(key)
    try:
        glossary = DEFAULT_GLOSSARY if data is None else parse_glossary(data)
    except ContentError as error:
        return report_failure(key, error, services)
    status = services.catalog.get_status(key)
    # What translations were made with: the defaults before any glossary; unknown after
    # a failed upload (some posts were translated with the defaults meanwhile).
    previous = (
        DEFAULT_GLOSSARY.digest
        if status is None
        else None
        if status.state == "failed"
        else status.content_hash
    )
    if glossary.digest == previous:
        clear_report(key, services)
        return Outcome(key, "skipped", message="unchanged")
    queued = 0
    for entry in services.catalog.list_posts():
        targets = tuple(
            lang
            for lang in services.settings.languages
            if (version := entry.versions.get(lang)) is not None and version.kind == "machine"
        )
        if targets:
            services.jobs.send(
                TranslationJob(
                    source_key=entry.source_key,
                    content_hash=entry.content_hash,
                    slug=entry.slug,
                    source_lang=entry.source_lang,
                    targets=targets,
                )
            )
            queued += 1
    message = f"{glossary.size} glossary entries; {queued} posts queued for translation"
    clear_report(key, services)
    _record(
        services,
        key,
        "published" if data is not None else "deleted",
        slug=None,
        message=message,
        digest=glossary.digest,
    )
    return Outcome(key, "published" if data is not None else "removed", message=message)


def load_glossary(services: Services) -> Glossary:
    """The site's glossary; the built-in one when there is none or it is invalid.

    An invalid file was reported to the teacher when it was uploaded; meanwhile new
    translations protect the built-in terms rather than wait.
    """

    def load() -> Glossary:
        data = services.source.get(GLOSSARY_KEY)
        if data is None:
            return DEFAULT_GLOSSARY
        try:
            return parse_glossary(data)
        except ContentError as error:
            log.warning("%s is invalid (%s); using the built-in glossary", GLOSSARY_KEY, error.code)
            return DEFAULT_GLOSSARY

    return services.cached("glossary", load)


def translation_engine(services: Services) -> TranslationEngine:
    """The engine over the services' translator and memory, with the site's glossary."""
    return TranslationEngine(services.translator, services.memory, glossary=load_glossary(services))


def report_untranslated(key: str, note: str, services: Services) -> None:
    """A post published as is: say so in its status and in a report beside the upload."""
    status = services.catalog.get_status(key)
    if status is not None:
        services.catalog.put_status(replace(status, error_code=LanguageUnknownNotice.code))
    text = (
        f"Polyglot Press published {key} as is, without translations.\n\n"
        f"Note: {LanguageUnknownNotice.code}\n{note}\n\n"
        "This report disappears once the post is published with translations.\n"
        f"Checked at {services.now()}\n"
    )
    services.source.put(report_key(key), text.encode("utf-8"), "text/plain; charset=utf-8")


def note_translation_failure(
    job: TranslationJob, error: TranslationError | None, services: Services
) -> None:
    """Show a failed translation on the post's status (None: clear it after a success)."""
    status = services.catalog.get_status(job.source_key)
    if status is None or status.state != "published" or status.content_hash != job.content_hash:
        return
    if error is None:
        if status.error_code == TRANSLATION_PENDING:
            services.catalog.put_status(replace(status, error_code=None, message=None))
        return
    services.catalog.put_status(
        replace(
            status,
            error_code=TRANSLATION_PENDING,
            message=(
                f"online in '{job.source_lang}'; the translation into "
                f"{', '.join(job.targets)} failed and will be tried again: {error}"
            ),
        )
    )


# --------------------------------------------------------------------------- the translate step


def process_translation(job: TranslationJob, services: Services) -> Outcome:
    """Translate one post into the job's languages; a superseded job does nothing."""
    outcome = Outcome(job.source_key, "skipped", slug=job.slug)
    try:
        data = read_source_post(job.source_key, services)
    except ContentError:
        outcome.message = "the source is now too large (reported by the render step)"
        return outcome
    if data is None:
        outcome.message = "the source was deleted"
        return outcome
    try:
        post = parse_source(job.source_key, data, services)
    except ContentError:
        outcome.message = "the source is now invalid (reported by the render step)"
        return outcome
    entry = services.catalog.get_post(job.slug)
    if (
        post.content_hash != job.content_hash
        or entry is None
        or entry.content_hash != job.content_hash
        or entry.source_key != job.source_key
    ):
        outcome.message = "superseded by a newer version of the post"
        return outcome

    engine = translation_engine(services)
    versions = dict(entry.versions)
    bodies: dict[str, str] = {}
    for target in job.targets:
        if (current := versions.get(target)) is not None and current.kind == "human":
            continue
        result = machine_translation(engine, post, job.source_lang, target, services)
        versions[target] = machine_version(result, entry)
        bodies[target] = result.body_html
        outcome.chars_sent += result.chars_sent
        for name, count in result.chars_by_provider.items():
            outcome.chars_by_provider[name] = outcome.chars_by_provider.get(name, 0) + count
    if not bodies:
        outcome.message = "nothing to translate"
        return outcome

    # The post may have changed while a provider translated: only a still-current entry
    # is updated. (From memory it took milliseconds; put_post's expectation guards that.)
    fresh = services.catalog.get_post(job.slug) if outcome.chars_sent else entry
    if fresh is None or fresh.content_hash != job.content_hash:
        outcome.message = "superseded while translating"
        return outcome
    merged = {**fresh.versions}
    for lang in bodies:
        if (current := merged.get(lang)) is None or current.kind != "human":
            # The same text again (a duplicate job) keeps the record it had, with the
            # characters its first translation cost: nothing visible changes.
            new = versions[lang]
            merged[lang] = current if current is not None and _same_text(current, new) else new
    if merged == dict(fresh.versions):
        # Pages are rewritten only if they differ (e.g. lost in a crash); the catalog,
        # listings and feeds stay as they are.
        outcome.changed += write_post_pages(fresh, bodies, services)
        outcome.message = "already translated"
        return outcome
    updated = replace(fresh, versions=merged, updated=services.now())
    outcome.action = "translated"
    outcome.changed += write_post_pages(updated, bodies, services)
    try:
        save_entry(updated, fresh, services, outcome)
    except CatalogConflictError:
        now = services.catalog.get_post(job.slug)
        if now is not None and now.content_hash == job.content_hash:
            raise  # changed otherwise (a person's translation): the job comes again
        # Deleted (or replaced) while this one translated: take back what it wrote
        # for versions the post no longer has, so no page is left without its post.
        gone = [lang for lang in bodies if now is None or lang not in now.versions]
        outcome.changed += delete_site_objects(
            [urls.object_key(urls.post_url(lang, job.slug)) for lang in gone], services
        )
        outcome.action = "skipped"
        outcome.message = "superseded while translating"
        return outcome
    # The other versions' switchers and hreflang links now name the new languages.
    outcome.changed += _rewrite_existing_pages(updated, services, skip=tuple(bodies))
    outcome.pages = len(bodies)
    outcome.languages = tuple(bodies)
    status = services.catalog.get_status(job.source_key)
    if status is not None and outcome.chars_sent:
        services.catalog.put_status(
            replace(status, chars_sent=status.chars_sent + outcome.chars_sent)
        )
    return outcome


def machine_version(result: TranslatedPost, entry: PostEntry) -> VersionInfo:
    """The catalog's record of a machine translation of the entry's current text."""
    return VersionInfo(
        title=result.title,
        description=result.description,
        kind="machine",
        provider=result.provider,
        chars_sent=result.chars_sent,
        chars_by_provider=dict(result.chars_by_provider),
        source_hash=entry.content_hash,
    )


def expected_entry(post: Post, source_lang: str, services: Services) -> PostEntry:
    """The entry publishing a new post gives (what `polypub build` prepares pages for)."""
    return _entry_for(post, source_lang, None, services)


def _same_text(current: VersionInfo, new: VersionInfo) -> bool:
    def shown(v: VersionInfo) -> tuple[object, ...]:
        return (v.title, v.description, v.kind, v.provider, v.source_hash)

    return shown(current) == shown(new)


def _rewrite_existing_pages(
    entry: PostEntry, services: Services, *, skip: Iterable[str] = ()
) -> list[str]:
    """Re-render the post's other language pages around their current bodies."""
    bodies: dict[str, str] = {}
    post_data = services.source.get(entry.source_key)
    # Parsed once, and one engine (one glossary read) for all machine languages.
    post = parse_source(entry.source_key, post_data, services) if post_data is not None else None
    engine: TranslationEngine | None = None
    for lang, version in entry.versions.items():
        if lang in skip:
            continue
        if version.kind == "original" and post is not None:
            bodies[lang] = rendered_body(post, services)
        elif version.kind == "human":
            base = classify_key(entry.source_key, services.settings.languages).base
            key = f"{base}.{lang}.md"
            data = services.source.get(key)
            if data is not None:
                bodies[lang] = rendered_body(parse_source(key, data, services), services)
        elif version.kind == "machine" and post is not None:
            # Comes from translation memory: no characters are sent again.
            engine = engine or translation_engine(services)
            result = machine_translation(engine, post, entry.source_lang, lang, services)
            bodies[lang] = result.body_html
    return write_post_pages(entry, bodies, services)


def parse_source(key: str, data: bytes, services: Services) -> Post:
    """parse_post with the site's languages and size limit: every step parses this way.

    Parsed once per batch for the same bytes (publishing, translating and re-rendering
    one post each need it); an invalid file raises every time.
    """
    settings = services.settings
    return services.cached(
        post_cache_name(key, data),
        lambda: parse_post(
            key, data, languages=settings.languages, max_bytes=settings.max_post_bytes
        ),
    )


def clean_body(body_html: str, services: Services) -> str:
    """sanitize_html, once per batch for the same HTML (a page re-rendered reuses it)."""
    return services.cached(clean_cache_name(body_html), lambda: sanitize_html(body_html))


def image_sizes(images: Sequence[str], services: Services) -> Mapping[str, ImageSize]:
    """The images' sizes, read from the source bucket once per batch."""
    return services.cached(
        "images:" + "\n".join(images), lambda: measure_images(images, services.source.get)
    )


def rendered_body(post: Post, services: Services) -> str:
    """The post's Markdown as HTML, rendered once per batch."""
    return services.cached(html_cache_name(post), lambda: render_body(post.body))


def machine_translation(
    engine: TranslationEngine, post: Post, source: str, target: str, services: Services
) -> TranslatedPost:
    """engine.translate_post, unless this batch has the answer already made from memory."""
    made = services.recall(machine_cache_name(post, source, target, engine, services))
    if isinstance(made, TranslatedPost):
        return made
    return engine.translate_post(post, source, target)


# What a batch may compute ahead of the steps, by name (polypub.local.prefetch).
def post_cache_name(key: str, data: bytes) -> str:
    return f"post:{key}:{hashlib.sha256(data).hexdigest()}"


def page_cache_name(entry: PostEntry, lang: str, body_html: str) -> str:
    """A post page is the same for the same entry (but when it changed), language and body."""
    doc = entry.to_dict()
    doc.pop("updated")
    text = json.dumps([doc, lang, body_html], sort_keys=True, ensure_ascii=False)
    return "page:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_cache_name(body_html: str) -> str:
    return "clean:" + hashlib.sha256(body_html.encode("utf-8")).hexdigest()


def html_cache_name(post: Post) -> str:
    return f"html:{post.source_key}:{post.content_hash}"


def language_cache_name(post: Post) -> str:
    return f"lang:{post.source_key}:{post.content_hash}"


def machine_cache_name(
    post: Post, source: str, target: str, engine: TranslationEngine, services: Services
) -> str:
    """A translation is the same for the same text, languages, glossary and provider chain."""
    providers = ",".join(provider_names(services.translator))
    return (
        f"machine:{post.source_key}:{post.content_hash}:{source}:{target}:"
        f"{engine.glossary.digest}:{providers}"
    )


# --------------------------------------------------------------------------- writing the site


@dataclass(frozen=True)
class SiteObject:
    """One object to write to the site bucket."""

    body: bytes
    content_type: str
    cache_control: str | None = PAGE_CACHE


def write_post_pages(entry: PostEntry, bodies: Mapping[str, str], services: Services) -> list[str]:
    """Render each given language's page of one post; write only what changed.

    Every body passes the sanitizer here, whoever made it (our renderer, a translator,
    a person's translation), just before it becomes part of a page.
    """
    site = services.site_config
    sizes = (
        {src: ImageSize(*size) for src, size in entry.image_sizes.items()}
        if entry.image_sizes or not entry.images
        else image_sizes(entry.images, services)  # an entry from before sizes were kept
    )
    pages = {}
    for lang, body_html in bodies.items():
        body = clean_body(body_html, services)
        html = services.cached(
            page_cache_name(entry, lang, body_html),
            lambda lang=lang, body=body: render_post_page(site, entry, lang, body, sizes),  # type: ignore[misc]
        )
        pages[urls.object_key(urls.post_url(lang, entry.slug))] = SiteObject(
            html.encode("utf-8"), HTML
        )
    return write_site_objects(pages, services)


# Rebuilds before the batch goes back to SQS for a retry: a catalog still changing
# after five rounds is in a burst, and each change's own function rebuilds after it.
MAX_LISTING_ROUNDS = 5


def refresh_listings(outcomes: Sequence[Outcome], services: Services) -> list[str]:
    """Regenerate the listing pages, feeds and sitemaps the steps' catalog changes touch.

    A design change rebuilds every listing (rebuild_listings). Otherwise only the units
    listings.affected_units names for each changed entry are rendered, each from bounded
    catalog queries, and written where their bytes differ: the work depends on what
    changed, not on the size of the site.

    Functions running at the same time each render from the catalog they read, and a
    render from an older catalog could land after a newer one. So after writing, the
    catalog's change count is read again; if a post changed meanwhile, the same
    queries are asked again, and a round whose answers changed is done again: the
    function that finishes last has rendered from the final catalog (S3 and DynamoDB
    reads are strongly consistent), so no change is ever lost.
    """
    # What earlier runs changed but did not get to show (they died first) comes first:
    # the listings still show those entries as they were then.
    before = services.catalog.pending_entries()
    pending = dict(before)
    if any(outcome.rebuild_all for outcome in outcomes):
        rebuilt = rebuild_listings(services)
        services.catalog.remove_pending_entries(pending)
        return rebuilt
    for outcome in outcomes:
        for slug, entry in outcome.entries_before.items():
            before.setdefault(slug, entry)
    if not before:
        return []
    if len(before) >= MANY_CHANGES:
        refreshed = _refresh_from_whole_catalog(before, services)
        services.catalog.remove_pending_entries(before)
        return refreshed
    site = services.site_config
    changed: list[str] = []
    count = services.catalog.change_count()
    queries = _RecordedQueries(services.catalog)
    units: set[Unit] = set()
    index_changes = False
    for slug, entry in before.items():
        found, index = affected_units(
            site.languages, entry, services.catalog.get_post(slug), queries
        )
        units |= found
        index_changes = index_changes or index
    if len(before) > 1 and any(isinstance(unit, SitemapShard) for unit in units):
        # affected_units tells a month's sitemap appearing or emptying for one change
        # against the current catalog; with several, the index is simply checked.
        index_changes = True
    if index_changes:
        units |= _always_there(site)
    for _ in range(MAX_LISTING_ROUNDS):
        asked: dict[Unit, set[tuple[object, ...]]] = {}
        rendered: dict[str, Rendered | None] = {}
        for unit in units:
            with queries.recording() as calls:
                rendered[unit_key(unit)] = render_unit(site, unit, queries)
            asked[unit] = calls
        if index_changes:
            # 404 pages, robots.txt, the homes' sitemap and the static files change
            # only with a design (rebuild_listings) or an upgrade; a site that never
            # had a design upload gets them with its first post, and they are checked
            # again whenever a month's sitemap appears or empties.
            rendered.update(fixed_objects(site))
        changed += _write_listing_objects(rendered, services)
        if index_changes:
            changed += _write_sitemap_index(site, services)
            index_changes = False
        # No post changed meanwhile (one read)? Else the units whose questions now
        # answer differently are rendered again (a concurrent change's own units are
        # its own function's to render).
        latest = services.catalog.change_count()
        if latest == count:
            break
        count = latest
        # Units confirmed here are done: a change landing later is rendered by its own
        # function after this one's writes. Only the units rendered again are checked
        # again in the next round.
        stale = queries.ask_again(set().union(*asked.values()))
        units = {unit for unit, calls in asked.items() if calls & stale}
        if not units:
            break
    else:
        raise ListingsUnsettledError(
            f"the catalog changed during {MAX_LISTING_ROUNDS} rebuilds of the listings"
        )
    services.catalog.remove_pending_entries(before)
    return changed


# From this many changed posts in one batch on, reading the whole catalog once (and
# the listing objects' digests in one listing per folder) costs fewer calls than
# asking each unit's questions and HEADing each unit: a burst of uploads, not a
# republish.
MANY_CHANGES = 5


def _refresh_from_whole_catalog(
    before: Mapping[str, PostEntry | None], services: Services
) -> list[str]:
    """refresh_listings for a batch of many changes: the same units, from one catalog read."""
    site = services.site_config

    def write(entries: list[PostEntry]) -> list[str]:
        index = ListingIndex(entries)
        units: set[Unit] = set()
        for slug, entry in before.items():
            units |= affected_units(site.languages, entry, index.get(slug), index)[0]
        # A few cheap objects, checked from this one listing anyway.
        units |= _always_there(site)
        rendered: dict[str, Rendered | None] = {
            unit_key(unit): render_unit(site, unit, index) for unit in units
        }
        rendered.update(fixed_objects(site))
        rendered[urls.object_key(urls.SITEMAP_URL)] = sitemap_index(
            site, sitemap_periods(site.languages, index)
        )
        stored = _stored_digests(list(rendered), site, services)
        changed = write_site_objects(
            {
                key: SiteObject(item.body, item.content_type)
                for key, item in rendered.items()
                if item is not None
            },
            services,
            stored=stored,
        )
        return changed + delete_site_objects(
            [key for key, item in rendered.items() if item is None and stored.get(key)],
            services,
        )

    return _until_the_catalog_settles(write, services)


def _until_the_catalog_settles(
    write: Callable[[list[PostEntry]], list[str]], services: Services
) -> list[str]:
    """Write from the whole catalog, read it again, and write again while it changed.

    Functions running at the same time each write from the catalog they read; the one
    that finishes last wrote from the final catalog, so no change is lost. A catalog
    still changing after MAX_LISTING_ROUNDS fails the batch for a retry.
    """
    changed: list[str] = []
    entries = services.catalog.list_posts()
    for _ in range(MAX_LISTING_ROUNDS):
        changed += write(entries)
        latest = services.catalog.list_posts()
        if _fingerprint(latest) == _fingerprint(entries):
            return changed
        entries = latest
    raise ListingsUnsettledError(
        f"the catalog changed during {MAX_LISTING_ROUNDS} rebuilds of the listings"
    )


def _always_there(site: SiteConfig) -> set[Unit]:
    """Each language's home and feed: they exist before its first post does."""
    units: set[Unit] = {Front(collection("home", lang)) for lang in site.languages}
    return units | {Feed(lang) for lang in site.languages}


def _stored_digests(keys: Sequence[str], site: SiteConfig, services: Services) -> dict[str, str]:
    """Digests of the listing objects among `keys`: one listing per listing folder they
    are in, and a HEAD for the few elsewhere (feeds, the sitemap index)."""
    prefixes = {
        prefix for key in keys for prefix in listing_prefixes(site) if key.startswith(prefix)
    }
    found = {
        info.key: info.digest for prefix in prefixes for info in services.site.list_objects(prefix)
    }
    for key in keys:
        if not key.startswith(tuple(prefixes)) and (digest := _digest_of(services.site, key)):
            found[key] = digest
    return found


class _RecordedQueries:
    """The catalog's listing queries, remembered so they can be asked again and compared."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._answers: dict[tuple[object, ...], object] = {}
        self._calls: set[tuple[object, ...]] | None = None

    @contextmanager
    def recording(self) -> Iterator[set[tuple[object, ...]]]:
        """The questions asked inside the block (answered from memory or not)."""
        calls: set[tuple[object, ...]] = set()
        self._calls = calls
        try:
            yield calls
        finally:
            self._calls = None

    def _ask(self, name: str, *args: object) -> object:
        # Units share questions (does this month exist in the other language?): each
        # is asked once per round.
        call = (name, *args)
        if self._calls is not None:
            self._calls.add(call)
        if call not in self._answers:
            self._answers[call] = getattr(self._catalog, name)(*args)
        return self._answers[call]

    def newest_posts(self, collection: str, limit: int) -> list[PostEntry]:
        return self._ask("newest_posts", collection, limit)  # type: ignore[return-value]

    def posts_in_period(
        self, collection: str, period: str, limit: int | None = None
    ) -> list[PostEntry]:
        return self._ask("posts_in_period", collection, period, limit)  # type: ignore[return-value]

    def neighbour_periods(self, collection: str, period: str) -> tuple[str | None, str | None]:
        return self._ask("neighbour_periods", collection, period)  # type: ignore[return-value]

    def ask_again(self, calls: set[tuple[object, ...]]) -> set[tuple[object, ...]]:
        """Ask these questions again; the ones whose answer changed.

        Only their fresh answers are kept: anything else asked from now on is asked anew.
        """
        stale = set()
        fresh: dict[tuple[object, ...], object] = {}
        for call in calls:
            fresh[call] = getattr(self._catalog, str(call[0]))(*call[1:])
            if fresh[call] != self._answers.get(call):
                stale.add(call)
        self._answers = fresh
        return stale


def _write_listing_objects(
    rendered: Mapping[str, Rendered | None], services: Services
) -> list[str]:
    """Write what has bytes; delete what rendered empty (an emptied month, project, author)."""
    changed = write_site_objects(
        {
            key: SiteObject(item.body, item.content_type)
            for key, item in rendered.items()
            if item is not None
        },
        services,
    )
    gone = [key for key, item in rendered.items() if item is None]
    return changed + delete_site_objects(
        [key for key in gone if services.site.head(key) is not None], services
    )


def _write_sitemap_index(site: SiteConfig, services: Services) -> list[str]:
    """/sitemap.xml from the monthly sitemaps in the bucket, until a listing confirms it."""
    prefix = urls.SITEMAPS_KEY_PREFIX
    pages = urls.object_key(urls.SITEMAP_PAGES_URL)
    changed: list[str] = []
    for _ in range(MAX_LISTING_ROUNDS):
        shards = sorted(k for k in services.site.list_keys(prefix) if k != pages)
        periods = [k[len(prefix) : -len(".xml")] for k in shards if k.endswith(".xml")]
        index = sitemap_index(site, periods)
        changed += write_site_objects(
            {urls.object_key(urls.SITEMAP_URL): SiteObject(index.body, index.content_type)},
            services,
        )
        if sorted(k for k in services.site.list_keys(prefix) if k != pages) == shards:
            return changed
    raise ListingsUnsettledError("the monthly sitemaps kept changing while indexing them")


def rebuild_listings(services: Services) -> list[str]:
    """Regenerate every listing from the whole catalog, and delete the listings now empty.

    Only a design change needs this (every page looks different).
    """
    site = services.site_config

    def write(entries: list[PostEntry]) -> list[str]:
        rendered = build_listings(site, entries)
        stored = {info.key: info.digest for info in services.site.list_objects()}
        changed = write_site_objects(
            {key: SiteObject(item.body, item.content_type) for key, item in rendered.items()},
            services,
            stored=stored,
        )
        prefixes = listing_prefixes(site)
        stale = [k for k in stored if k.startswith(prefixes) and k not in rendered]
        return changed + delete_site_objects(stale, services)

    return _until_the_catalog_settles(write, services)


def _fingerprint(entries: Iterable[PostEntry]) -> list[str]:
    return sorted(json.dumps(entry.to_dict(), sort_keys=True) for entry in entries)


def write_site_objects(
    objects: Mapping[str, SiteObject],
    services: Services,
    *,
    stored: Mapping[str, str] | None = None,
) -> list[str]:
    """Write the objects whose bytes differ from the stored ones; return their URL paths.

    ``stored`` maps keys to digests from one listing; without it each key gets a HEAD.
    The paths are recorded as pending invalidations before the first write (see finish).
    """
    todo = {}
    for key, item in objects.items():
        digest = stored.get(key) if stored is not None else _digest_of(services.site, key)
        if digest != hashlib.md5(item.body).hexdigest():  # noqa: S324 - S3's ETag, not security
            todo[key] = item
    if not todo:
        return []
    paths = ["/" + key for key in todo]
    services.catalog.add_pending_paths(paths)
    for key, item in todo.items():
        services.site.put(key, item.body, item.content_type, cache_control=item.cache_control)
    return paths


def delete_site_objects(keys: Sequence[str], services: Services) -> list[str]:
    """Delete site objects (recorded as pending invalidations first); return their URL paths."""
    if not keys:
        return []
    paths = ["/" + key for key in keys]
    services.catalog.add_pending_paths(paths)
    for key in keys:
        services.site.delete(key)
    return paths


def _digest_of(storage: Storage, key: str) -> str | None:
    info = storage.head(key)
    return None if info is None else info.digest


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
