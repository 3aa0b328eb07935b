"""RenderFunction: S3 notifications from the render queue -> publish the source-language page."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from polypub.handlers.batch import FileFailed, SqsRecord, run_batch
from polypub.handlers.runtime import entry_point, services
from polypub.handlers.s3events import keys_from_body
from polypub.pipeline import process_source_key
from polypub.steps.context import Outcome, Services

logger = Logger(service="polypub-render")


def handle_record(record: SqsRecord, deps: Services) -> list[Outcome]:
    """One SQS message: every source key it names, each with its S3 sequencer."""
    outcomes = []
    for event in keys_from_body(record["body"], deps.settings.source_bucket):
        try:
            outcome = process_source_key(event.key, deps, sequencer=event.sequencer)
        except Exception as error:
            raise FileFailed(event.key) from error
        logger.info(
            "source processed",
            key=outcome.key,
            action=outcome.action,
            slug=outcome.slug,
            error_code=outcome.error_code,
            detail=outcome.message,
        )
        outcomes.append(outcome)
    return outcomes


@logger.inject_lambda_context
@entry_point
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    deps = services()
    return run_batch(event, lambda record: handle_record(record, deps), deps, logger)
