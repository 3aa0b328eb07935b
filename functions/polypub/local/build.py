"""run_build: the pipeline over a content folder into a site folder, with a summary."""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from polypub.adapters.localfs import CollectingQueue
from polypub.content.keys import ASSETS_PREFIX, classify_key, key_problem
from polypub.local import buildstate
from polypub.local.prefetch import prefetched
from polypub.pipeline import finish, process_source_key, process_translation
from polypub.ports import Flushable
from polypub.settings import Settings
from polypub.site import urls
from polypub.site.design import is_design_key
from polypub.steps.context import Outcome, Services
from polypub.steps.errors import InternalError
from polypub.steps.listings import rebuild_listings
from polypub.steps.reports import note_translation_failure, report_internal_error
from polypub.steps.site_writing import delete_site_objects
from polypub.translate.errors import TranslationError
from polypub.wiring import local_services

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass
class Failure:
    key: str
    code: str
    message: str


@dataclass
class BuildSummary:
    posts: int = 0
    pages: int = 0
    assets: int = 0
    removed: int = 0
    languages: set[str] = field(default_factory=set)
    chars_by_provider: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: int = 0
    # Posts and translations published before from the same bytes: not published again.
    unchanged: int = 0
    seconds: float = 0.0

    @property
    def chars_sent(self) -> int:
        return sum(self.chars_by_provider.values())

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "pages": self.pages,
            "assets": self.assets,
            "removed": self.removed,
            "languages": sorted(self.languages),
            "chars_sent": self.chars_sent,
            "chars_by_provider": dict(self.chars_by_provider),
            "files_written": self.written,
            "unchanged": self.unchanged,
            "failures": [f.__dict__ for f in self.failures],
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


def run_build(
    settings: Settings,
    content_dir: Path,
    out_dir: Path,
    state_dir: Path,
    *,
    progress: Progress | None = None,
) -> BuildSummary:
    """Publish every post and asset of content_dir into out_dir; remove what disappeared.

    The same pipeline steps as the Lambdas, with folders for buckets and JSON files for the
    catalog and translation memory (kept in state_dir, so a second build only re-sends
    changed segments to the translator).
    """
    started = time.perf_counter()
    # A state that does not describe this output exactly is not trusted to skip anything.
    fresh = not buildstate.describes(state_dir, content_dir, out_dir)
    if fresh:
        buildstate.start_afresh(state_dir)
    services, queue, cdn = local_services(settings, content_dir, out_dir, state_dir)
    summary = BuildSummary()
    # The site config and theme go first: each change of them republishes every page.
    keys = sorted(
        (
            k
            for k in services.source.list_keys()
            if is_design_key(k)
            or classify_key(k, settings.languages).kind
            in ("post", "translation", "asset", "config")
            or key_problem(k) is not None
        ),
        key=lambda k: (not is_design_key(k), k),
    )
    # Sources that were published before and are gone now are unpublished, as a delete event would.
    known = {status.key for status in services.catalog.list_statuses() if status.state != "deleted"}
    gone = sorted(known - set(keys))
    work = keys + gone
    try:
        _publish(work, services, queue, summary, progress)
        if fresh:
            _sweep_older_site(services, summary)
    finally:
        # The JSON catalog and memory save at most every few seconds; the rest now.
        for port in (services.catalog, services.memory):
            if isinstance(port, Flushable):
                port.flush()
    if not any(failure.code == InternalError.code for failure in summary.failures):
        buildstate.remember(state_dir, content_dir, out_dir)
    summary.written = len({p for batch in cdn.invalidations for p in batch})
    summary.seconds = time.perf_counter() - started
    return summary


def _publish(
    work: list[str],
    services: Services,
    queue: CollectingQueue,
    summary: BuildSummary,
    progress: Progress | None,
) -> None:
    outcomes: list[Outcome] = []
    todo = [key for key in work if not is_unchanged(key, services)]
    summary.unchanged = len(work) - len(todo)
    # The design and the glossary go first: each change of them affects every post.
    settings = services.settings
    first = [
        k for k in todo if is_design_key(k) or classify_key(k, settings.languages).kind == "config"
    ]
    # People's translations after every original: an original publishes the ones beside
    # it, so a translation is never refused for an original that simply came later.
    rest = sorted(
        (k for k in todo if k not in set(first)),
        key=lambda k: classify_key(k, settings.languages).kind == "translation",
    )
    # The pure part of each post's work (parsing, rendering, translating from memory)
    # runs on every CPU ahead of the steps, which then find it done.
    ordered = chain(first, prefetched(rest, services))
    for index, key in enumerate(ordered, start=1):
        if progress:
            progress(index, len(todo), key)
        try:
            outcome = process_source_key(key, services)
        except Exception as error:
            # A bug or a broken folder: this file is reported, the others go on.
            outcome = _internal_error(key, error, services)
        outcomes.append(outcome)
        _count(outcome, summary)
    for job in list(queue.jobs):
        if progress:
            progress(
                len(todo), len(todo), f"translating {job.source_key} -> {','.join(job.targets)}"
            )
        try:
            outcome = process_translation(job, services)
        except TranslationError as error:
            # The source page stays published; the next build asks the translator again.
            note_translation_failure(job, error, services)
            summary.failures.append(Failure(job.source_key, "translation-failed", str(error)))
            continue
        except Exception as error:
            _count(_internal_error(job.source_key, error, services), summary)
            continue
        note_translation_failure(job, None, services)
        outcomes.append(outcome)
        _count(outcome, summary)
        # Attributed to the provider that answered: after a fallback, not the first one.
        summary.chars_by_provider.update(outcome.chars_by_provider)
    try:
        finish(outcomes, services)
    except Exception as error:
        log.debug("finishing the build failed", exc_info=True)
        summary.failures.append(
            Failure(
                "(listings, feeds and sitemaps)",
                InternalError.code,
                f"Polyglot Press failed while writing them ({type(error).__name__}: {error}); "
                "build again to complete them",
            )
        )
        return
    # A file refused on the way may be published by now (a translation that came before
    # its original): the summary says what is true at the end.
    summary.failures = [
        failure
        for failure in summary.failures
        if failure.code == "translation-failed" or _still_failing(failure, services)
    ]


