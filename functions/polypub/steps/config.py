"""The school's files other than posts: design (site.yml, theme/), glossary, and assets."""

from __future__ import annotations

import hashlib

from polypub.content.assets import asset_content_type
from polypub.content.errors import ContentError
from polypub.model import SourceStatus
from polypub.site.design import check_design
from polypub.steps.context import Outcome, Services
from polypub.steps.jobs_run import plan_run
from polypub.steps.reports import clear_report, record_status, report_failure
from polypub.steps.site_writing import (
    ASSET_CACHE,
    SiteObject,
    delete_site_objects,
    write_site_objects,
)
from polypub.translate.glossary import DEFAULT_GLOSSARY, GLOSSARY_KEY, parse_glossary


def publish_design(key: str, services: Services) -> Outcome:
    """config/site.yml or a theme/ template changed: check it, then republish every page.

    The pages are republished by bounded jobs on the render queue (steps/jobs_run.py),
    not here: this invocation only plans them. The status is recorded after the jobs
    are queued, so a failure on the way is retried as a whole.
    """
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
        planned = plan_run(services, run=run_id("design", key, digest, status), reason=key)
        outcome = report_failure(key, error, services)
    else:
        planned = plan_run(services, run=run_id("design", key, digest, status), reason=key)
        outcome = Outcome(key, "published" if data is not None else "removed")
        clear_report(key, services)
        record_status(
            services, key, "published" if data is not None else "deleted", slug=None, digest=digest
        )
    outcome.absorb(planned)
    outcome.message = outcome.message or planned.message
    return outcome


def run_id(what: str, key: str, digest: str | None, status: SourceStatus | None) -> str:
    """The same for a retry of one change, different for the next change of the same file
    (even back to earlier bytes: the status it replaces differs)."""
    before = "" if status is None else f"{status.content_hash}|{status.updated}"
    return f"{what}-" + hashlib.sha256(f"{key}|{digest}|{before}".encode()).hexdigest()[:12]


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
    # The posts are queued for translation by bounded jobs (steps/jobs_run.py); the
    # translate queue keeps its low concurrency for the providers' rate limits.
    planned = plan_run(
        services,
        run=run_id("glossary", key, glossary.digest, status),
        reason=key,
        kind="translations",
    )
    message = f"{glossary.size} glossary entries; {planned.message}"
    clear_report(key, services)
    record_status(
        services,
        key,
        "published" if data is not None else "deleted",
        slug=None,
        message=message,
        digest=glossary.digest,
    )
    outcome = Outcome(key, "published" if data is not None else "removed", message=message)
    outcome.absorb(planned)
    return outcome


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
