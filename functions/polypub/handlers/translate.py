"""TranslateFunction: translation jobs from the translate queue -> translated pages."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from polypub.handlers.batch import FileFailed, SqsRecord, run_batch
from polypub.handlers.runtime import entry_point, services
from polypub.model import TranslationJob
from polypub.pipeline import run_translation
from polypub.steps.context import Outcome, Services
from polypub.translate.errors import TranslationError
from polypub.translate.retry import time_budget

logger = Logger(service="polypub-translate")
metrics = Metrics(namespace="PolyglotPress", service="polypub-translate")
# Seconds kept back from the Lambda's remaining time for writing pages and the batch
# response: providers' retries stop this long before the timeout.
RESERVE_SECONDS = 20.0


def handle_record(record: SqsRecord, deps: Services) -> list[Outcome]:
    """One job; an exception leaves the message for a retry (and, after several, the DLQ)."""
    job = TranslationJob.from_dict(json.loads(record["body"]))
    try:
        outcome = run_translation(job, deps)
    except TranslationError:
        raise  # a provider outage: the status says the translation is pending
    except Exception as error:
        raise FileFailed(job.source_key) from error
    logger.info(
        "translation processed",
        key=outcome.key,
        action=outcome.action,
        slug=outcome.slug,
        languages=list(outcome.languages),
        chars_sent=outcome.chars_sent,
        chars_by_provider=outcome.chars_by_provider,
        detail=outcome.message,
    )
    emit_chars_sent(outcome)
    return [outcome]


def emit_chars_sent(outcome: Outcome) -> None:
    """CloudWatch metric PolyglotPress/CharactersSent per Provider (EMF on stdout): the bill."""
    for provider, count in sorted(outcome.chars_by_provider.items()):
        if count:
            metrics.add_dimension(name="Provider", value=provider)
            metrics.add_metric(name="CharactersSent", unit=MetricUnit.Count, value=count)
            # One EMF document per provider: dimensions apply to a whole document.
            metrics.flush_metrics()
            # A disabled flush (POWERTOOLS_METRICS_DISABLED) keeps what it was given.
            metrics.clear_metrics()


@logger.inject_lambda_context
@entry_point
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    deps = services()
    # Retries with backoff stop in time for this invocation to report its batch; a job
    # left unfinished goes back to the queue and is delivered again later.
    with time_budget(context.get_remaining_time_in_millis() / 1000 - RESERVE_SECONDS):
        return run_batch(event, lambda record: handle_record(record, deps), deps, logger)