def _sweep_older_site(services: Services, summary: BuildSummary) -> None:
    """After a build from a fresh catalog: remove what the output holds of an older site.

    Every listing is rendered again (the listings of groups now empty go), and post pages
    and assets that no published post or uploaded file accounts for are deleted. Other
    files in the folder are not Polyglot Press's and stay.
    """
    try:
        rebuild_listings(services)
        languages = services.settings.languages
        expected = {
            urls.object_key(urls.post_url(lang, entry.slug))
            for entry in services.catalog.list_posts()
            for lang in entry.versions
        }
        stale = [
            key
            for lang in languages
            for key in services.site.list_keys(urls.posts_key_prefix(lang))
            if key not in expected
        ]
        sources = set(services.source.list_keys(ASSETS_PREFIX))
        stale += [k for k in services.site.list_keys(ASSETS_PREFIX) if k not in sources]
        summary.removed += len(stale)
        delete_site_objects(stale, services)
        finish([], services)
    except Exception as error:
        log.debug("sweeping the output failed", exc_info=True)
        summary.failures.append(
            Failure("(older files in the output)", InternalError.code, f"{error}")
        )


def _internal_error(key: str, error: Exception, services: Services) -> Outcome:
    log.debug("handling %s failed", key, exc_info=True)
    reported = report_internal_error(key, error, services)
    message = f"Polyglot Press failed on this file ({type(error).__name__}: {error})"
    return reported or Outcome(key, "failed", message=message, error_code=InternalError.code)


def _still_failing(failure: Failure, services: Services) -> bool:
    if failure.code == InternalError.code:
        return True
    status = services.catalog.get_status(failure.key)
    return status is not None and status.state == "failed" and status.error_code == failure.code


def is_unchanged(key: str, services: Services) -> bool:
    """True when a post or translation is published from these very bytes, pages and all.

    A second build then skips it: publishing it again would render the same pages. A
    post waiting for a translation, or missing a site language (the languages setting
    changed) or a page (the output folder was cleaned), goes through again.
    """
    kind = classify_key(key, services.settings.languages)
    if kind.kind not in ("post", "translation"):
        return False
    status = services.catalog.get_status(key)
    if status is None or status.state != "published" or status.error_code or not status.slug:
        return False
    entry = services.catalog.get_post(status.slug)
    data = services.source.get(key)
    if entry is None or data is None or hashlib.sha256(data).hexdigest() != status.content_hash:
        return False
    if kind.kind == "post":
        if entry.source_key != key or not set(services.settings.languages) <= set(entry.versions):
            return False
        langs = list(entry.versions)
    else:
        version = entry.versions.get(kind.lang or "")
        if version is None or version.kind != "human":
            return False
        langs = [kind.lang or ""]
    return all(
        services.site.head(urls.object_key(urls.post_url(lang, entry.slug))) is not None
        for lang in langs
    )


def _count(outcome: Outcome, summary: BuildSummary) -> None:
    if outcome.action == "failed":
        summary.failures.append(
            Failure(outcome.key, outcome.error_code or "error", outcome.message or "")
        )
    elif outcome.action == "published" and outcome.key.endswith(".md"):
        summary.posts += 1 if classify_key(outcome.key).kind == "post" else 0
        summary.pages += outcome.pages
        summary.languages.update(outcome.languages)
        if outcome.message:
            summary.notes.append(f"{outcome.key}: {outcome.message}")
    elif outcome.action == "translated":
        summary.pages += outcome.pages
        summary.languages.update(outcome.languages)
    elif outcome.action == "copied":
        summary.assets += 1
    elif outcome.action in ("unpublished", "removed"):
        summary.removed += 1
