"""run_build: the pipeline over a content folder into a site folder, with a summary."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from polypub.content.keys import classify_key
from polypub.pipeline import (
    Outcome,
    finish,
    note_translation_failure,
    process_source_key,
    process_translation,
)
from polypub.settings import Settings
from polypub.site.design import is_design_key
from polypub.translate.errors import TranslationError
from polypub.wiring import local_services

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
        ),
        key=lambda k: (not is_design_key(k), k),
    )
    # Sources that were published before and are gone now are unpublished, as a delete event would.
    known = {status.key for status in services.catalog.list_statuses() if status.state != "deleted"}
    gone = sorted(known - set(keys))
    work = keys + gone
    outcomes: list[Outcome] = []
    for index, key in enumerate(work, start=1):
        if progress:
            progress(index, len(work), key)
        outcome = process_source_key(key, services)
        outcomes.append(outcome)
        _count(outcome, summary)
    for job in list(queue.jobs):
        if progress:
            progress(
                len(work), len(work), f"translating {job.source_key} -> {','.join(job.targets)}"
            )
        try:
            outcome = process_translation(job, services)
        except TranslationError as error:
            # The source page stays published; the next build asks the translator again.
            note_translation_failure(job, error, services)
            summary.failures.append(Failure(job.source_key, "translation-failed", str(error)))
            continue
        note_translation_failure(job, None, services)
        outcomes.append(outcome)
        _count(outcome, summary)
        # Attributed to the provider that answered: after a fallback, not the first one.
        summary.chars_by_provider.update(outcome.chars_by_provider)
    finish(outcomes, services)
    summary.written = len({p for batch in cdn.invalidations for p in batch})
    summary.seconds = time.perf_counter() - started
    return summary


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
