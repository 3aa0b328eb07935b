"""Local stand-ins for the ports: a folder as a bucket, JSON files as catalog and memory."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from polypub.content.keys import is_report_key
from polypub.model import PostEntry, SourceStatus, TranslationJob
from polypub.ports import ObjectInfo


class UnsafeKeyError(ValueError):
    """A key would resolve outside the folder that stands in for the bucket."""


def _atomic_write(path: Path, data: bytes) -> None:
    # Write-then-rename so a reader (the preview server, a browser) never sees half a file.
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
        data = self.get(key)
        if data is None:
            return None
        return ObjectInfo(key=key, size=len(data), digest=hashlib.md5(data).hexdigest())  # noqa: S324 - S3 ETag semantics, not security

    def put(
        self, key: str, data: bytes, content_type: str, *, cache_control: str | None = None
    ) -> None:
        _atomic_write(self._path(key), data)

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Remove folders left empty, so a deleted post leaves no empty directory URL behind.
        parent = path.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for key in self.list_keys(prefix):
            info = self.head(key)
            if info is not None:
                yield info

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
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
        return self._reports if is_report_key(key) else self._content

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
        return (key for key in self._content.list_keys(prefix) if not is_report_key(key))

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        return (o for o in self._content.list_objects(prefix) if not is_report_key(o.key))


class _JsonFile:
    """A JSON document on disk, loaded once and saved atomically after each change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, Any] = (
            json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        )

    def section(self, name: str) -> dict[str, Any]:
        return self._data.setdefault(name, {})  # type: ignore[no-any-return]

    def save(self) -> None:
        with self._lock:
            text = json.dumps(self._data, sort_keys=True, ensure_ascii=False, indent=1)
            _atomic_write(self.path, text.encode("utf-8"))


class JsonCatalog:
    """The Catalog port in one JSON file (for `polypub build`)."""

    def __init__(self, path: Path) -> None:
        self._file = _JsonFile(path)
        # Claims and path sets compare-and-write like DynamoDB's conditions; the lock
        # makes them atomic for the threads of one process.
        self._lock = threading.Lock()

    def get_post(self, slug: str) -> PostEntry | None:
        doc = self._file.section("posts").get(slug)
        return None if doc is None else PostEntry.from_dict(doc)

    def put_post(self, entry: PostEntry) -> None:
        self._file.section("posts")[entry.slug] = entry.to_dict()
        self._file.save()

    def delete_post(self, slug: str) -> None:
        if self._file.section("posts").pop(slug, None) is not None:
            self._file.save()

    def list_posts(self) -> list[PostEntry]:
        return [PostEntry.from_dict(doc) for doc in self._file.section("posts").values()]

    def get_status(self, key: str) -> SourceStatus | None:
        doc = self._file.section("statuses").get(key)
        return None if doc is None else SourceStatus.from_dict(doc)

    def put_status(self, status: SourceStatus) -> None:
        self._file.section("statuses")[status.key] = status.to_dict()
        self._file.save()

    def list_statuses(self) -> list[SourceStatus]:
        return [SourceStatus.from_dict(doc) for doc in self._file.section("statuses").values()]

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

    # Added paths are saved with the next catalog write rather than at once: locally
    # there is no CDN whose cache a crash could leave stale, and a build writes hundreds
    # of pages, each of which would otherwise rewrite the whole file once more. Removals
    # are saved, so the next build does not report the last one's paths again.
    def add_pending_paths(self, paths: Sequence[str]) -> None:
        with self._lock:
            pending = set(self._file.section("cdn").get("pending", []))
            self._file.section("cdn")["pending"] = sorted(pending | set(paths))

    def remove_pending_paths(self, paths: Sequence[str]) -> None:
        with self._lock:
            pending = set(self._file.section("cdn").get("pending", []))
            if pending & set(paths):
                self._file.section("cdn")["pending"] = sorted(pending - set(paths))
                self._file.save()

    def pending_paths(self) -> set[str]:
        return set(self._file.section("cdn").get("pending", []))


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


class CollectingQueue:
    """A JobQueue for `polypub build`: jobs are kept and run after the render pass."""

    def __init__(self) -> None:
        self.jobs: list[TranslationJob] = []

    def send(self, job: TranslationJob) -> None:
        self.jobs.append(job)
