"""The publishing pipeline, top to bottom: source change -> dispatch -> step -> finish.

Each step lives in its own module under steps/; this module only puts them in order.
The render function calls process_source_key per S3 event, the translate function
run_translation per job, and both call finish() once per batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from polypub.content.errors import ContentError
from polypub.content.keys import classify_key
from polypub.model import TranslationJob
from polypub.site.design import is_design_key
from polypub.steps.config import apply_config_change, publish_design, sync_asset
from polypub.steps.context import Outcome, Services
from polypub.steps.entries import take_down_retired
from polypub.steps.errors import SlugTakenError
from polypub.steps.jobs import SiteJob
from polypub.steps.jobs_run import republish_if_upgraded, run_job
from polypub.steps.listings import refresh_listings
from polypub.steps.people import publish_human_translation, remove_human_translation
from polypub.steps.publish import publish_post, unpublish_post
from polypub.steps.reports import note_translation_failure, refuse_unusable_key, report_failure
from polypub.steps.sources import read_source_post
from polypub.steps.translate import process_translation
from polypub.translate.errors import TranslationError

__all__ = [
    "Outcome",
    "Services",
    "apply_current_state",
    "apply_source_change",
    "apply_translation",
    "finish",
    "process_source_key",
    "process_translation",
    "republish_if_upgraded",
    "run_site_job",
    "run_translation",
]


# --------------------------------------------------------------------------- one event, one job


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
    """Dispatch on what the key is, then hand a slug it freed to the files waiting for it."""
    outcome = dispatch(key, services)
    if outcome.freed_slug is not None:
        give_freed_slug(outcome.freed_slug, services, outcome)
    return outcome


def dispatch(key: str, services: Services) -> Outcome:
    """The step for what the key is; it reads the bucket's current state, never the event's."""
    if is_design_key(key):
        return publish_design(key, services)
    refused = refuse_unusable_key(key, services)
    if refused is not None:
        return refused
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


def give_freed_slug(slug: str, services: Services, outcome: Outcome) -> None:
    """Files refused because `slug` was taken get it now (a post renamed or moved)."""
    for status in services.catalog.list_statuses():
        if (
            status.state == "failed"
            and status.error_code == SlugTakenError.code
            and status.slug == slug
            and status.key != outcome.key
        ):
            outcome.absorb(apply_current_state(status.key, services))


# --------------------------------------------------------------------------- the translate step


def run_translation(job: TranslationJob, services: Services) -> Outcome:
    """process_translation, with a provider failure noted on the post's status (and re-raised)."""
    try:
        outcome = process_translation(job, services)
    except TranslationError as error:
        note_translation_failure(job, error, services)
        raise
    note_translation_failure(job, None, services)
    return outcome


# --------------------------------------------------------------------------- site-wide jobs


def run_site_job(job: SiteJob, services: Services) -> Outcome:
    """One bounded job of a republish (a design, glossary or upgrade change, or the
    operator's): its pages, listing objects or translation requests (steps/jobs_run.py)."""
    return run_job(job, services)


# --------------------------------------------------------------------------- after a batch


def finish(outcomes: Sequence[Outcome], services: Services) -> list[str]:
    """Rebuild listings if any step changed the catalog, then invalidate exactly what changed.

    Every site write records its path as pending first (steps/site_writing.py), so paths
    that a crash or a CDN refusal left uninvalidated are invalidated here by whichever
    run comes next, usually the SQS retry of the same message; then exactly the
    invalidated paths are forgotten.
    """
    changed = [path for outcome in outcomes for path in outcome.changed]
    changed += refresh_listings(outcomes, services)
    # Pages of removed posts go only now, once no listing links to them.
    changed += take_down_retired(outcomes, services)
    paths = sorted(set(changed) | services.catalog.pending_paths())
    if paths:
        services.cdn.invalidate(paths)
        services.catalog.remove_pending_paths(paths)
    services.forget()
    return changed
