"""RenderFunction: S3 notifications from the render queue -> publish the source-language page."""

from __future__ import annotations

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
from polypub.handlers.s3events import keys_from_body
from polypub.pipeline import Services, finish, process_source_key

logger = Logger(service="polypub-render")
processor = BatchProcessor(event_type=EventType.SQS)


def handle_record(record: SQSRecord, deps: Services) -> None:
    """One SQS message: every source key it names, then one refresh and one invalidation."""
    keys = keys_from_body(record.body, deps.settings.source_bucket)
    outcomes = [process_source_key(key, deps) for key in keys]
    finish(outcomes, deps)
    for outcome in outcomes:
        logger.info(
            "source processed",
            key=outcome.key,
            action=outcome.action,
            slug=outcome.slug,
            error_code=outcome.error_code,
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
