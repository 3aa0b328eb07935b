"""Where a running `polypub dev` leaves its endpoint and names, so `polypub status` finds it."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# In the folder `polypub dev` (or `make demo`) was started from, like the build state;
# and under $XDG_RUNTIME_DIR, for a `polypub status` run from another folder.
LOCAL_NAME = Path(".polypub") / "dev.json"
RUNTIME_NAME = "polypub-dev.json"


def info_paths(cwd: Path | None = None, env: Mapping[str, str] | None = None) -> list[Path]:
    """The well-known places, in the order `polypub status` looks."""
    env = os.environ if env is None else env
    paths = [(cwd or Path.cwd()) / LOCAL_NAME]
    if env.get("XDG_RUNTIME_DIR"):
        paths.append(Path(env["XDG_RUNTIME_DIR"]) / RUNTIME_NAME)
    return paths


def write_info(info: Mapping[str, Any], paths: list[Path]) -> list[Path]:
    """Write the info (with this process's id) to each place that can take it."""
    data = json.dumps({**info, "pid": os.getpid()}, indent=2)
    written = []
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(data, encoding="utf-8")
        except OSError:  # a read-only folder: status can still be pointed with --info-file
            continue
        written.append(path)
    return written


def remove_info(paths: list[Path]) -> None:
    """Remove the files this process wrote (never another running session's)."""
    for path in paths:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()


def find_running(paths: list[Path]) -> tuple[Path, dict[str, Any]] | None:
    """The first info file whose `polypub dev` process is still alive.

    A file left by a session that was killed (no clean exit) names a process that is
    gone, and is skipped.
    """
    for path in paths:
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(info, dict) and _alive(info.get("pid")):
            return path, info
    return None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
