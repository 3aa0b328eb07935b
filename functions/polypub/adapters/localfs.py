"""Local stand-ins for the ports: a folder as a bucket, JSON files as catalog and memory."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from stat import S_ISREG
from typing import Any

from polypub.content.keys import is_report_key
from polypub.content.post_markdown import is_draft_key
from polypub.model import PostEntry, RepublishRun, SourceStatus, TranslationJob
from polypub.ports import ANY, CatalogConflictError, ObjectInfo, Unchecked
from polypub.site.listings import ListingIndex


class UnsafeKeyError(ValueError):
    """A key would resolve outside the folder that stands in for the bucket."""


def _atomic_write(path: Path, data: bytes, *, folder_exists: bool = False) -> None:
    # Write-then-rename so a reader (the preview server, a browser) never sees half a file.
    if not folder_exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FolderStorage:
    """The Storage port over a local folder; keys are POSIX paths below it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        # Folders this object created or wrote into: a build writes thousands of pages,
        # and asking the file system for each page's folder again costs as much as the
        # write (a folder removed meanwhile is created again: see put).
        self._folders: set[Path] = set()
        # MD5s by path, with the (mtime, size) they were computed for: a HEAD of a file
        # unchanged since (a page just written, a post read twice) needs no read.
        self._digests: dict[Path, tuple[int, int, str]] = {}

    def _path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        if not key or key.startswith("/") or "\\" in key or ".." in parts:
            raise UnsafeKeyError(f"refusing key outside the folder: {key!r}")
        return self.root.joinpath(*parts)

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not S_ISREG(stat.st_mode):
            return None
        known = self._digests.get(path)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return ObjectInfo(key=key, size=stat.st_size, digest=known[2])
        data = self.get(key)
        if data is None:
            return None
        digest = hashlib.md5(data).hexdigest()  # noqa: S324 - S3 ETag semantics, not security
        self._digests[path] = (stat.st_mtime_ns, stat.st_size, digest)
        return ObjectInfo(key=key, size=len(data), digest=digest)

    def put(
        self, key: str, data: bytes, content_type: str, *, cache_control: str | None = None
    ) -> None:
        path = self._path(key)
        try:
            _atomic_write(path, data, folder_exists=path.parent in self._folders)
        except FileNotFoundError:
            _atomic_write(path, data)  # the folder was removed meanwhile
        self._folders.add(path.parent)
        stat = path.stat()
        digest = hashlib.md5(data).hexdigest()  # noqa: S324 - S3 ETag semantics, not security
        self._digests[path] = (stat.st_mtime_ns, stat.st_size, digest)

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Remove folders left empty, so a deleted post leaves no empty directory URL behind.
        parent = path.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            self._folders.discard(parent)
            parent = parent.parent

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for key in self.list_keys(prefix):
            info = self.head(key)
            if info is not None:
                yield info

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        # Only the folder the prefix names is walked: listing `theme/` or `sitemaps/`
        # must not cost a walk of the whole site.
        folder, _, _ = prefix.rpartition("/")
        start = self._path(folder) if folder else self.root
        if not start.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(start):
            # Dot-folders (.git, editor state) are never part of a bucket.
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key


class RedirectedReports:
    """A content folder as the source bucket, with the reports written somewhere else.

    In the cloud a report object lands beside the upload, where the teacher looks; a
    local build would write it into the content folder (often a git checkout), so it
    goes to the build state instead, and the build summary names every failure.
    """

    def __init__(self, content: FolderStorage, reports: FolderStorage) -> None:
        self._content = content
        self._reports = reports

    def _for(self, key: str) -> FolderStorage:
        # The machine translations' editable copies are the build's output too.
        return self._reports if is_report_key(key) or is_draft_key(key) else self._content

    def get(self, key: str) -> bytes | None:
        return self._for(key).get(key)

    def head(self, key: str) -> ObjectInfo | None:
        return self._for(key).head(key)

    def put(
        self, key: str, data: bytes, content_type: str, *, cache_control: str | None = None
    ) -> None:
        self._for(key).put(key, data, content_type, cache_control=cache_control)

    def delete(self, key: str) -> None:
        self._for(key).delete(key)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        return (key for key in self._content.list_keys(prefix) if self._for(key) is self._content)

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        return (o for o in self._content.list_objects(prefix) if self._for(o.key) is self._content)


