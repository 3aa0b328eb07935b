"""Translations written by people (`posts/<name>.<lang>.md`): they win over the machine's."""

from __future__ import annotations

from dataclasses import replace

import yaml

from polypub.content.errors import ContentError
from polypub.content.keys import classify_key, translation_key
from polypub.content.post import Post, SafeYAMLHandler, load_yaml
from polypub.model import PostEntry, TranslationJob, VersionInfo
from polypub.steps.context import Outcome, Services
from polypub.steps.entries import machine_targets, save_entry
from polypub.steps.errors import (
    OriginalMissingError,
    SameLanguageTranslationError,
    TranslationOfAnotherPostError,
)
from polypub.steps.post_pages import rewrite_existing_pages, write_post_pages
from polypub.steps.reports import clear_report, record_status, report_failure, report_notes
from polypub.steps.sources import (
    body_warnings,
    parse_source,
    post_language,
    read_source_post,
    rendered_body,
    translation_engine,
)


def publish_human_translation(
    key: str, data: bytes, services: Services, *, original: PostEntry | None = None
) -> Outcome:
    """A person's `posts/<name>.<lang>.md`: publish it in place of the machine's version.

    `original` is the original's entry when its own step publishes this file with it
    (its status is not written yet then); else the original is found from its status.
    """
    settings = services.settings
    try:
        post = parse_source(key, data, services)
        lang = post.translation_lang or ""
        original_key = original.source_key if original else _original_key(key, services)
        entry = original or _published_entry(original_key, services)
        declared = declared_original(data)
        if declared is not None and declared.lower() != original_key.lower():
            # A copy from machine-translations/ uploaded under another post's name would
            # publish one post's words as another's (and teach memory nonsense).
            named = classify_key(declared, settings.languages)
            upload_as = (
                f"upload it as {translation_key(named.base, lang)}, or "
                if named.kind == "post"
                else ""
            )
            raise TranslationOfAnotherPostError(
                f"this file says it is the translation of {declared} (translation_of), but "
                f"its name makes it the translation of {original_key}; {upload_as}remove "
                f"the translation_of line if it really translates {original_key}"
            )
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
    if lang not in previous_entry.versions:
        # A new language: the other pages' switchers and hreflang links now name it.
        outcome.changed += rewrite_existing_pages(entry, services, skip=(lang,))
    outcome.languages = (lang,)
    if previous is None or previous.kind != "human" or previous.provider != digest:
        # New words from the person (not the same file published again with its
        # original, nor a stale translation of an older original): memory learns them.
        outcome.message = learn_corrections(post, entry, services)
    record_status(
        services, key, "published", slug=entry.slug, digest=digest, message=outcome.message
    )
    # What a person's page leaves out (HTML, template code) reaches them as for a post.
    report_notes(key, services, notes=post.notes, warnings=body_warnings(post))
    return outcome


def learn_corrections(person: Post, entry: PostEntry, services: Services) -> str | None:
    """Keep what a person's translation corrects in translation memory; a line saying so.

    The same sentence in a later post is then translated as the person wrote it
    (TranslationEngine.learn: aligned with the original, markup checked).
    """
    lang = person.translation_lang or ""
    try:
        data = read_source_post(entry.source_key, services)
        original = parse_source(entry.source_key, data, services) if data is not None else None
    except ContentError:
        return None  # the original's own step reports it
    if original is None:
        return None
    learned = translation_engine(services).learn(original, person, entry.source_lang, lang)
    if not learned.corrections:
        return None
    count = len(learned.corrections)
    return f"{count} corrected segment{'s' if count != 1 else ''} kept in translation memory"


def declared_original(data: bytes) -> str | None:
    """The original a file names in ``translation_of:`` (the machine's copies do), or None.

    Read after parse_post accepted the file, so its front matter is known to be valid.
    """
    handler = SafeYAMLHandler()
    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").lstrip()
    if not handler.detect(text):
        return None
    try:
        front, _ = handler.split(text)
        values, _ = load_yaml(front)
    except (ValueError, yaml.YAMLError, ContentError):
        return None
    found = values.get("translation_of") if isinstance(values, dict) else None
    return found.strip() if isinstance(found, str) and found.strip() else None


def _published_entry(original_key: str, services: Services) -> PostEntry | None:
    status = services.catalog.get_status(original_key)
    return services.catalog.get_post(status.slug) if status and status.slug else None


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
    outcome.retire(entry.slug, [lang])
    outcome.changed += rewrite_existing_pages(entry, services)
    if _machine_translates(entry, lang, services):
        services.jobs.send(TranslationJob.of(entry, (lang,)))
    return outcome


def _machine_translates(entry: PostEntry, lang: str, services: Services) -> bool:
    """Whether the machine translates the original into `lang` (not `translate: false`)."""
    try:
        data = read_source_post(entry.source_key, services)
        post = parse_source(entry.source_key, data, services) if data is not None else None
    except ContentError:
        return False  # the original's own step reports it; its next version decides
    if post is None or post_language(post, services)[1] is not None:
        return False
    return lang in machine_targets(entry, post, services.settings)


def orphan_translations(entry: PostEntry, services: Services, *, why: str) -> None:
    """The original is going (`why`: deleted, a draft): the files beside it are not published.

    Each translation file still in the bucket (a person's, or one refused for its name)
    gets a report, as a translation uploaded without its original does.
    """
    base = classify_key(entry.source_key, services.settings.languages).base
    for lang in services.settings.languages:
        key = translation_key(base, lang)
        version = entry.versions.get(lang)
        if (version is None or version.kind != "human") and services.source.head(key) is None:
            continue
        report_failure(
            key,
            OriginalMissingError(
                f"this is a translation of {entry.source_key}, which {why}, so it is not "
                f"published; publish {entry.source_key} again to publish both, or delete "
                "this file too"
            ),
            services,
        )
