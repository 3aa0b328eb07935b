"""`polypub status` beside a running `polypub dev`: found by itself, one line when it cannot be."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"

needs_dev = pytest.mark.skipif(
    shutil.which("apertium") is None or shutil.which("node") is None,
    reason="needs apertium and node: run scripts/install-system-deps",
)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """A teacher's laptop: no AWS or Polyglot Press configuration, no ~/.aws."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POLYPUB_", "AWS_")) and k != "XDG_RUNTIME_DIR"
    }
    # botocore would otherwise ask the EC2 metadata address for credentials.
    env.update(HOME=str(home), AWS_EC2_METADATA_DISABLED="true", **extra)
    return env


def status(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "polypub.cli", "status"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "polypub.cli",
            "dev",
            str(CONTENT),
            "--aws-port",
            "0",
            "--port",
            "0",
            "--no-watch",
            "--template",
            str(ROOT / "template.yaml"),
        ],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 180
        for line in process.stdout:
            if "Press Ctrl-C" in line:
                break
            assert time.monotonic() < deadline, "polypub dev did not start"
        else:
            pytest.fail("polypub dev exited before serving")
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@needs_dev
def test_status_finds_the_running_dev_and_says_how_once_it_stopped(
    dev: subprocess.Popen[str], tmp_path: Path
) -> None:
    info = tmp_path / ".polypub" / "dev.json"
    assert json.loads(info.read_text())["pid"] == dev.pid

    found = status(tmp_path, clean_env(tmp_path))

    assert found.returncode == 0, found.stderr
    assert "posts/huerto-escolar-europeo.md" in found.stdout
    assert "POSTS" in found.stdout

    # `kill` stops it as cleanly as Ctrl-C does.
    dev.send_signal(signal.SIGTERM)
    assert dev.wait(timeout=30) == 0
    assert not info.exists()  # removed at exit
    assert_one_line(status(tmp_path, clean_env(tmp_path)), "no running `polypub dev`", "make demo")


def test_a_file_left_by_a_killed_dev_is_not_trusted(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    (tmp_path / ".polypub").mkdir()
    (tmp_path / ".polypub" / "dev.json").write_text(
        json.dumps(
            {
                "pid": int(gone.stdout),
                "endpoint_url": "http://127.0.0.1:9",
                "region": "us-east-1",
                "catalog_table": "polypub-catalog",
            }
        )
    )
    assert_one_line(status(tmp_path, clean_env(tmp_path)), "no running `polypub dev`")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        # A stack named, but this machine has no AWS credentials.
        ({"POLYPUB_CATALOG_TABLE": "polypub-catalog"}, "Unable to locate credentials"),
        # An endpoint nobody answers on (a `polypub dev` that has stopped).
        (
            {
                "POLYPUB_CATALOG_TABLE": "polypub-catalog",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:{port}",
            },
            "Could not connect",
        ),
    ],
)
def test_aws_errors_are_one_line_never_a_traceback(
    tmp_path: Path, extra: dict[str, str], fragment: str
) -> None:
    port = closed_port()
    env = clean_env(tmp_path, **{k: v.format(port=port) for k, v in extra.items()})
    assert_one_line(
        status(tmp_path, env), "cannot read the catalog table polypub-catalog", fragment
    )
