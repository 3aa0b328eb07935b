"""SnsNotifier: the Notifier port over an SNS topic (e-mail subscriptions in template.yaml)."""

from __future__ import annotations

import unicodedata
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from polypub.adapters.errors import translate_client_error

# SNS limits: subject ASCII, under 100 characters, no line breaks; message 256 KB.
MAX_SUBJECT = 100
MAX_MESSAGE = 200_000


class SnsNotifier:
    """Publishes one message per report to a topic; a blank topic ARN disables it."""

    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self.topic_arn = topic_arn

    def notify(self, subject: str, message: str) -> None:
        if not self.topic_arn:
            return
        subject = _ascii_subject(subject)
        try:
            self._client.publish(
                TopicArn=self.topic_arn, Subject=subject, Message=message[:MAX_MESSAGE]
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error("sending a report by e-mail", exc) from exc


def _ascii_subject(text: str) -> str:
    """ "Día de Europa" -> "Dia de Europa": SNS refuses subjects that are not ASCII."""
    plain = unicodedata.normalize("NFKD", " ".join(text.split()))
    ascii_text = plain.encode("ascii", "ignore").decode("ascii") or "Polyglot Press report"
    if len(ascii_text) >= MAX_SUBJECT:
        ascii_text = ascii_text[: MAX_SUBJECT - 4] + "..."
    return ascii_text
