"""SqsJobQueue and SqsSiteJobQueue: the job ports over the translate and render queues."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from polypub.adapters.errors import InfrastructureError, translate_client_error
from polypub.model import TranslationJob

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef


class SqsJobQueue:
    """Sends translation jobs as JSON messages."""

    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self.queue_url = queue_url

    def send(self, job: TranslationJob) -> None:
        try:
            self._client.send_message(
                QueueUrl=self.queue_url, MessageBody=json.dumps(job.to_dict(), sort_keys=True)
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error("queueing a translation", exc) from exc


# SQS takes at most ten messages in one SendMessageBatch.
SQS_BATCH = 10


class SqsSiteJobQueue:
    """Sends site-wide jobs (steps/jobs.py) to the render queue, ten to a call."""

    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self.queue_url = queue_url

    def send_many(self, bodies: Sequence[Mapping[str, Any]]) -> None:
        for start in range(0, len(bodies), SQS_BATCH):
            chunk = bodies[start : start + SQS_BATCH]
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": str(index), "MessageBody": json.dumps(body, sort_keys=True)}
                for index, body in enumerate(chunk)
            ]
            try:
                answer = self._client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except (ClientError, BotoCoreError) as exc:
                raise translate_client_error("queueing site jobs", exc) from exc
            if answer.get("Failed"):
                # A job not queued would leave its pages out silently: fail, and the
                # message that planned them is retried (jobs are idempotent).
                codes = sorted({str(failure.get("Code", "")) for failure in answer["Failed"]})
                raise InfrastructureError(
                    f"queueing site jobs: refused ({', '.join(codes)})", retryable=True
                )
