"""RenderFunction: S3 notifications and site jobs from the render queue -> pages."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from polypub.handlers.batch import FileFailed, SqsRecord, receive_count, run_batch
from polypub.handlers.runtime import entry_point, first_invocation, services
from polypub.handlers.s3events import keys_from_body
from polypub.pipeline import process_source_key, republish_if_upgraded, run_site_job
from polypub.steps.context import Outcome, Services
from polypub.steps.jobs import SiteJob, job_of_body, job_payload
from polypub.steps.jobs_run import note_job_failed

logger = Logger(service="polypub-render")


def handle_record(record: SqsRecord, deps: Services) -> list[Outcome]:
    """One SQS message: a site job, or every source key it names with its S3 sequencer."""
    job = job_of_body(record["body"])
    if job is not None:
        return [handle_job(job, record, deps)]
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


def handle_job(job: SiteJob, record: SqsRecord, deps: Services) -> Outcome:
    """One bounded job of a republish; on its last delivery a failure is counted in the run."""
    try:
        outcome = run_site_job(job, deps)
    except Exception:
        if receive_count(record) >= deps.settings.max_receives:
            note_job_failed(job, deps)
        raise
    logger.info(
        "site job processed", run=job.run, job=job.job, kind=job.kind, detail=outcome.message
    )
    return outcome


def check_upgrade(deps: Services) -> None:
    """Once per container: a deploy whose templates or page code changed republishes."""
    try:
        planned = republish_if_upgraded(deps)
    except Exception:
        # Not this batch's fault: its records go on, and the next container checks again.
        logger.exception("checking the version stamp failed")
        return
    first_invocation(done=True)
    if planned is not None:
        logger.info("templates changed since the last deploy", detail=planned.message)


def defer_extra_jobs(
    records: list[SqsRecord], deps: Services
) -> tuple[list[SqsRecord], list[SqsRecord]]:
    """At most one site job per invocation: the others of the batch go back to the queue.

    The render queue delivers up to ten messages a batch, and ten jobs would be ten times
    the work a job is sized for. The extra jobs are sent again as new messages (one call)
    and their deliveries end as handled, so they are never counted as failed attempts;
    S3 events are all handled here as before. Returns (records to handle, records to
    retry): if sending fails, the extra jobs are simply delivered again later.
    """
    handle: list[SqsRecord] = []
    extra: list[tuple[SqsRecord, dict[str, Any]]] = []
    has_job = False
    for record in records:
        payload = job_payload(record["body"])
        if payload is not None and has_job:
            extra.append((record, payload))
            continue
        has_job = has_job or payload is not None
        handle.append(record)
    if not extra or deps.site_jobs is None:
        return records, []
    try:
        deps.site_jobs.send_many([payload for _, payload in extra])
    except Exception:
        logger.exception("sending site jobs back to the queue failed; they are retried")
        return handle, [record for record, _ in extra]
    return handle, []


@logger.inject_lambda_context
@entry_point
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    deps = services()
    if first_invocation():
        check_upgrade(deps)
    records, retry = defer_extra_jobs(event.get("Records", []), deps)
    answer = run_batch(
        {**event, "Records": records}, lambda r: handle_record(r, deps), deps, logger
    )
    answer["batchItemFailures"] += [{"itemIdentifier": r["messageId"]} for r in retry]
    return answer
