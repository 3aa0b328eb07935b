"""Translations written by people (`posts/<name>.<lang>.md`): they win over the machine's."""

from __future__ import annotations

from dataclasses import replace

from polypub.content.errors import ContentError
from polypub.content.keys import classify_key, translation_key
from polypub.model import PostEntry, TranslationJob, VersionInfo
from polypub.steps.context import Outcome, Services
from polypub.steps.entries import post_page_keys, save_entry
from polypub.steps.errors import OriginalMissingError, SameLanguageTranslationError
from polypub.steps.post_pages import rewrite_existing_pages, write_post_pages
from polypub.steps.reports import clear_report, record_status, report_failure
from polypub.steps.site_writing import delete_site_objects
from polypub.steps.sources import parse_source, rendered_body


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
            base = classify_key(key, settings.languages).base
            others = ", ".join(
                translation_key(base, other) for other in settings.languages if other != lang
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
    record_status(services, key, "published", slug=entry.slug, digest=digest)
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
    record_status(services, key, "deleted", slug=outcome.slug)
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
    outcome.changed += delete_site_objects(post_page_keys(entry.slug, [lang]), services)
    outcome.changed += rewrite_existing_pages(entry, services)
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


def orphan_human_translations(entry: PostEntry, services: Services) -> None:
    """The original is going: its people's translations are no longer published either."""
    base = classify_key(entry.source_key, services.settings.languages).base
    for lang, version in entry.versions.items():
        if version.kind == "human":
            record_status(
                services,
                translation_key(base, lang),
                "skipped",
                slug=None,
                message=f"not published: its original {entry.source_key} was removed",
            )
