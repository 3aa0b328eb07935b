"""SqsJobQueue: the JobQueue port over the translate queue."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from polypub.adapters.errors import translate_client_error
from polypub.model import TranslationJob

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


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
