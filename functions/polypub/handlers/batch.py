"""run_batch(): one SQS batch with partial failures, then one refresh and one invalidation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from polypub.pipeline import Outcome, Services, finish

RecordHandler = Callable[[SQSRecord], list[Outcome]]


def run_batch(
    event: dict[str, Any],
    context: LambdaContext,
    handle: RecordHandler,
    deps: Services,
    logger: Logger,
) -> dict[str, Any]:
    """Handle each record on its own (a failure fails only that record), then finish once.

    Listings are rebuilt and the CDN invalidated once per batch rather than per record:
    ten changes cost one rebuild and one invalidation. If that shared step fails, every
    record of the batch is retried; the work is idempotent, and the paths not yet
    invalidated are kept in the catalog (pipeline.finish), so nothing is lost.
    """
    outcomes: list[Outcome] = []

    def record_handler(record: SQSRecord) -> None:
        try:
            outcomes.extend(handle(record))
        except Exception:
            # BatchProcessor turns this into a batchItemFailure; the log says why.
            logger.exception("record failed", message_id=record.message_id)
            raise

    # One processor per invocation: it holds the batch's state, and `polypub dev` may run
    # several pollers in threads, as Lambda runs several containers.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response: dict[str, Any] = process_partial_response(  # type: ignore[assignment]
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    try:
        finish(outcomes, deps)
    except Exception:
        logger.exception("refreshing listings or invalidating failed; the batch is retried")
        return {
            "batchItemFailures": [
                {"itemIdentifier": record["messageId"]} for record in event.get("Records", [])
            ]
        }
    return response
