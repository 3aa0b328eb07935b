"""The publishing steps, readable top to bottom: source change -> pages -> listings -> CDN."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from polypub.content.errors import ContentError
from polypub.content.keys import classify_key, report_key
from polypub.content.language import detect_language
from polypub.content.markdown import render_body
from polypub.content.post import Post, parse_post
from polypub.model import PostEntry, SourceStatus, TranslationJob, VersionInfo
from polypub.ports import Catalog, Cdn, JobQueue, Storage, TranslationMemory, Translator
from polypub.settings import Settings
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.pages import build_listings, listing_prefixes, render_post_page
from polypub.translate.engine import TranslationEngine

HTML = "text/html; charset=utf-8"
# Pages are invalidated on every change, so the CDN may keep them long; browsers
# revalidate after a minute so a teacher sees an edit without a hard reload.
PAGE_CACHE = "public, max-age=60, s-maxage=31536000"
ASSET_CACHE = "public, max-age=86400"

Action = Literal["published", "unpublished", "translated", "failed", "skipped", "copied", "removed"]


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

    @property
    def site_config(self) -> SiteConfig:
        return SiteConfig.from_settings(self.settings)

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
    listings_dirty: bool = False
    chars_sent: int = 0
    pages: int = 0
    languages: tuple[str, ...] = ()


class SlugTakenError(ContentError):
    """Two different source files claim the same slug."""

    code = "slug-taken"


class OriginalMissingError(ContentError):
    """A person's translation arrived for a post that is not published."""

    code = "original-missing"


# --------------------------------------------------------------------------- entry points


def apply_source_change(key: str, services: Services) -> Outcome:
    """One S3 event's worth of work: act on the key's current state, then refresh and invalidate."""
    outcome = process_source_key(key, services)
    finish([outcome], services)
    return outcome


def apply_translation(job: TranslationJob, services: Services) -> Outcome:
    """One translation job: translate, write pages, then refresh and invalidate."""
    outcome = process_translation(job, services)
    finish([outcome], services)
    return outcome


def finish(outcomes: Sequence[Outcome], services: Services) -> list[str]:
    """Rebuild listings if any step changed the catalog, then invalidate exactly what changed."""
    changed = [path for outcome in outcomes for path in outcome.changed]
    if any(outcome.listings_dirty for outcome in outcomes):
        changed += refresh_listings(services)
    services.cdn.invalidate(sorted(set(changed)))
    return changed


# --------------------------------------------------------------------------- the render step


def process_source_key(key: str, services: Services) -> Outcome:
    """Dispatch on what the key is; reads the bucket's current state, never the event's claims."""
    kind = classify_key(key, services.settings.languages)
    if kind.kind == "asset":
        return sync_asset(key, services)
    if kind.kind not in ("post", "translation"):
        return Outcome(key, "skipped", message="not a post or an asset")
    data = services.source.get(key)
    if kind.kind == "translation":
        if data is None:
            return remove_human_translation(key, services)
        return publish_human_translation(key, data, services)
    if data is None:
        return unpublish_post(key, services)
    return publish_post(key, data, services)


def publish_post(key: str, data: bytes, services: Services) -> Outcome:
    """Parse, validate and publish the source-language page; hand translation to the queue."""
    settings = services.settings
    try:
        post = parse_post(
            key, data, languages=settings.languages, max_bytes=settings.max_post_bytes
        )
        previous = services.catalog.get_post(post.slug)
        if previous is not None and previous.source_key != key:
            raise SlugTakenError(
                f"the slug '{post.slug}' is already used by {previous.source_key}; "
                "give this post another file name or a different 'slug' in its front matter"
            )
    except ContentError as error:
        return report_failure(key, error, services)

    if post.draft:
        outcome = unpublish_post(key, services, reason="draft: true, so it is not published")
        outcome.action = "skipped"
        return outcome

    source_lang, lang_note = source_language(post, settings)
    outcome = Outcome(key, "published", slug=post.slug, listings_dirty=True)
    # A renamed slug: take the old pages down so no orphan stays online.
    status = services.catalog.get_status(key)
    if status and status.slug and status.slug != post.slug:
        outcome.changed += _remove_post(status.slug, services)

    entry = _entry_for(post, source_lang, previous, services)
    bodies = {source_lang: render_body(post.body)}
    outcome.changed += write_post_pages(entry, bodies, services)
    services.catalog.put_post(entry)

    # Translations written by people win; what is left goes to the machine.
    base = classify_key(key, settings.languages).base
    for lang in settings.languages:
        if lang == source_lang:
            continue
        human_key = f"{base}.{lang}.md"
        human = services.source.get(human_key)
        if human is not None:
            human_outcome = publish_human_translation(human_key, human, services)
            outcome.changed += human_outcome.changed
    entry = services.catalog.get_post(post.slug) or entry
    targets = _machine_targets(entry, post, settings)
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
    return outcome


