"""The school's files other than posts: design (site.yml, theme/), glossary, and assets."""

from __future__ import annotations

import hashlib

from polypub.content.assets import asset_content_type
from polypub.content.errors import ContentError
from polypub.model import TranslationJob
from polypub.site.design import check_design
from polypub.steps.context import Outcome, Services
from polypub.steps.post_pages import rewrite_existing_pages
from polypub.steps.reports import clear_report, record_status, report_failure
from polypub.steps.site_writing import (
    ASSET_CACHE,
    SiteObject,
    delete_site_objects,
    write_site_objects,
)
from polypub.translate.glossary import DEFAULT_GLOSSARY, GLOSSARY_KEY, parse_glossary


def publish_design(key: str, services: Services) -> Outcome:
    """config/site.yml or a theme/ template changed: check it, then republish every page."""
    data = services.source.get(key)
    digest = hashlib.sha256(data).hexdigest() if data is not None else None
    status = services.catalog.get_status(key)
    if status is not None and status.state != "failed" and status.content_hash == digest:
        return Outcome(key, "skipped", message="unchanged")
    if status is None and data is None:
        return Outcome(key, "skipped", message="never uploaded")
    services.forget()  # pages from here on use the new design
    try:
        check_design(services.settings, services.source, key)
    except ContentError as error:
        # What is usable of the design still applies, so every page is republished anyway.
        outcome = report_failure(key, error, services)
    else:
        outcome = Outcome(key, "published" if data is not None else "removed")
        clear_report(key, services)
        record_status(
            services, key, "published" if data is not None else "deleted", slug=None, digest=digest
        )
    for entry in services.catalog.list_posts():
        outcome.changed += rewrite_existing_pages(entry, services)
    outcome.rebuild_all = True
    return outcome


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
            services.jobs.send(TranslationJob.of(entry, targets))
            queued += 1
    message = f"{glossary.size} glossary entries; {queued} posts queued for translation"
    clear_report(key, services)
    record_status(
        services,
        key,
        "published" if data is not None else "deleted",
        slug=None,
        message=message,
        digest=glossary.digest,
    )
    return Outcome(key, "published" if data is not None else "removed", message=message)


def sync_asset(key: str, services: Services) -> Outcome:
    """Copy a passive asset to the site unchanged, or remove it when the source is gone.

    Anything a browser could run from the school's origin (HTML, scripts, SVG, a type
    whose name and content disagree) is refused with a report, and a copy published
    before is taken down.
    """
    data = services.source.get(key)
    status = services.catalog.get_status(key)
    refused_before = status is not None and status.state == "failed"
    if data is None:
        if refused_before:
            # A refused asset deleted by the teacher: its report goes with it.
            clear_report(key, services)
            record_status(services, key, "deleted", slug=None)
        if services.site.head(key) is None:
            return Outcome(key, "skipped", message="already removed")
        return Outcome(key, "removed", changed=delete_site_objects([key], services))
    try:
        content_type = asset_content_type(key, data)
    except ContentError as error:
        outcome = report_failure(key, error, services)
        if services.site.head(key) is not None:
            outcome.changed += delete_site_objects([key], services)
        return outcome
    changed = write_site_objects({key: SiteObject(data, content_type, ASSET_CACHE)}, services)
    if refused_before:
        record_status(services, key, "published", slug=None)  # clears the report
    if not changed:
        return Outcome(key, "skipped", message="unchanged")
    return Outcome(key, "copied", changed=changed)
