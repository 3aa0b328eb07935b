"""Whose a build state is: where it lives by default, and whether it still describes DIR.

`polypub build SRC --out DIR` keeps a catalog (what it published, from which bytes) and
a translation memory. The catalog lets a second build skip what did not change, which is
only right while it describes DIR exactly: built from the same SRC into the same DIR,
with no file of DIR changed or deleted since. A state that does not (a new DIR, a file
deleted by hand, another content folder) keeps its translation memory, which depends on
the text alone, and starts its catalog afresh; the build then publishes everything and
sweeps what DIR holds of an older site, so DIR always ends complete and correct.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

# What the state says about the output it belongs to.
MARK = "build.json"
# The catalog and the reports, which describe one output; memory.json stays.
CATALOG_PARTS = ("catalog.json", "reports")


def default_state_dir(out_dir: Path) -> Path:
    """A state of its own for every output folder, outside it and outside the working folder.

    In the user's cache (`$XDG_CACHE_HOME`, else `~/.cache`), named after the output's
    absolute path: building the same or other content into two folders from one working
    folder never mixes their states, and syncing DIR to a bucket never uploads it.
    """
    out = out_dir.resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(out).encode("utf-8")).hexdigest()[:12]
    return cache / "polypub" / "builds" / f"{out.name or 'root'}-{digest}"


def describes(state_dir: Path, content_dir: Path, out_dir: Path) -> bool:
    """True when the state was left by a build of this content into this output, and no
    file of the output has changed since (by size and modification time)."""
    try:
        mark = json.loads((state_dir / MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(mark, dict)
        and mark.get("content") == str(content_dir.resolve())
        and mark.get("out") == str(out_dir.resolve())
        and mark.get("files") == _files(out_dir)
    )


def start_afresh(state_dir: Path) -> None:
    """Forget the catalog and reports (what was published where); keep the memory."""
    (state_dir / MARK).unlink(missing_ok=True)
    for name in CATALOG_PARTS:
        path = state_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def remember(state_dir: Path, content_dir: Path, out_dir: Path) -> None:
    """Mark the state as describing the output as it is now (after a build)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    mark = {
        "content": str(content_dir.resolve()),
        "out": str(out_dir.resolve()),
        "files": _files(out_dir),
    }
    tmp = state_dir / f".{MARK}.tmp"
    tmp.write_text(json.dumps(mark, sort_keys=True), encoding="utf-8")
    tmp.replace(state_dir / MARK)


def _files(out_dir: Path) -> dict[str, list[int]]:
    """Every file of the output: its size and modification time (no reading: milliseconds)."""
    found: dict[str, list[int]] = {}
    if not out_dir.is_dir():
        return found
    for path in out_dir.rglob("*"):
        if path.is_file():
            info = path.stat()
            found[path.relative_to(out_dir).as_posix()] = [info.st_size, info.st_mtime_ns]
    return found
