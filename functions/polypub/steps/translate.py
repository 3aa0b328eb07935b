"""The translate step: a post's machine translations, written as pages beside the original."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import replace

from polypub.content.errors import ContentError
from polypub.content.keys import classify_key, translation_key
from polypub.content.post import Post
from polypub.content.post_markdown import (
    DRAFT_CONTENT_TYPE,
    draft_key,
    markdown_of,
    reads_back,
    translation_file,
)
from polypub.content.segments import translated_tokens
from polypub.model import PostEntry, TranslationJob, VersionInfo
from polypub.ports import CatalogConflictError
from polypub.steps.context import Outcome, Services
from polypub.steps.entries import save_entry
from polypub.steps.post_pages import rewrite_existing_pages, write_post_pages
from polypub.steps.sources import (
    machine_translation,
    machine_version,
    parse_source,
    read_source_post,
    translation_engine,
)
from polypub.translate.engine import TranslatedPost, TranslationEngine

log = logging.getLogger(__name__)


def process_translation(job: TranslationJob, services: Services) -> Outcome:
    """Translate one post into the job's languages; a superseded job does nothing."""
    outcome = Outcome(job.source_key, "skipped", slug=job.slug)
    current = _current_version(job, services, outcome)
    if current is None:
        return outcome
    post, entry = current
    engine = translation_engine(services)
    results = _translate(job, post, entry, engine, services, outcome)
    versions = {lang: machine_version(result, entry) for lang, result in results.items()}
    bodies = {lang: result.body_html for lang, result in results.items()}
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
        if (known := merged.get(lang)) is None or known.kind != "human":
            # The same text again (a duplicate job) keeps the record it had, with the
            # characters its first translation cost: nothing visible changes.
            new = versions[lang]
            merged[lang] = known if known is not None and _same_text(known, new) else new
    if merged == dict(fresh.versions):
        # Pages are rewritten only if they differ (e.g. lost in a crash); the catalog,
        # listings and feeds stay as they are.
        outcome.changed += write_post_pages(fresh, bodies, services)
        write_drafts(post, job.source_lang, results, engine, services)
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
        outcome.retire(
            job.slug, [lang for lang in bodies if now is None or lang not in now.versions]
        )
        outcome.action = "skipped"
        outcome.message = "superseded while translating"
        return outcome
    # The other versions' switchers and hreflang links now name the new languages.
    outcome.changed += rewrite_existing_pages(updated, services, skip=tuple(bodies))
    write_drafts(post, job.source_lang, results, engine, services)
    outcome.pages = len(bodies)
    outcome.languages = tuple(bodies)
    status = services.catalog.get_status(job.source_key)
    if status is not None and outcome.chars_sent:
        services.catalog.put_status(
            replace(status, chars_sent=status.chars_sent + outcome.chars_sent)
        )
    return outcome


def _current_version(
    job: TranslationJob, services: Services, outcome: Outcome
) -> tuple[Post, PostEntry] | None:
    """The post and entry the job was made for, or None (with why) when it is not current."""
    try:
        data = read_source_post(job.source_key, services)
    except ContentError:
        outcome.message = "the source is now too large (reported by the render step)"
        return None
    if data is None:
        outcome.message = "the source was deleted"
        return None
    try:
        post = parse_source(job.source_key, data, services)
    except ContentError:
        outcome.message = "the source is now invalid (reported by the render step)"
        return None
    entry = services.catalog.get_post(job.slug)
    if (
        post.content_hash != job.content_hash
        or entry is None
        or entry.content_hash != job.content_hash
        or entry.source_key != job.source_key
    ):
        outcome.message = "superseded by a newer version of the post"
        return None
    return post, entry


def _translate(
    job: TranslationJob,
    post: Post,
    entry: PostEntry,
    engine: TranslationEngine,
    services: Services,
    outcome: Outcome,
) -> dict[str, TranslatedPost]:
    """Each target language's machine translation (a person's translation is skipped)."""
    results: dict[str, TranslatedPost] = {}
    for target in job.targets:
        if (current := entry.versions.get(target)) is not None and current.kind == "human":
            continue
        result = machine_translation(engine, post, job.source_lang, target, services)
        results[target] = result
        outcome.chars_sent += result.chars_sent
        for name, count in result.chars_by_provider.items():
            outcome.chars_by_provider[name] = outcome.chars_by_provider.get(name, 0) + count
    return results


def write_drafts(
    post: Post,
    source_lang: str,
    results: Mapping[str, TranslatedPost],
    engine: TranslationEngine,
    services: Services,
) -> list[str]:
    """Each machine translation as an editable post file in the source bucket (draft_key).

    A teacher corrects it and uploads it as the person's translation (README, "Correcting
    a machine translation"). Written only when its bytes change; returns the keys written.
    """
    languages = services.settings.languages
    base = classify_key(post.source_key, languages).base
    written: list[str] = []
    for lang, result in results.items():
        segmented = engine.segmented(post, source_lang, lang)
        try:
            body = markdown_of(translated_tokens(segmented, result.body_translations))
        except Exception:  # the copy is a by-product: it never costs the translation itself
            log.exception("%s: no editable copy in %s", post.source_key, lang)
            continue
        if not reads_back(body, result.body_html):
            # Never hand a teacher a file that would publish something else than the page.
            log.warning(
                "%s: no editable copy in %s (it would not read back as the page)",
                post.source_key,
                lang,
            )
            continue
        data = translation_file(
            post,
            lang=lang,
            title=result.title,
            description=result.description,
            body=body,
            upload_as=translation_key(base, lang),
        )
        key = draft_key(post.source_key, lang, languages)
        info = services.source.head(key)
        if info is None or info.digest != hashlib.md5(data, usedforsecurity=False).hexdigest():
            services.source.put(key, data, DRAFT_CONTENT_TYPE)
            written.append(key)
    return written


def _same_text(current: VersionInfo, new: VersionInfo) -> bool:
    def shown(v: VersionInfo) -> tuple[object, ...]:
        return (v.title, v.description, v.kind, v.provider, v.source_hash)

    return shown(current) == shown(new)
