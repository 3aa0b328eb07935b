"""The polypub command as a user runs it: build, dev --once and status on real folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from polypub.settings import Settings
from sitemaps import read_sitemaps

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
BASE = Settings().site_url  # `polypub build` without POLYPUB_SITE_URL

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None, reason="needs apertium: run scripts/install-system-deps"
)


def polypub(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLYPUB_", "AWS_"))}
    return subprocess.run(
        [sys.executable, "-m", "polypub.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def example_posts() -> list[str]:
    return sorted(p.stem for p in (CONTENT / "posts").glob("*.md"))


def sitemap_locs(out: Path) -> set[str]:
    """Every URL of the built site's sitemaps, read through the index."""
    return read_sitemaps(
        lambda key: (out / key).read_bytes() if (out / key).is_file() else None, BASE
    ).locs


def test_build_publishes_content_into_a_browsable_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = polypub(
        "build", str(CONTENT), "--out", str(out), "--state", str(tmp_path / "state"), cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert f"{len(example_posts())} posts" in result.stdout
    assert "0 unchanged (skipped)" in result.stdout
    assert "Characters sent for translation:" in result.stdout
    for slug in example_posts():
        for lang in ("es", "en"):
            assert (out / lang / "posts" / slug / "index.html").is_file()
    for lang in ("es", "en"):
        assert (out / lang / "index.html").is_file()
        ET.parse(out / lang / "feed.xml")
    assert sitemap_locs(out) == {f"{BASE}/es/", f"{BASE}/en/"} | {
        f"{BASE}/{lang}/posts/{slug}/" for slug in example_posts() for lang in ("es", "en")
    }
    assert (out / "assets/images/uploads/izquierda_ES.png").read_bytes() == (
        CONTENT / "assets/images/uploads/izquierda_ES.png"
    ).read_bytes()

    again = polypub(
        "build",
        str(CONTENT),
        "--out",
        str(out),
        "--state",
        str(tmp_path / "state"),
        "--json",
        "--quiet",
        cwd=tmp_path,
    )
    summary = json.loads(again.stdout)
    # Published from the same bytes with all their pages: skipped, nothing re-rendered.
    assert summary["unchanged"] == len(example_posts())
    assert summary["chars_sent"] == 0
    assert summary["files_written"] == 0
    assert summary["failures"] == []


def test_build_names_every_failed_post_and_exits_non_zero(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "posts" / "broken.md").write_bytes(b"---\ntitle: [oops\n---\nBody\n")
    (content / "posts" / "untitled.md").write_bytes(b"---\nauthor: X\n---\nBody\n")

    result = polypub(
        "build",
        str(content),
        "--out",
        str(tmp_path / "site"),
        "--state",
        str(tmp_path / "state"),
        cwd=tmp_path,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "FAILED posts/broken.md: [invalid-yaml]" in result.stderr
    assert "FAILED posts/untitled.md: [missing-title]" in result.stderr
    # The good posts are still published.
    assert (tmp_path / "site/en/posts/erasmus-etwinning-experience/index.html").is_file()

    status = polypub("status", "--state", str(tmp_path / "state"), cwd=tmp_path)
    assert status.returncode == 1
    assert "posts/broken.md" in status.stdout
    assert "invalid-yaml" in status.stdout


def test_build_removes_posts_whose_file_was_deleted(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    args = ["--out", str(tmp_path / "site"), "--state", str(tmp_path / "state")]
    assert polypub("build", str(content), *args, cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    # The example's only post of November 2024: its month's pages go with it.
    november = [
        "sitemaps/2024-11.xml",
        "es/archive/2024/11/index.html",
        "en/archive/2024/11/index.html",
    ]
    assert all((site / key).is_file() for key in november)
    assert f"{BASE}/en/posts/coding-club-meets-finland/" in sitemap_locs(site)
    (content / "posts" / "coding-club-meets-finland.md").unlink()

    result = polypub("build", str(content), *args, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    # The other posts are published from the same bytes: skipped.
    assert f"{len(example_posts()) - 1} unchanged (skipped)" in result.stdout
    for lang in ("es", "en"):
        assert not (site / f"{lang}/posts/coding-club-meets-finland").exists()
        assert "coding-club-meets-finland" not in (site / f"{lang}/index.html").read_text()
        assert "coding-club-meets-finland" not in (site / f"{lang}/feed.xml").read_text()
    assert not [loc for loc in sitemap_locs(site) if "coding-club-meets-finland" in loc]
    assert not [key for key in november if (site / key).exists()]
    assert "2024-11" not in (site / "sitemap.xml").read_text()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node for the edge function")
def test_dev_once_publishes_content_on_embedded_aws(tmp_path: Path) -> None:
    info_file = tmp_path / "info.json"
    result = polypub(
        "dev",
        str(CONTENT),
        "--once",
        "--aws-port",
        "0",
        "--port",
        "0",
        "--info-file",
        str(info_file),
        "--template",
        str(ROOT / "template.yaml"),
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    info = json.loads(info_file.read_text())
    for name in (
        "endpoint_url",
        "region",
        "source_bucket",
        "site_bucket",
        "render_queue_url",
        "translate_queue_url",
        "site_url",
    ):
        assert info[name], name
        assert str(info[name]) in result.stdout
    for slug in example_posts():
        assert f"{slug}: en (" in result.stdout
        assert ", es (" in result.stdout
    assert "FAILED" not in result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_takes_other_ports() -> None:
    dry = subprocess.run(
        ["make", "-n", "demo", "PORT=8123", "AWS_PORT=0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "polypub dev content/ --port 8123 --aws-port 0" in dry.stdout
