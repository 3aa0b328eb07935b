"""`polypub build` on a folder full of broken posts: every one named with its code, no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bad_inputs import BAD_POSTS

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "posts"

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None, reason="needs apertium: run scripts/install-system-deps"
)


def test_build_names_every_bad_post_with_its_code_and_publishes_the_rest(tmp_path: Path) -> None:
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    expected = {}
    for name, code in BAD_POSTS.items():
        shutil.copy(FIXTURES / name, posts / name)
        expected[f"posts/{name}"] = code
    (posts / "huge.md").write_bytes(b"---\ntitle: Huge\n---\n" + b"x" * (3 * 1024 * 1024))
    expected["posts/huge.md"] = "post-too-large"
    (posts / "brackets.md").write_bytes(b"---\ntitle: Brackets\n---\n" + b"[" * 100_000)
    expected["posts/brackets.md"] = "markdown-too-complex"
    (posts / "a-first.md").write_text("---\ntitle: First\nslug: same\nlang: en\n---\nOne.\n")
    (posts / "b-second.md").write_text("---\ntitle: Second\nslug: same\nlang: en\n---\nTwo.\n")
    expected["posts/b-second.md"] = "slug-taken"
    shutil.copy(FIXTURES / "bom.md", posts / "bom.md")
    (posts / "good.md").write_text("---\ntitle: Good\nlang: en\n---\nFine.\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLYPUB_", "AWS_"))}
    result = subprocess.run(
        [sys.executable, "-m", "polypub.cli", "build", "content", "--out", "site", "--quiet"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED ")]
    for key, code in expected.items():
        assert any(line.startswith(f"FAILED {key}: [{code}] ") for line in failed), key
    assert len(failed) == len(expected)
    for slug in ("good", "bom", "same"):
        assert (tmp_path / "site" / "en" / "posts" / slug / "index.html").is_file(), slug
    assert "One." in (tmp_path / "site/en/posts/same/index.html").read_text()
