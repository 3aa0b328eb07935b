"""What every step is given (Services) and what each step returns (Outcome)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from polypub.model import PostEntry
from polypub.ports import (
    Catalog,
    Cdn,
    JobQueue,
    Notifier,
    SiteJobQueue,
    Storage,
    TranslationMemory,
    Translator,
)
from polypub.settings import Settings
from polypub.site.config import SiteConfig
from polypub.site.design import site_config
from polypub.steps.prepared import BatchWork

Action = Literal["published", "unpublished", "translated", "failed", "skipped", "copied", "removed"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    """A datetime as the catalog writes it: ISO 8601 in UTC, to the second, with a Z."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


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
    # Failure reports are also sent here when set (SNS e-mail in the cloud).
    notifier: Notifier | None = None
    # Site-wide work goes here as bounded jobs (steps/jobs_run.py); None runs each job
    # at once, in this process (`polypub build`, the steps' unit tests).
    site_jobs: SiteJobQueue | None = None
    # What one batch works out once (steps/prepared.py); emptied when the batch
    # finishes, so a change is never seen late.
    work: BatchWork = field(default_factory=BatchWork, compare=False, repr=False)

    def forget(self) -> None:
        self.work.clear()

    @property
    def site_config(self) -> SiteConfig:
        # The school's config/site.yml and theme/ live in the source bucket beside posts.
        return self.work.design.get("", lambda: site_config(self.settings, self.source))

    def now(self) -> str:
        return iso(self.clock())


@dataclass
class Outcome:
    """What one step did: shown in summaries and turned into one CDN invalidation."""

    key: str
    action: Action
    slug: str | None = None
    message: str | None = None
    error_code: str | None = None
    changed: list[str] = field(default_factory=list)
    # Catalog entries this step changed, by slug, as they were before it: the listing
    # pages that show them are re-rendered (listings.affected_units).
    entries_before: dict[str, PostEntry | None] = field(default_factory=dict)
    # Every listing is rebuilt (a design change: every page looks different).
    rebuild_all: bool = False
    # A slug this step gave up (a post deleted or turned into a draft): files refused
    # because it was taken get it now (pipeline.give_freed_slug).
    freed_slug: str | None = None
    # Post pages to take down once the listings no longer show them, by slug: their
    # languages (pipeline.finish deletes them after refreshing the listings, so no
    # listing, feed or sitemap ever links to a page that is gone).
    retired: dict[str, set[str]] = field(default_factory=dict)
    chars_sent: int = 0
    chars_by_provider: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    languages: tuple[str, ...] = ()

    def absorb(self, other: Outcome) -> None:
        """Take over what another step changed (it ran on behalf of this one)."""
        self.changed += other.changed
        for slug, before in other.entries_before.items():
            self.entries_before.setdefault(slug, before)
        self.rebuild_all = self.rebuild_all or other.rebuild_all
        for slug, langs in other.retired.items():
            self.retire(slug, langs)

    def retire(self, slug: str, langs: Iterable[str]) -> None:
        """Take these language pages of `slug` down after the listings drop them."""
        self.retired.setdefault(slug, set()).update(langs)