class _JsonFile:
    """A JSON document on disk, loaded once and saved atomically.

    Saving rewrites the whole file, so a build that changes hundreds of records saves at
    most once per SAVE_INTERVAL seconds (a crash loses at most that much, which the next
    build redoes) and once more on flush(), which `polypub build` calls when it ends.
    """

    SAVE_INTERVAL = 10.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, Any] = (
            json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        )
        self._dirty = False
        self._saved_at = time.monotonic()

    def section(self, name: str) -> dict[str, Any]:
        return self._data.setdefault(name, {})  # type: ignore[no-any-return]

    def save(self) -> None:
        """Note a change; written now if the last write is older than SAVE_INTERVAL."""
        self._dirty = True
        if time.monotonic() - self._saved_at >= self.SAVE_INTERVAL:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            text = json.dumps(self._data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            _atomic_write(self.path, text.encode("utf-8"))
            self._dirty = False
            self._saved_at = time.monotonic()


class JsonCatalog:
    """The Catalog port in one JSON file (for `polypub build`).

    Entries are kept parsed and indexed in memory (a ListingIndex), so listing queries
    cost what DynamoDB's do: the entries they return, not the size of the site.
    """

    def __init__(self, path: Path) -> None:
        self._file = _JsonFile(path)
        # Claims and path sets compare-and-write like DynamoDB's conditions; the lock
        # makes them atomic for the threads of one process.
        self._lock = threading.Lock()
        self._index = ListingIndex(
            PostEntry.from_dict(doc) for doc in self._file.section("posts").values()
        )
        self._changes = 0

    def flush(self) -> None:
        """Write what is not written yet (the end of a build)."""
        self._file.flush()

    def get_post(self, slug: str) -> PostEntry | None:
        return self._index.get(slug)

    def put_post(self, entry: PostEntry, *, expected: PostEntry | Unchecked | None = ANY) -> None:
        if expected is not ANY and self._index.get(entry.slug) != expected:
            raise CatalogConflictError(f"the catalog entry of {entry.slug} changed meanwhile")
        self._file.section("posts")[entry.slug] = entry.to_dict()
        self._index.put(entry)
        self._changes += 1
        self._file.save()

    def delete_post(self, slug: str) -> None:
        if self._file.section("posts").pop(slug, None) is not None:
            self._index.remove(slug)
            self._changes += 1
            self._file.save()

    def list_posts(self) -> list[PostEntry]:
        return self._index.entries()

    def newest_posts(self, collection: str, limit: int) -> list[PostEntry]:
        return self._index.newest_posts(collection, limit)

    def posts_in_period(
        self, collection: str, period: str, limit: int | None = None
    ) -> list[PostEntry]:
        return self._index.posts_in_period(collection, period, limit)

    def neighbour_periods(self, collection: str, period: str) -> tuple[str | None, str | None]:
        return self._index.neighbour_periods(collection, period)

    def change_count(self) -> int:
        # One process uses a JSON catalog (polypub build): counted in memory.
        return self._changes

    def add_pending_entries(self, entries: Mapping[str, PostEntry | None]) -> None:
        with self._lock:
            pending = self._file.section("relist")
            for slug, entry in entries.items():
                pending.setdefault(slug, None if entry is None else entry.to_dict())
            self._file.save()

    def pending_entries(self) -> dict[str, PostEntry | None]:
        return {
            slug: None if doc is None else PostEntry.from_dict(doc)
            for slug, doc in self._file.section("relist").items()
        }

    def remove_pending_entries(self, entries: Mapping[str, PostEntry | None]) -> None:
        with self._lock:
            pending = self._file.section("relist")
            for slug, entry in entries.items():
                if slug in pending and pending[slug] == (
                    None if entry is None else entry.to_dict()
                ):
                    del pending[slug]
            self._file.save()

    def get_status(self, key: str) -> SourceStatus | None:
        doc = self._file.section("statuses").get(key)
        return None if doc is None else SourceStatus.from_dict(doc)

    def put_status(self, status: SourceStatus) -> None:
        self._file.section("statuses")[status.key] = status.to_dict()
        self._file.save()

    def list_statuses(self) -> list[SourceStatus]:
        return [SourceStatus.from_dict(doc) for doc in self._file.section("statuses").values()]

    def start_run(self, run: RepublishRun) -> None:
        with self._lock:
            runs = self._file.section("runs")
            kept = runs.get(run.run, {})
            runs[run.run] = {
                "doc": run.to_dict(),
                "done": kept.get("done", []),
                "failed": kept.get("failed", []),
            }
            self._file.save()

    def job_finished(self, run: str, job: str, *, failed: bool = False) -> None:
        with self._lock:
            found = self._file.section("runs").get(run)
            if found is None:
                return
            jobs = found.setdefault("failed" if failed else "done", [])
            if job not in jobs:
                jobs.append(job)
            self._file.save()

    def list_runs(self) -> list[RepublishRun]:
        return [
            RepublishRun.from_dict(
                item["doc"], frozenset(item.get("done", [])), frozenset(item.get("failed", []))
            )
            for item in self._file.section("runs").values()
        ]

    def get_stamp(self) -> str | None:
        found = self._file.section("stamp").get("templates")
        return None if found is None else str(found)

    def swap_stamp(self, value: str, *, expected: str | None) -> bool:
        with self._lock:
            stamps = self._file.section("stamp")
            if stamps.get("templates") != expected:
                return False
            stamps["templates"] = value
            self._file.save()
            return True

    def claim_event(self, key: str, sequencer: str) -> bool:
        with self._lock:
            events = self._file.section("events")
            if key in events and events[key] > sequencer:
                return False
            events[key] = sequencer
            self._file.save()
            return True

    def newest_event(self, key: str) -> str | None:
        value = self._file.section("events").get(key)
        return None if value is None else str(value)

    # Locally there is no CDN whose cache a crash could leave stale, so path sets are
    # saved with the next write like everything else. They are kept as an object
    # (path -> 1), so adding the paths of a build's thousands of pages stays linear.
    def _pending(self) -> dict[str, int]:
        cdn = self._file.section("cdn")
        pending = cdn.get("pending")
        if not isinstance(pending, dict):  # a list, as earlier versions saved it
            pending = cdn["pending"] = dict.fromkeys(pending or [], 1)
        return pending

    def add_pending_paths(self, paths: Sequence[str]) -> None:
        with self._lock:
            self._pending().update(dict.fromkeys(paths, 1))

    def remove_pending_paths(self, paths: Sequence[str]) -> None:
        with self._lock:
            pending = self._pending()
            if any(path in pending for path in paths):
                for path in paths:
                    pending.pop(path, None)
                self._file.save()

    def pending_paths(self) -> set[str]:
        return set(self._pending())


class JsonMemory:
    """The TranslationMemory port in one JSON file (for `polypub build`)."""

    def __init__(self, path: Path) -> None:
        self._file = _JsonFile(path)

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        segments = self._file.section("segments")
        return {key: segments[key] for key in keys if key in segments}

    def put_many(self, items: Mapping[str, str]) -> None:
        if items:
            self._file.section("segments").update(items)
            self._file.save()

    def flush(self) -> None:
        """Write what is not written yet (the end of a build)."""
        self._file.flush()


class RecordingCdn:
    """A Cdn for local runs: remembers what would have been invalidated."""

    def __init__(self) -> None:
        self.invalidations: list[tuple[str, ...]] = []

    def invalidate(self, paths: Sequence[str]) -> None:
        if paths:
            self.invalidations.append(tuple(sorted(set(paths))))


class RecordingNotifier:
    """A Notifier for local runs and tests: keeps what would have been e-mailed."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def notify(self, subject: str, message: str) -> None:
        self.messages.append((subject, message))


class CollectingSiteJobs:
    """A SiteJobQueue that keeps the job messages (tests of the planning step)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def send_many(self, bodies: Sequence[Mapping[str, Any]]) -> None:
        self.bodies.extend(dict(body) for body in bodies)


class CollectingQueue:
    """A JobQueue for `polypub build`: jobs are kept and run after the render pass."""

    def __init__(self) -> None:
        self.jobs: list[TranslationJob] = []

    def send(self, job: TranslationJob) -> None:
        self.jobs.append(job)
