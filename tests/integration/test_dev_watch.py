"""`polypub dev` while serving: saving a file republishes it, deleting it unpublishes it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from polypub.local.dev import DevSession
from support.stack import StackFactory

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or shutil.which("node") is None,
    reason="needs apertium and node: run scripts/install-system-deps",
)


def status_of(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.1)


@pytest.fixture
def serving(dev_stack: StackFactory, tmp_path: Path) -> Iterator[tuple[DevSession, Path]]:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    with dev_stack(content, watch=True) as session:
        session.upload_content()
        session.drain()
        worker = threading.Thread(target=session.serve, daemon=True)
        worker.start()
        assert session.ready.wait(10)
        yield session, content
    worker.join(timeout=10)


def test_saving_and_deleting_files_republishes_and_unpublishes(
    serving: tuple[DevSession, Path],
) -> None:
    session, content = serving
    assert session.preview is not None
    base = session.preview.url
    post = content / "posts" / "watched.md"

    post.write_text("---\ntitle: Watched\nlang: en\n---\nFirst version.\n", encoding="utf-8")
    eventually(lambda: "First version" in status_of(f"{base}/en/posts/watched/")[1])
    eventually(lambda: status_of(f"{base}/es/posts/watched/")[0] == 200)

    post.write_text("---\ntitle: Watched\nlang: en\n---\nSecond version.\n", encoding="utf-8")
    eventually(lambda: "Second version" in status_of(f"{base}/en/posts/watched/")[1])
    eventually(lambda: "Segunda versión" in status_of(f"{base}/es/posts/watched/")[1])
    # The queues have a thread each, as the functions run side by side in the cloud: let
    # the translation finish before the delete instead of racing it.
    assert session.wait_idle(30)

    post.unlink()
    eventually(lambda: status_of(f"{base}/en/posts/watched/")[0] == 404)
    eventually(lambda: status_of(f"{base}/es/posts/watched/")[0] == 404)


def test_status_reads_a_running_dev_stack_from_its_info_file(
    serving: tuple[DevSession, Path], tmp_path: Path
) -> None:
    session, _content = serving
    assert session.aws is not None
    info = tmp_path / "info.json"
    info.write_text(json.dumps(session.info))
    s3 = session.aws.client("s3")
    s3.put_object(Bucket=session.aws.source_bucket, Key="posts/bad.md", Body=b"---\nx: [\n---\n")
    eventually(lambda: any(s.key == "posts/bad.md" for s in _statuses(session)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POLYPUB_"))}
    env["HOME"] = str(tmp_path)  # no ~/.aws: a teacher's laptop with no AWS configuration

    result = subprocess.run(
        [sys.executable, "-m", "polypub.cli", "status", "--info-file", str(info)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert "posts/bad.md" in result.stdout
    assert "invalid-yaml" in result.stdout


def _statuses(session: DevSession) -> list:  # type: ignore[type-arg]
    from polypub.handlers import runtime

    return runtime.services().catalog.list_statuses()
