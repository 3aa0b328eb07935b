"""The ports: small protocols the pipeline depends on, with cloud and local adapters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol, runtime_checkable

from polypub.model import PostEntry, RepublishRun, SourceStatus, TranslationJob
from polypub.site.listings import ListingSource


class Unchecked(Enum):
    """put_post without an expectation about the stored entry."""

    ANY = "any"


ANY = Unchecked.ANY


class CatalogConflictError(Exception):
    """The catalog entry changed since it was read; acting on what was read would lose that."""

    retryable = True


@dataclass(frozen=True)
class ObjectInfo:
    """What a HEAD request tells about a stored object."""

    key: str
    size: int
    digest: str  # hex MD5 of the content (S3's ETag for single-part uploads)


class Storage(Protocol):
    """A bucket (or a folder standing in for one)."""

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when it does not exist."""

    def head(self, key: str) -> ObjectInfo | None:
        """Size and digest without reading the body, or None when it does not exist."""

    def put(
        self, key: str, data: bytes, content_type: str, *, cache_control: str | None = None
    ) -> None: ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""

    def list_keys(self, prefix: str = "") -> Iterator[str]: ...

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object under ``prefix`` with its size and digest, in one listing (no HEADs)."""


class PostStore(Protocol):
    """The published posts, one entry each (all its language versions)."""

    def get_post(self, slug: str) -> PostEntry | None: ...

    def put_post(self, entry: PostEntry, *, expected: PostEntry | Unchecked | None = ANY) -> None:
        """Write the entry; with `expected`, only if the stored one (None: none) is that.

        A mismatch raises CatalogConflictError and writes nothing: another function
        changed or removed the post since this one read it.
        """

    def delete_post(self, slug: str) -> None: ...

    def list_posts(self) -> list[PostEntry]:
        """Every entry: only for rebuilding everything (a design change, a full build)."""

    def change_count(self) -> int:
        """A number that grows with every put_post and delete_post (compare, never count)."""


class PendingEntries(Protocol):
    """Entries changed but not yet shown in the listings (a crash between the two is repaired)."""

    def add_pending_entries(self, entries: Mapping[str, PostEntry | None]) -> None:
        """Before changing these posts' entries, remember what they were (slug -> entry).

        A slug already pending keeps the entry first remembered: the listings still show
        that one. So a crash between a catalog write and the listing refresh is repaired
        by whichever run refreshes next (steps/listings.refresh_listings).
        """

    def pending_entries(self) -> dict[str, PostEntry | None]:
        """Entries changed but not yet shown in the listings, as they were before."""

    def remove_pending_entries(self, entries: Mapping[str, PostEntry | None]) -> None:
        """Forget these, once their listings are refreshed, unless remembered differently."""


class StatusStore(Protocol):
    """What happened to each uploaded file (what `polypub status` prints)."""

    def get_status(self, key: str) -> SourceStatus | None: ...

    def put_status(self, status: SourceStatus) -> None: ...

    def list_statuses(self) -> list[SourceStatus]: ...


class EventClaims(Protocol):
    """The newest S3 event handled per key, so an older one never acts after it."""

    def claim_event(self, key: str, sequencer: str) -> bool:
        """Remember ``sequencer`` as the newest S3 event for ``key``, with a conditional write.

        False when a newer sequencer is already remembered: the event is stale and must not
        act. The same sequencer again (a redelivery) is claimed again. Sequencers are
        compared as text, so callers pass them padded to one width.
        """

    def newest_event(self, key: str) -> str | None:
        """The newest sequencer claimed for ``key``, or None."""


class PendingPaths(Protocol):
    """Site paths changed but not yet invalidated on the CDN."""

    def add_pending_paths(self, paths: Sequence[str]) -> None:
        """Record site paths about to change, before changing them (an atomic set union)."""

    def pending_paths(self) -> set[str]:
        """Paths changed but not yet invalidated on the CDN (a crash or a CDN error left them)."""

    def remove_pending_paths(self, paths: Sequence[str]) -> None:
        """Forget paths once the CDN has accepted their invalidation (an atomic set difference)."""


class RunProgress(Protocol):
    """Site-wide republishes and their jobs' progress (steps/jobs_run.py)."""

    def start_run(self, run: RepublishRun) -> None:
        """Record a run's description; a run started again keeps the jobs it counted."""

    def job_finished(self, run: str, job: str, *, failed: bool = False) -> None:
        """Count one job of the run as done (or failed), atomically and idempotently."""

    def list_runs(self) -> list[RepublishRun]: ...

    def get_stamp(self) -> str | None:
        """The version stamp of the package that last published the site (None: never)."""

    def swap_stamp(self, value: str, *, expected: str | None) -> bool:
        """Store `value` if the stamp is still `expected`; False when another call won."""


class Catalog(
    PostStore,
    ListingSource,
    PendingEntries,
    StatusStore,
    EventClaims,
    PendingPaths,
    RunProgress,
    Protocol,
):
    """The whole catalog, as one table (DynamoCatalog) or one JSON file (JsonCatalog) holds it.

    The listing queries are site.listings.ListingSource: each returns a bounded number
    of entries, so republishing one post costs the same on any size of site. A part
    that needs only one concern takes that protocol (status.py a StatusStore, the
    listing rounds a ListingSource).
    """


@runtime_checkable
class Flushable(Protocol):
    """A local adapter that batches its writes; flush() writes what is pending."""

    def flush(self) -> None: ...


class TranslationMemory(Protocol):
    """Translated segments by key (provider, languages, segment hash)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, str]: ...

    def put_many(self, items: Mapping[str, str]) -> None: ...


class Translator(Protocol):
    """One translation provider. Texts may carry placeholder tags that must survive."""

    name: str

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]: ...


class Cdn(Protocol):
    """The CDN in front of the site bucket."""

    def invalidate(self, paths: Sequence[str]) -> None:
        """Ask the CDN to drop exactly these paths (URL paths starting with '/')."""


class Notifier(Protocol):
    """Where a teacher-facing report is also sent (an SNS topic with e-mail subscriptions)."""

    def notify(self, subject: str, message: str) -> None: ...


class SiteJobQueue(Protocol):
    """Where site-wide work goes as bounded jobs (the render queue, steps/jobs.py)."""

    def send_many(self, bodies: Sequence[Mapping[str, Any]]) -> None: ...


class JobQueue(Protocol):
    """Where the render step hands work to the translate step."""

    def send(self, job: TranslationJob) -> None: ...
