"""The embedded stack for integration tests: `polypub dev`'s DevSession on a shared moto."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from polypub.handlers import runtime
from polypub.local.aws import EmbeddedAws, MotoServer
from polypub.local.dev import DevOptions, DevSession
from polypub.local.pump import PumpResult

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

# What the `dev_stack` fixture gives: dev_stack below with the session's moto server.
StackFactory = Callable[..., AbstractContextManager[DevSession]]


@contextmanager
def dev_stack(
    content_dir: Path,
    server: MotoServer,
    *,
    watch: bool = False,
    retry_after: int | None = None,
    workers: int = 1,
) -> Iterator[DevSession]:
    """A started DevSession (offline translator, any free ports) whose resources live in
    `server`, emptied and created afresh from template.yaml; stopped on exit.

    The handlers run in this process and read their configuration from os.environ and
    the installed runtime services, which DevSession sets: both are put back afterwards,
    so no later test inherits this stack's endpoint.
    """
    saved_env = dict(os.environ)
    session = DevSession(
        DevOptions(
            content_dir=content_dir,
            aws_port=0,
            port=0,
            watch=watch,
            template=TEMPLATE,
            retry_after=retry_after,
            workers=workers,
            aws_server=server,
        ),
        {"translators": ("apertium",)},
    )
    try:
        with session:
            yield session
    finally:
        runtime.install(None)
        os.environ.clear()
        os.environ.update(saved_env)


def aws_of(stack: DevSession) -> EmbeddedAws:
    assert stack.aws is not None, "the stack is not started"
    return stack.aws


def upload(stack: DevSession, key: str, data: bytes) -> PumpResult:
    """Put a source object as a teacher would, and let the handlers process it."""
    aws = aws_of(stack)
    aws.client("s3").put_object(Bucket=aws.source_bucket, Key=key, Body=data)
    return stack.drain()


def delete(stack: DevSession, key: str) -> PumpResult:
    aws = aws_of(stack)
    aws.client("s3").delete_object(Bucket=aws.source_bucket, Key=key)
    return stack.drain()


def fetch(stack: DevSession, path: str) -> tuple[int, str]:
    """GET `path` from the preview server (the CloudFront routing): status and text."""
    assert stack.preview is not None, "the stack is not started"
    try:
        with urllib.request.urlopen(stack.preview.url + path, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def invalidated_paths(stack: DevSession) -> list[set[str]]:
    """The paths of every CloudFront invalidation so far, one set per invalidation."""
    aws = aws_of(stack)
    cloudfront: Any = aws.client("cloudfront")
    listing = cloudfront.list_invalidations(DistributionId=aws.distribution_id)
    batches = []
    for item in listing["InvalidationList"].get("Items", []):
        detail = cloudfront.get_invalidation(DistributionId=aws.distribution_id, Id=item["Id"])
        batches.append(set(detail["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]))
    return batches
