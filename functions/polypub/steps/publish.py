"""Publishing a post in its own language, and taking every version of it down."""

from __future__ import annotations

from polypub.content.errors import ContentError
from polypub.content.keys import classify_key, dated_name, translation_key
from polypub.model import PostEntry, TranslationJob
from polypub.steps.context import Outcome, Services
from polypub.steps.entries import (
    entry_for,
    machine_targets,
    remove_post,
    save_entry,
)
from polypub.steps.errors import SlugTakenError
from polypub.steps.people import orphan_translations, publish_human_translation
from polypub.steps.post_pages import rewrite_existing_pages, write_post_pages
from polypub.steps.reports import clear_report, record_status, report_failure, report_notes
from polypub.steps.sources import (
    body_warnings,
    parse_source,
    post_language,
    read_source_post,
    rendered_body,
)


def publish_post(key: str, data: bytes, services: Services) -> Outcome:
    """Parse, validate and publish the source-language page; hand translation to the queue."""
    settings = services.settings
    try:
        post = parse_source(key, data, services)
        previous = services.catalog.get_post(post.slug)
        if previous is not None and previous.source_key != key:
            dated = dated_name(post.name)[0] is not None
            raise SlugTakenError(
                f"the slug '{post.slug}' is already used by {previous.source_key}; "
                "give this post another file name or a different 'slug' in its front matter"
                + (
                    " (the date at the start of a file name is the post's date, not part of "
                    "its address)"
                    if dated
                    else ""
                )
            )
    except ContentError as error:
        claimed = post.slug if isinstance(error, SlugTakenError) else None
        return report_failure(key, error, services, claimed_slug=claimed)

    if post.draft:
        outcome = unpublish_post(key, services, reason="draft: true, so it is not published")
        outcome.action = "skipped"
        return outcome

    source_lang, lang_note = post_language(post, services)
    outcome = Outcome(key, "published", slug=post.slug)
    # A renamed slug: take the old pages down so no orphan stays online.
    status = services.catalog.get_status(key)
    if status and status.slug and status.slug != post.slug:
        old = services.catalog.get_post(status.slug)
        if old is not None and old.source_key == key:
            remove_post(status.slug, services, outcome)
        elif old is None:
            outcome.retire(status.slug, settings.languages)  # left behind by a crash

    entry = entry_for(
        post, source_lang, previous, services, keep_machine=post.translate and not lang_note
    )
    if previous is not None:
        # Versions the new entry no longer has (machine translations of a post now marked
        # `translate: false`, a former source language) leave the site with it.
        outcome.retire(
            post.slug, [lang for lang in previous.versions if lang not in entry.versions]
        )
    bodies = {source_lang: rendered_body(post, services)}
    outcome.changed += write_post_pages(entry, bodies, services)
    save_entry(entry, previous, services, outcome)  # a redelivered event writes nothing

    # Translations written by people win; what is left goes to the machine.
    entry = _publish_people_translations(key, source_lang, entry, services, outcome)
    # A post in none of the site's languages (lang_note) is published as is.
    targets = () if lang_note else machine_targets(entry, post, settings)
    if targets:
        services.jobs.send(TranslationJob.of(entry, targets))
    if previous is not None and previous != entry:
        # People's pages show the original's date, author, project and pictures, and
        # whether they were made from an older version: they follow it now. (Machine
        # pages follow with their job.)
        done = {source_lang, *targets, *outcome.languages}
        outcome.changed += rewrite_existing_pages(entry, services, skip=done)
    outcome.languages = tuple(entry.versions)
    outcome.pages = 1
    outcome.message = "\n".join([*([lang_note] if lang_note else []), *post.notes]) or None
    record_status(
        services,
        key,
        "published",
        slug=post.slug,
        message=outcome.message,
        digest=post.content_hash,
    )
    # A post published as is, its notes (a slug changed, a picture left out) and what the
    # page leaves out (HTML, template code): one report beside the upload.
    report_notes(
        key, services, untranslated=lang_note, notes=post.notes, warnings=body_warnings(post)
    )
    return outcome


def _publish_people_translations(
    key: str, source_lang: str, entry: PostEntry, services: Services, outcome: Outcome
) -> PostEntry:
    """Publish each `<base>.<lang>.md` a person uploaded beside the post; the entry after.

    One named after the original's own language is refused here too (it arrived first
    and was told the original is missing: now it is told what is true).
    """
    languages = services.settings.languages
    base = classify_key(key, languages).base
    for lang in languages:
        human_key = translation_key(base, lang)
        if lang == source_lang and services.source.head(human_key) is None:
            continue
        try:
            human = read_source_post(human_key, services)
        except ContentError as error:
            report_failure(human_key, error, services)
            continue
        if human is not None:
            # Given the entry: the original's status is written only once it is done.
            published = publish_human_translation(human_key, human, services, original=entry)
            outcome.absorb(published)
            entry = services.catalog.get_post(entry.slug) or entry
    return entry


def unpublish_post(key: str, services: Services, *, reason: str | None = None) -> Outcome:
    """The source is gone (or a draft): remove every language version and its catalog entry.

    The slug it gave up is named in the outcome (`freed_slug`): the pipeline hands it to
    any file refused because it was taken.
    """
    status = services.catalog.get_status(key)
    outcome = Outcome(key, "unpublished", slug=status.slug if status else None, message=reason)
    if status and status.slug:
        entry = services.catalog.get_post(status.slug)
        if entry is not None and entry.source_key == key:
            orphan_translations(entry, services, why="is now a draft" if reason else "was deleted")
            remove_post(status.slug, services, outcome)
            outcome.freed_slug = status.slug
        elif entry is None:
            # A delete that died after its catalog write: its pages go now.
            outcome.retire(status.slug, services.settings.languages)
    clear_report(key, services)
    record_status(
        services, key, "skipped" if reason else "deleted", slug=outcome.slug, message=reason
    )
    return outcome