def source_language(post: Post, settings: Settings) -> tuple[str, str | None]:
    """The post's language: declared, else detected, else the site default (with a note)."""
    if post.lang:
        return post.lang, None
    detected = detect_language(f"{post.title}\n\n{post.body}", settings.languages)
    if detected:
        return detected, None
    return settings.default_language, (
        f"could not tell the language of the text; published as '{settings.default_language}'. "
        "Add 'lang: es' or 'lang: en' to the front matter to be sure."
    )


def _entry_for(
    post: Post, source_lang: str, previous: PostEntry | None, services: Services
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
            if lang != source_lang and version.kind != "original":
                versions[lang] = version
        if previous.content_hash == post.content_hash:
            updated = previous.updated  # a redelivered event changes nothing
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
    if status and status.slug:
        entry = services.catalog.get_post(status.slug)
        if entry is not None and entry.source_key == key:
            outcome.changed += _remove_post(status.slug, services)
            outcome.listings_dirty = True
    services.source.delete(report_key(key))
    _record(services, key, "skipped" if reason else "deleted", slug=outcome.slug, message=reason)
    return outcome


def _remove_post(slug: str, services: Services) -> list[str]:
    changed = []
    for lang in services.settings.languages:
        key = urls.object_key(urls.post_url(lang, slug))
        if services.site.head(key) is not None:
            services.site.delete(key)
            changed.append("/" + key)
    services.catalog.delete_post(slug)
    return changed


def publish_human_translation(key: str, data: bytes, services: Services) -> Outcome:
    """A person's `posts/<name>.<lang>.md`: publish it in place of the machine's version."""
    settings = services.settings
    try:
        post = parse_post(
            key, data, languages=settings.languages, max_bytes=settings.max_post_bytes
        )
        lang = post.translation_lang or ""
        original_key = _original_key(key, services)
        status = services.catalog.get_status(original_key)
        entry = services.catalog.get_post(status.slug) if status and status.slug else None
        if entry is None or entry.source_key != original_key:
            raise OriginalMissingError(
                f"this is a translation of {original_key}, which is not published; "
                "upload the original first (this file is then published with it)"
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
    entry = replace(entry, versions={**entry.versions, lang: version})
    outcome = Outcome(key, "published", slug=entry.slug, listings_dirty=True, pages=1)
    outcome.changed += write_post_pages(entry, {lang: render_body(post.body)}, services)
    services.catalog.put_post(entry)
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
    services.source.delete(report_key(key))
    _record(services, key, "deleted", slug=outcome.slug)
    entry = services.catalog.get_post(outcome.slug) if outcome.slug else None
    lang = kind.lang or ""
    if entry is None or entry.versions.get(lang, None) is None:
        return outcome
    if entry.versions[lang].kind != "human":
        return outcome
    versions = {k: v for k, v in entry.versions.items() if k != lang}
    entry = replace(entry, versions=versions)
    services.catalog.put_post(entry)
    page = urls.object_key(urls.post_url(lang, entry.slug))
    services.site.delete(page)
    outcome.changed.append("/" + page)
    outcome.changed += _rewrite_existing_pages(entry, services)
    outcome.listings_dirty = True
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
        services.site.delete(key)
        return Outcome(key, "removed", changed=["/" + key])
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    if not put_if_changed(services.site, key, data, content_type, cache_control=ASSET_CACHE):
        return Outcome(key, "skipped", message="unchanged")
    return Outcome(key, "copied", changed=["/" + key])


def report_failure(key: str, error: ContentError, services: Services) -> Outcome:
    """Tell the teacher (report object beside the upload, status line); unpublish nothing."""
    status = services.catalog.get_status(key)
    slug = status.slug if status else None
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
    published = slug is not None and services.catalog.get_post(slug) is not None
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
    return Outcome(key, "failed", slug=slug, message=str(error), error_code=error.code)


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
        services.source.delete(report_key(key))


# --------------------------------------------------------------------------- the translate step


def process_translation(job: TranslationJob, services: Services) -> Outcome:
    """Translate one post into the job's languages; a superseded job does nothing."""
    outcome = Outcome(job.source_key, "skipped", slug=job.slug)
    data = services.source.get(job.source_key)
    if data is None:
        outcome.message = "the source was deleted"
        return outcome
    settings = services.settings
    try:
        post = parse_post(
            job.source_key, data, languages=settings.languages, max_bytes=settings.max_post_bytes
        )
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

    engine = TranslationEngine(services.translator, services.memory)
    versions = dict(entry.versions)
    bodies: dict[str, str] = {}
    for target in job.targets:
        if (current := versions.get(target)) is not None and current.kind == "human":
            continue
        result = engine.translate_post(post, job.source_lang, target)
        versions[target] = VersionInfo(
            title=result.title,
            description=result.description,
            kind="machine",
            provider=result.provider,
            chars_sent=result.chars_sent,
            source_hash=entry.content_hash,
        )
        bodies[target] = result.body_html
        outcome.chars_sent += result.chars_sent
    if not bodies:
        outcome.message = "nothing to translate"
        return outcome

    # The post may have changed while we translated: only a still-current entry is updated.
    fresh = services.catalog.get_post(job.slug)
    if fresh is None or fresh.content_hash != job.content_hash:
        outcome.message = "superseded while translating"
        return outcome
    merged = {**fresh.versions}
    for lang in bodies:
        if (current := merged.get(lang)) is None or current.kind != "human":
            merged[lang] = versions[lang]
    updated = replace(fresh, versions=merged, updated=services.now())
    outcome.action = "translated"
    outcome.changed += write_post_pages(updated, bodies, services)
    services.catalog.put_post(updated)
    # The other versions' switchers and hreflang links now name the new languages.
    outcome.changed += _rewrite_existing_pages(updated, services, skip=tuple(bodies))
    outcome.listings_dirty = True
    outcome.pages = len(bodies)
    outcome.languages = tuple(bodies)
    status = services.catalog.get_status(job.source_key)
    if status is not None:
        services.catalog.put_status(
            replace(status, chars_sent=status.chars_sent + outcome.chars_sent)
        )
    return outcome


def _rewrite_existing_pages(
    entry: PostEntry, services: Services, *, skip: Iterable[str] = ()
) -> list[str]:
    """Re-render the post's other language pages around their current bodies."""
    bodies: dict[str, str] = {}
    post_data = services.source.get(entry.source_key)
    for lang, version in entry.versions.items():
        if lang in skip:
            continue
        if version.kind == "original" and post_data is not None:
            bodies[lang] = render_body(_body_of(entry.source_key, post_data, services))
        elif version.kind == "human":
            base = classify_key(entry.source_key, services.settings.languages).base
            key = f"{base}.{lang}.md"
            data = services.source.get(key)
            if data is not None:
                bodies[lang] = render_body(_body_of(key, data, services))
        elif version.kind == "machine" and post_data is not None:
            # Comes from translation memory: no characters are sent again.
            post = parse_post(entry.source_key, post_data, languages=services.settings.languages)
            engine = TranslationEngine(services.translator, services.memory)
            bodies[lang] = engine.translate_post(post, entry.source_lang, lang).body_html
    return write_post_pages(entry, bodies, services)


def _body_of(key: str, data: bytes, services: Services) -> str:
    settings = services.settings
    return parse_post(
        key, data, languages=settings.languages, max_bytes=settings.max_post_bytes
    ).body


# --------------------------------------------------------------------------- writing the site


def write_post_pages(entry: PostEntry, bodies: Mapping[str, str], services: Services) -> list[str]:
    """Render each given language's page of one post; write only what changed."""
    site = services.site_config
    changed = []
    for lang, body_html in bodies.items():
        key = urls.object_key(urls.post_url(lang, entry.slug))
        html = render_post_page(site, entry, lang, body_html).encode("utf-8")
        if put_if_changed(services.site, key, html, HTML, cache_control=PAGE_CACHE):
            changed.append("/" + key)
    return changed


def refresh_listings(services: Services) -> list[str]:
    """Regenerate homes, project pages, feeds and sitemap from the catalog; never edit in place."""
    site = services.site_config
    rendered = build_listings(site, services.catalog.list_posts())
    changed = []
    for key, item in rendered.items():
        if put_if_changed(
            services.site, key, item.body, item.content_type, cache_control=PAGE_CACHE
        ):
            changed.append("/" + key)
    for prefix in listing_prefixes(site):
        for key in list(services.site.list_keys(prefix)):
            if key not in rendered:
                services.site.delete(key)
                changed.append("/" + key)
    return changed


def put_if_changed(
    storage: Storage,
    key: str,
    data: bytes,
    content_type: str,
    *,
    cache_control: str | None = None,
) -> bool:
    """Write unless the stored object has the same bytes: repeats cost no write, no invalidation."""
    info = storage.head(key)
    if info is not None and info.digest == hashlib.md5(data).hexdigest():  # noqa: S324 - ETag, not security
        return False
    storage.put(key, data, content_type, cache_control=cache_control)
    return True


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
