"""ContentWatcher: mirror a content folder into the source bucket on every save or delete."""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

# Editor droppings are never content.
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")
CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})


def content_key(root: Path, path: Path) -> str | None:
    """The bucket key for a file under root, or None for hidden and temporary files."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    if any(part.startswith((".", "#")) for part in relative.parts):
        return None
    if relative.name.endswith(IGNORED_SUFFIXES):
        return None
    return relative.as_posix()


def iter_content(root: Path) -> Iterator[tuple[str, Path]]:
    """Every (key, path) of a content folder, in a stable order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and (key := content_key(root, path)) is not None:
            yield key, path


def upload_file(s3: Any, bucket: str, key: str, path: Path) -> None:
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() == ".md":
        content_type = "text/markdown; charset=utf-8"
    s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type)


def sync_folder(s3: Any, bucket: str, root: Path) -> int:
    """Upload every content file; returns how many."""
    count = 0
    for key, path in iter_content(root):
        upload_file(s3, bucket, key, path)
        count += 1
    return count


class _Handler(FileSystemEventHandler):
    def __init__(self, notify: Callable[[Path], None]) -> None:
        self._notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Opening a file is an event too (watchdog >= 4): our own read while uploading
        # would otherwise trigger another upload, forever.
        if event.is_directory or event.event_type not in CHANGE_EVENTS:
            return
        for attr in ("src_path", "dest_path"):
            raw = getattr(event, attr, None)
            if raw:
                self._notify(Path(str(raw)))


class ContentWatcher:
    """Collects changed paths for a short quiet period, then uploads or deletes each one
    according to what is on disk at that moment (editors save in several steps)."""

    def __init__(
        self,
        root: Path,
        s3: Any,
        bucket: str,
        *,
        quiet_seconds: float = 0.3,
        on_sync: Callable[[str, str], None] | None = None,
    ) -> None:
        self.root = root.resolve()
        self._s3 = s3
        self._bucket = bucket
        self._quiet = quiet_seconds
        self._on_sync = on_sync
        self._pending: set[Path] = set()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._observer: Any = Observer()

    def start(self) -> None:
        self._observer.schedule(_Handler(self._changed), str(self.root), recursive=True)
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self.flush()

    def _changed(self, path: Path) -> None:
        with self._lock:
            self._pending.add(path)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self._quiet, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        with self._lock:
            paths, self._pending = self._pending, set()
        for path in sorted(paths):
            key = content_key(self.root, path)
            if key is None:
                continue
            if path.is_file():
                upload_file(self._s3, self._bucket, key, path)
                action = "uploaded"
            else:
                self._s3.delete_object(Bucket=self._bucket, Key=key)
                action = "deleted"
            if self._on_sync is not None:
                self._on_sync(action, key)
