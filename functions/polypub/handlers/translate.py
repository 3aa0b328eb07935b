"""TranslateFunction: translation jobs from the translate queue -> translated pages."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from polypub.handlers.runtime import services
from polypub.model import TranslationJob
from polypub.pipeline import Services, apply_translation

logger = Logger(service="polypub-translate")
processor = BatchProcessor(event_type=EventType.SQS)


def handle_record(record: SQSRecord, deps: Services) -> None:
    """One job; an exception leaves the message for a retry (and, after several, the DLQ)."""
    job = TranslationJob.from_dict(json.loads(record.body))
    outcome = apply_translation(job, deps)
    logger.info(
        "translation processed",
        key=outcome.key,
        action=outcome.action,
        slug=outcome.slug,
        languages=list(outcome.languages),
        chars_sent=outcome.chars_sent,
        detail=outcome.message,
    )


def _logged(record: SQSRecord, deps: Services) -> None:
    try:
        handle_record(record, deps)
    except Exception:
        # BatchProcessor turns this into a batchItemFailure; the log says why.
        logger.exception("record failed", message_id=record.message_id)
        raise


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    deps = services()
    response: dict[str, Any] = process_partial_response(  # type: ignore[assignment]
        event=event,
        record_handler=lambda record: _logged(record, deps),
        processor=processor,
        context=context,
    )
    return response
