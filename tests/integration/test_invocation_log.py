"""POLYPUB_INVOCATION_LOG: `polypub dev` writes one JSON line per handler invocation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from polypub.local.dev import INVOCATION_LOG_VARIABLE, DevOptions, DevSession

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or shutil.which("node") is None,
    reason="needs apertium (apertium-eng-spa) and node: run scripts/install-system-deps",
)

POST = (
    b"---\ntitle: Our school garden\nauthor: Test Teacher\nlang: en\n"
    b"date: 2024-05-22T21:12:00.000Z\n---\nThe students planted trees in the garden.\n"
)
BROKEN = b"---\ntitle: [unclosed\n---\nBody.\n"


def test_one_line_per_handler_call_with_what_it_asked_of_aws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "invocations.jsonl"
    monkeypatch.setenv(INVOCATION_LOG_VARIABLE, str(log))
    options = DevOptions(
        content_dir=tmp_path, aws_port=0, port=0, watch=False, template=ROOT / "template.yaml"
    )
    with DevSession(options, {"translators": ("apertium",)}) as session:
        assert session.aws is not None
        s3 = session.aws.client("s3")
        s3.put_object(Bucket=session.aws.source_bucket, Key="posts/garden.md", Body=POST)
        session.drain()
        s3.put_object(Bucket=session.aws.source_bucket, Key="posts/broken.md", Body=BROKEN)
        session.drain()
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {line["function"] for line in lines} == {"RenderFunction", "TranslateFunction"}
    for line in lines:
        assert set(line) == {
            "function",
            "records",
            "failed",
            "duration_ms",
            "aws_calls",
            "site_writes",
            "timed_out",
            "error",
        }
        assert line["records"] >= 1
        assert line["failed"] == 0  # a broken post is reported to its teacher, not retried
        assert line["error"] is None
        assert line["timed_out"] is False
        assert 0 < line["duration_ms"] < 60_000
        assert line["aws_calls"] > line["site_writes"] >= 0
    translations = [line for line in lines if line["function"] == "TranslateFunction"]
    assert sum(line["records"] for line in translations) == 1
    assert all(line["site_writes"] > 0 for line in translations)
    # The first render batch published the page (and the listings); every call counted.
    assert lines[0]["function"] == "RenderFunction"
    assert lines[0]["site_writes"] > 0


def test_an_invocation_past_its_timeout_or_raising_is_logged_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time
    from typing import Any

    import boto3
    from moto import mock_aws

    from polypub.local.pump import InvocationLog, QueuePump

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)

    def slow_then_raise(event: dict[str, Any], context: Any) -> dict[str, Any]:
        time.sleep(1.05)
        raise RuntimeError("provider hung")

    log = InvocationLog(tmp_path / "invocations.jsonl")
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="{}")
        pump = QueuePump(
            sqs,
            url,
            slow_then_raise,
            function_name="TranslateFunction",
            region="us-east-1",
            timeout_seconds=1,
            invocation_log=log,
        )
        assert pump.poll().failed == 1
    (line,) = [json.loads(text) for text in log.path.read_text(encoding="utf-8").splitlines()]
    assert line["timed_out"] is True  # Lambda would have ended it at 1 s
    assert line["error"] == "RuntimeError: provider hung"
    assert (line["records"], line["failed"], line["aws_calls"]) == (1, 1, 0)
    assert line["duration_ms"] >= 1000
