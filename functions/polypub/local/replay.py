"""`polypub replay`: move dead-letter messages back to their queue once the cause is fixed."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from polypub.settings import Settings

log = logging.getLogger(__name__)

Method = Literal["auto", "move-task", "copy"]
QUEUES = ("render", "translate")
# CloudFormation outputs of template.yaml, per queue name: (dead-letter queue, queue).
STACK_OUTPUTS = {
    "render": ("RenderDLQUrl", "RenderQueueUrl"),
    "translate": ("TranslateDLQUrl", "TranslateQueueUrl"),
}
# Environment variables naming the same URLs (a deployed stack without --stack).
ENV_VARIABLES = {
    "render": ("POLYPUB_RENDER_DLQ_URL", "POLYPUB_RENDER_QUEUE_URL"),
    "translate": ("POLYPUB_TRANSLATE_DLQ_URL", "POLYPUB_TRANSLATE_QUEUE_URL"),
}
# While a copied message is being re-sent it stays hidden in the dead-letter queue; if
# this run dies, it reappears there after this long and nothing is lost.
COPY_VISIBILITY_TIMEOUT = 120
MOVE_TASK_POLL_SECONDS = 2.0
MOVE_TASK_TIMEOUT = 900.0


class ReplayError(RuntimeError):
    """The queues cannot be found, or a move failed; the message says what to do."""


@dataclass(frozen=True)
class QueuePair:
    name: str
    dlq_url: str
    queue_url: str


@dataclass
class ReplayResult:
    name: str
    moved: int
    method: str
    left: int  # messages still in the dead-letter queue afterwards (approximate)

    def to_dict(self) -> dict[str, Any]:
        return {"queue": self.name, "moved": self.moved, "method": self.method, "left": self.left}


def queue_pairs(
    names: tuple[str, ...],
    *,
    info_file: Path | None,
    stack: str | None,
    settings: Settings,
    env: Mapping[str, str] | None = None,
    cloudformation: Callable[[], Any] | None = None,
) -> tuple[list[QueuePair], Settings]:
    """The dead-letter queue and queue of each name, from `polypub dev --info-file`, a
    CloudFormation stack's outputs, or the environment (in that order of preference)."""
    env = os.environ if env is None else env
    urls: dict[str, str] = {}
    if info_file is not None:
        info = json.loads(info_file.read_text(encoding="utf-8"))
        settings = settings.with_(endpoint_url=info["endpoint_url"], region=info["region"])
        for name in names:
            urls[f"{name}_dlq"] = info[f"{name}_dlq_url"]
            urls[name] = info[f"{name}_queue_url"]
    elif stack is not None:
        if cloudformation is None:
            raise ReplayError("no CloudFormation client to read the stack's outputs")
        try:
            described = cloudformation().describe_stacks(StackName=stack)["Stacks"][0]
        except (ClientError, BotoCoreError) as exc:
            raise ReplayError(f"cannot read stack {stack}: {exc}") from exc
        outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
        for name in names:
            dlq, queue = STACK_OUTPUTS[name]
            if dlq not in outputs or queue not in outputs:
                raise ReplayError(f"stack {stack} has no outputs {dlq} and {queue}")
            urls[f"{name}_dlq"], urls[name] = outputs[dlq], outputs[queue]
    else:
        for name in names:
            dlq, queue = ENV_VARIABLES[name]
            if not env.get(dlq) or not env.get(queue):
                raise ReplayError(
                    f"set {dlq} and {queue}, or pass --stack NAME (a deployed stack) or "
                    "--info-file FILE (a running `polypub dev`)"
                )
            urls[f"{name}_dlq"], urls[name] = env[dlq], env[queue]
    return [QueuePair(name, urls[f"{name}_dlq"], urls[name]) for name in names], settings


def replay(
    sqs: Any, pair: QueuePair, *, method: Method = "auto", limit: int | None = None
) -> ReplayResult:
    """Move the dead-letter queue's messages back to the queue its functions read.

    "move-task" is SQS's own redrive (StartMessageMoveTask): server-side, keeps the
    message attributes. "copy" receives, re-sends and only then deletes each message,
    for endpoints without move tasks (moto) or with a --max limit. "auto" tries the
    move task and falls back to copying.
    """
    if method in ("auto", "move-task") and limit is None:
        try:
            moved = _move_task(sqs, pair)
        except (ClientError, BotoCoreError, NotImplementedError) as exc:
            if method == "move-task":
                raise ReplayError(f"the SQS move task for {pair.name} failed: {exc}") from exc
            log.info("move task unavailable (%s); copying messages one by one", exc)
        else:
            return ReplayResult(pair.name, moved, "move-task", _depth(sqs, pair.dlq_url))
    moved = _copy(sqs, pair, limit)
    return ReplayResult(pair.name, moved, "copy", _depth(sqs, pair.dlq_url))


def _arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def _depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
        attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
    )


def _move_task(sqs: Any, pair: QueuePair) -> int:
    source = _arn(sqs, pair.dlq_url)
    handle = sqs.start_message_move_task(
        SourceArn=source, DestinationArn=_arn(sqs, pair.queue_url)
    )["TaskHandle"]
    deadline = time.monotonic() + MOVE_TASK_TIMEOUT
    while time.monotonic() < deadline:
        for task in sqs.list_message_move_tasks(SourceArn=source, MaxResults=10).get("Results", []):
            if task.get("TaskHandle") != handle:
                continue
            status = task.get("Status")
            if status == "COMPLETED":
                return int(task.get("ApproximateNumberOfMessagesMoved", 0))
            if status in ("FAILED", "CANCELLED"):
                raise ReplayError(
                    f"the SQS move task for {pair.name} ended {status}: "
                    f"{task.get('FailureReason', 'no reason given')}"
                )
        time.sleep(MOVE_TASK_POLL_SECONDS)
    raise ReplayError(f"the SQS move task for {pair.name} is still running; check it later")


def _copy(sqs: Any, pair: QueuePair, limit: int | None) -> int:
    moved = 0
    while limit is None or moved < limit:
        wanted = 10 if limit is None else min(10, limit - moved)
        messages = sqs.receive_message(
            QueueUrl=pair.dlq_url,
            MaxNumberOfMessages=wanted,
            VisibilityTimeout=COPY_VISIBILITY_TIMEOUT,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            break
        entries = []
        for index, message in enumerate(messages):
            entry: dict[str, Any] = {"Id": str(index), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        sent = sqs.send_message_batch(QueueUrl=pair.queue_url, Entries=entries)
        # Only what the queue accepted leaves the dead-letter queue; the rest becomes
        # visible there again. A crash between the two steps can only duplicate a
        # message, and every handler is idempotent.
        done = {item["Id"] for item in sent.get("Successful", [])}
        for failure in sent.get("Failed", []):
            log.warning("could not re-send a message: %s", failure.get("Message", failure))
        delete = [
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
            for index, message in enumerate(messages)
            if str(index) in done
        ]
        if delete:
            sqs.delete_message_batch(QueueUrl=pair.dlq_url, Entries=delete)
        moved += len(delete)
        if not delete:
            break  # the queue refuses everything: stop instead of spinning
    return moved
