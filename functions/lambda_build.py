"""Builds the Lambda package `sam build` deploys: the lock, polypub, Powertools cut to what we use.

functions/Makefile runs it (template.yaml: Metadata BuildMethod: makefile) with the
directory SAM packages. Standard library only: SAM runs it with whatever python3 the
operator has, which need not be the functions' runtime (pip is told the target instead).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK = HERE / "requirements.txt"
# The functions' Runtime and Architectures in template.yaml (tests/unit/test_requirements.py
# keeps them equal): pip installs the wheels for that interpreter and CPU, not this one's.
PYTHON_VERSION = "3.13"
# Amazon Linux 2023 (glibc 2.34) on Graviton; pip takes the newest wheel these tags allow.
PLATFORMS = ("manylinux_2_34_aarch64", "manylinux2014_aarch64")

# What the handlers use of Powertools: Logger, Metrics, the LambdaContext type. The
# package's __init__ also imports Tracer (aws_xray_sdk is imported only when a Tracer is
# made, and we make none), and Logger reaches utilities.jmespath_utils for
# correlation_id_path. Everything else (event_handler, parser, idempotency, ...) is about
# 3.9 MB of the 4.4 MB package that no code of ours can reach.
POWERTOOLS_KEEP = frozenset(
    {
        "__init__.py",
        "package_logger.py",
        "py.typed",
        "exceptions",
        "warnings",
        "logging",
        "metrics",
        "shared",
        "tracing",
        "utilities/__init__.py",
        "utilities/typing",
        "utilities/jmespath_utils",
    }
)


def install_lock(target: Path, lock: Path = LOCK) -> None:
    """Exactly the lock's pins and hashes, as wheels for the Lambda runtime's platform."""
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--root-user-action=ignore",
            "--require-hashes",
            "--no-deps",  # the lock lists every package; nothing else may come in
            "--only-binary=:all:",  # cross-platform: pip cannot build an sdist for arm64
            "--implementation",
            "cp",
            "--python-version",
            PYTHON_VERSION,
            *platforms,
            "--no-compile",  # .pyc for this interpreter would be dead weight on 3.13
            "--target",
            str(target),
            "--requirement",
            str(lock),
        ],
        check=True,
    )


def copy_polypub(target: Path) -> None:
    """The application package, without bytecode caches."""
    shutil.copytree(
        HERE / "polypub",
        target / "polypub",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        dirs_exist_ok=True,
    )


def prune_powertools(site: Path) -> list[str]:
    """Remove the Powertools parts outside POWERTOOLS_KEEP; returns what was removed."""
    package = site / "aws_lambda_powertools"
    if not package.is_dir():
        raise SystemExit(f"aws_lambda_powertools is not installed in {site}")
    removed = []
    for entry in sorted(package.rglob("*")):
        relative = entry.relative_to(package).as_posix()
        if not entry.exists() or _kept(relative):
            continue
        if entry.is_dir():
            # A parent of kept entries (utilities/) stays; its other children go one by one.
            if any(keep.startswith(relative + "/") for keep in POWERTOOLS_KEEP):
                continue
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(relative)
    return removed


def _kept(relative: str) -> bool:
    return any(relative == keep or relative.startswith(keep + "/") for keep in POWERTOOLS_KEEP)


def build(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    install_lock(target)
    prune_powertools(target)
    copy_polypub(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path, help="the directory to build into (ARTIFACTS_DIR)")
    build(parser.parse_args(argv).target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
