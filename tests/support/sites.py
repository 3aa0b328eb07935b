"""A built site as test assertions compare it: every file's bytes, without the clock."""

from __future__ import annotations

import re
from pathlib import Path

# Feeds and sitemaps say when each entry was last updated: the clock, not the content.
CLOCK = re.compile(rb"<(updated|lastmod)>[^<]*</\1>")


def site_files(root: Path, *also_drop: re.Pattern[bytes]) -> dict[str, bytes]:
    """Every file under `root` by its relative path, with CLOCK (and `also_drop`) removed."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = CLOCK.sub(b"", path.read_bytes())
            for pattern in also_drop:
                data = pattern.sub(b"", data)
            files[path.relative_to(root).as_posix()] = data
    return files
