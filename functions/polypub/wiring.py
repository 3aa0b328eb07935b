"""Composition roots: build Services for the cloud (boto3) or for a local build (folders)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from polypub.adapters.localfs import (
    CollectingQueue,
    FolderStorage,
    JsonCatalog,
    JsonMemory,
    RecordingCdn,
    RedirectedReports,
)
from polypub.settings import Settings
from polypub.steps.context import Services
from polypub.translate.keys import ApiKeys, secrets_manager_loader
from polypub.translate.providers import build_translator

# Called with every boto3 client a composition root makes, before it is used: how
# `polypub dev` and the tests check each call against the function's IAM policy.
ClientHook = Callable[[Any], None]


def aws_client(service: str, settings: Settings, hook: ClientHook | None = None) -> Any:
    """A boto3 client for the settings' region and endpoint, with standard retries."""
    # Imported here so `polypub build` never pays for boto3 when it does not use AWS.
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5)
    client: Any = boto3.client(
        service,  # type: ignore[call-overload]  # the service name is a variable on purpose
        region_name=settings.region,
        endpoint_url=settings.endpoint_url,
        config=config,
    )
    if hook is not None:
        hook(client)
    return client


def cloud_api_keys(settings: Settings, client_hook: ClientHook | None = None) -> ApiKeys:
    """Keys from the environment, else from the secret POLYPUB_TRANSLATOR_SECRET names.

    The secret is read when a keyed provider first translates, not at cold start.
    """
    if not settings.translator_secret:
        return ApiKeys(settings.api_keys)
    secret = settings.translator_secret
    return ApiKeys(
        settings.api_keys,
        load=lambda: secrets_manager_loader(
            aws_client("secretsmanager", settings, client_hook), secret
        )(),
    )


def cloud_services(settings: Settings, *, client_hook: ClientHook | None = None) -> Services:
    """Services over S3, DynamoDB, SQS and CloudFront (real AWS, or moto via endpoint_url).

    `client_hook` sees every client made, the translator's and the secret's included.
    """
    from polypub.adapters.cloudfront import CloudFrontCdn
    from polypub.adapters.dynamodb import DynamoCatalog, DynamoMemory
    from polypub.adapters.s3 import S3Storage
    from polypub.adapters.sns import SnsNotifier
    from polypub.adapters.sqs import SqsJobQueue, SqsSiteJobQueue

    def client(service: str) -> Any:
        return aws_client(service, settings, client_hook)

    s3 = client("s3")
    dynamodb = client("dynamodb")
    sqs = client("sqs")
    return Services(
        settings=settings,
        source=S3Storage(s3, settings.source_bucket),
        site=S3Storage(s3, settings.site_bucket),
        catalog=DynamoCatalog(dynamodb, settings.catalog_table),
        translator=build_translator(
            settings.translators,
            settings,
            cloud_api_keys(settings, client_hook),
            client_hook=client_hook,
        ),
        memory=DynamoMemory(dynamodb, settings.catalog_table),
        cdn=CloudFrontCdn(client("cloudfront"), settings.distribution_id),
        jobs=SqsJobQueue(sqs, settings.translate_queue_url),
        site_jobs=(
            SqsSiteJobQueue(sqs, settings.render_queue_url) if settings.render_queue_url else None
        ),
        notifier=(
            SnsNotifier(client("sns"), settings.report_topic_arn)
            if settings.report_topic_arn
            else None
        ),
    )


def local_services(
    settings: Settings, content_dir: Path, out_dir: Path, state_dir: Path
) -> tuple[Services, CollectingQueue, RecordingCdn]:
    """Services over folders and JSON files, for `polypub build`."""
    queue = CollectingQueue()
    cdn = RecordingCdn()
    services = Services(
        settings=settings,
        source=RedirectedReports(FolderStorage(content_dir), FolderStorage(state_dir / "reports")),
        site=FolderStorage(out_dir),
        catalog=JsonCatalog(state_dir / "catalog.json"),
        translator=build_translator(settings.translators, settings),
        memory=JsonMemory(state_dir / "memory.json"),
        cdn=cdn,
        jobs=queue,
    )
    return services, queue, cdn
