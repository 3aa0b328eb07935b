"""`polypub republish`: ask the render function to republish all pages or one scope of them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from polypub.local.devinfo import find_running, info_paths
from polypub.local.replay import ReplayError, queue_pairs
from polypub.local.status import StatusUnavailable, dev_client, read_info
from polypub.settings import Settings
from polypub.steps.jobs import Scope, SiteJob
from polypub.steps.jobs_run import new_run_id
from polypub.wiring import aws_client


class RepublishError(RuntimeError):
    """The render queue cannot be found or refused the request; the message says why."""


@dataclass(frozen=True)
class Requested:
    run: str
    scope: Scope
    where: str


def request_republish(
    scope: Scope,
    *,
    info_file: Path | None,
    stack: str | None,
    settings: Settings,
    env: Mapping[str, str] | None = None,
    dev_info: list[Path] | None = None,
    cloudformation: Callable[[], Any] | None = None,
) -> Requested:
    """Send one `plan` job to the render queue: the render function plans the run into
    bounded jobs (steps/jobs_run.py), so this command does the same against a deployed
    stack (boto3, --stack or POLYPUB_RENDER_QUEUE_URL) and a `polypub dev` (its info
    file, given or found as `polypub status` finds it)."""
    env = os.environ if env is None else env
    if info_file is None and stack is None and not env.get("POLYPUB_RENDER_QUEUE_URL"):
        found = find_running(dev_info if dev_info is not None else info_paths(env=env))
        if found is None:
            raise RepublishError(
                "no running `polypub dev` found (in .polypub/dev.json here); pass --stack NAME "
                "(a deployed stack), --info-file FILE, or set POLYPUB_RENDER_QUEUE_URL"
            )
        info_file = found[0]
    if info_file is not None:
        try:
            info = read_info(info_file)
        except StatusUnavailable as exc:
            raise RepublishError(str(exc)) from None
        try:
            queue_url, endpoint, region = (
                str(info["render_queue_url"]),
                str(info["endpoint_url"]),
                str(info["region"]),
            )
        except KeyError:
            raise RepublishError(f"{info_file} is not the JSON `polypub dev` writes") from None
        sqs = dev_client("sqs", endpoint, region)
        where = f"the `polypub dev` at {endpoint}"
    elif stack is not None:
        try:
            pairs, settings = queue_pairs(
                ("render",),
                info_file=None,
                stack=stack,
                settings=settings,
                cloudformation=cloudformation,
            )
        except ReplayError as exc:
            raise RepublishError(str(exc)) from exc
        queue_url, where = pairs[0].queue_url, f"stack {stack}"
        sqs = aws_client("sqs", settings)
    else:
        queue_url = where = env["POLYPUB_RENDER_QUEUE_URL"]
        sqs = aws_client("sqs", settings)
    job = SiteJob("plan", new_run_id(), scope=scope, reason="operator")
    try:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(job.to_message()))
    except (ClientError, BotoCoreError) as exc:
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None
        raise RepublishError(f"sending the request to {where} failed: {code or exc}") from None
    return Requested(job.run, scope, where)
