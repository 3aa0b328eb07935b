"""Item 4: import cost from `python -X importtime`, and the deployment package's size."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s+)(\S+)\s*$")


@dataclass(frozen=True)
class Entry:
    """One line of -X importtime: a module, its own and cumulative microseconds, its depth."""

    name: str
    self_us: int
    cumulative_us: int
    depth: int

    @property
    def root(self) -> str:
        return self.name.split(".", 1)[0]


def parse(stderr: str) -> list[Entry]:
    """The entries of an importtime report, in its order (children before their parent)."""
    out = []
    for line in stderr.splitlines():
        match = _LINE.match(line)
        if match:
            # One space after "|", then two per nesting level.
            depth = (len(match.group(3)) - 1) // 2
            out.append(Entry(match.group(4), int(match.group(1)), int(match.group(2)), depth))
    return out


def parents(entries: list[Entry]) -> list[int | None]:
    """Index of each entry's parent (the next entry one level up), None at the top."""
    result: list[int | None] = [None] * len(entries)
    waiting: dict[int, list[int]] = {}
    for index, entry in enumerate(entries):
        for child in waiting.pop(entry.depth + 1, []):
            result[child] = index
        waiting.setdefault(entry.depth, []).append(index)
    return result


def top_level(entries: list[Entry]) -> list[Entry]:
    """The top-level (depth 0) entry each entry was imported under."""
    result: list[Entry] = []
    pending = 0
    for index, entry in enumerate(entries):
        if entry.depth == 0:
            result += [entry] * (index + 1 - pending)
            pending = index + 1
    return result + entries[pending:]


def total_us(entries: list[Entry], startup: frozenset[str] | set[str] = frozenset()) -> int:
    """The statement's cost: top-level entries' cumulative time, minus interpreter startup."""
    return sum(e.cumulative_us for e in entries if e.depth == 0 and e.name not in startup)


def third_party_from(entries: list[Entry], package: str = "polypub") -> list[dict[str, Any]]:
    """Each import of another package made directly by `package`'s modules, costliest first.

    These are the candidates for a lazy import: the module that pays and what it pays for
    (inclusive of what that package imports in turn).
    """
    parent_of = parents(entries)
    found = []
    for index, entry in enumerate(entries):
        parent = parent_of[index]
        if parent is None or entry.root == package:
            continue
        if entries[parent].root == package:
            found.append(
                {
                    "module": entry.name,
                    "imported_by": entries[parent].name,
                    "ms": round(entry.cumulative_us / 1000, 1),
                }
            )
    return sorted(found, key=lambda item: -item["ms"])


def by_package(
    entries: list[Entry], startup: frozenset[str] | set[str] = frozenset()
) -> dict[str, float]:
    """Milliseconds per top-level package, counted where the package is first entered.

    Inclusive: a package's figure contains what it imports from other packages, so the
    figures overlap and do not add up to the total.
    """
    parent_of = parents(entries)
    tops = top_level(entries)
    cost: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if tops[index].name in startup:
            continue  # interpreter startup (site, encodings ...), not the statement
        parent = parent_of[index]
        if parent is None or entries[parent].root != entry.root:
            cost[entry.root] = cost.get(entry.root, 0) + entry.cumulative_us
    return {name: round(us / 1000, 1) for name, us in sorted(cost.items(), key=lambda kv: -kv[1])}


def _run(python: str, code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [python, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stderr


def measure_imports(
    python: str, modules: dict[str, str], *, runs: int = 5, pycache: Path | None = None
) -> dict[str, Any]:
    """Median import time of each statement in fresh interpreters, interleaved run by run.

    Byte-code is compiled once into `pycache` (PYTHONPYCACHEPREFIX) before measuring, so
    no run pays for compiling, whatever PYTHONDONTWRITEBYTECODE says.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    startup = {e.name for e in parse(_run(python, "pass", env)) if e.depth == 0}
    for code in modules.values():
        _run(python, code, env)  # compile and warm the page cache
    samples: dict[str, list[int]] = {label: [] for label in modules}
    last: dict[str, list[Entry]] = {}
    for _ in range(runs):
        for label, code in modules.items():
            entries = parse(_run(python, code, env))
            samples[label].append(total_us(entries, startup))
            last[label] = entries
    return {
        label: {
            "median_ms": round(statistics.median(values) / 1000, 1),
            "runs_ms": [round(v / 1000, 1) for v in values],
            "by_package_ms": dict(list(by_package(last[label], startup).items())[:15]),
            "imported_by_polypub_ms": third_party_from(last[label])[:15],
        }
        for label, values in samples.items()
    }


def runtime_requirements(pyproject: Path, *, without: tuple[str, ...] = ("boto3",)) -> list[str]:
    """[project.dependencies] minus the packages the Lambda runtime provides."""
    deps = tomllib.loads(pyproject.read_text("utf-8"))["project"]["dependencies"]
    keep = []
    for dep in deps:
        name = re.split(r"[\s<>=!~;\[]", dep, maxsplit=1)[0].lower()
        if name not in without:
            keep.append(dep)
    return keep


PROVIDED = ("boto3", "botocore", "s3transfer")


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def package_size(python: str, repo: Path, *, workdir: Path | None = None) -> dict[str, Any]:
    """Bytes of the deployment package: the runtime dependencies (pip install --target) plus
    functions/polypub (what SAM's CodeUri copies), without boto3/botocore/s3transfer."""
    requirements = runtime_requirements(repo / "pyproject.toml")
    target = Path(tempfile.mkdtemp(prefix="polypub-package-", dir=workdir))
    try:
        command = [
            python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-compile", "--target", str(target), *requirements,
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, text=True)
        shutil.copytree(
            repo / "functions" / "polypub",
            target / "polypub",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        provided = {}
        for entry in sorted(target.iterdir()):
            root = entry.name.split("-", 1)[0].lower()
            if root in PROVIDED:
                provided[entry.name] = _size(entry)
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        sizes: dict[str, int] = {}
        for entry in target.iterdir():
            if entry.name.endswith((".dist-info", ".egg-info")) or entry.name == "bin":
                key = "(metadata and scripts)"
            else:
                key = entry.name.removesuffix(".py")
            sizes[key] = sizes.get(key, 0) + _size(entry)
        total = sum(sizes.values())
        return {
            "bytes": total,
            "mb": round(total / 1e6, 2),
            "requirements": requirements,
            "removed_as_provided_by_lambda": provided,
            "largest": {
                name: round(size / 1e6, 2)
                for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:10]
            },
            "command": " ".join(command[: -len(requirements)] + [repr(r) for r in requirements])
            + " && cp -r functions/polypub TARGET",
        }
    finally:
        shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - handy by hand
    print(parse(sys.stdin.read())[:5])
