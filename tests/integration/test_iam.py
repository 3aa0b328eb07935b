"""IAM enforced locally: each function's calls checked against its template.yaml policy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from polypub import pipeline
from polypub.adapters.errors import InfrastructureError
from polypub.handlers import runtime, translate
from polypub.local.dev import DevOptions, DevSession
from polypub.local.iam import AccessDeniedError, Denial, PolicyGuard, local_policies
from polypub.local.pump import LocalContext
from polypub.local.template import describe
from polypub.model import PostEntry, TranslationJob
from polypub.steps.context import Outcome
from polypub.wiring import cloud_services

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or shutil.which("node") is None,
    reason="needs apertium (apertium-eng-spa) and node: run scripts/install-system-deps",
)

POST = (
    b"---\ntitle: Our school garden\nauthor: Test Teacher\nlang: en\n"
    b"date: 2024-05-22T21:12:00.000Z\n---\nThe students planted trees in the garden.\n"
)


def start(content: Path, **options: Any) -> DevSession:
    return DevSession(
        DevOptions(
            content_dir=content, aws_port=0, port=0, watch=False, template=TEMPLATE, **options
        ),
        {"translators": ("apertium",)},
    ).start()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevSession]:
    # retry_after=0: a refused batch is received again at once, so a lost grant shows
    # its whole cost (five receives, then the dead-letter queue) within the test.
    session = start(tmp_path_factory.mktemp("content"), retry_after=0)
    try:
        yield session
    finally:
        session.stop()


def guard_of(stack: DevSession) -> PolicyGuard:
    assert stack.guard is not None
    return stack.guard


def upload(stack: DevSession, key: str, data: bytes) -> None:
    assert stack.aws is not None
    stack.aws.client("s3").put_object(Bucket=stack.aws.source_bucket, Key=key, Body=data)
    stack.drain()


def table_arn(stack: DevSession) -> str:
    assert stack.aws is not None
    aws = stack.aws
    return f"arn:aws:dynamodb:{aws.region}:{aws.account_id}:table/{aws.catalog_table}"


def guarded_by(stack: DevSession, template_text: str, tmp_path: Path) -> PolicyGuard:
    """Services checked against another version of the template, installed for the handlers."""
    assert stack.aws is not None
    assert stack.settings is not None
    changed = tmp_path / "template.yaml"
    changed.write_text(template_text, encoding="utf-8")
    aws = stack.aws
    guard = PolicyGuard(
        local_policies(
            changed,
            physical=aws.resources,
            region=aws.region,
            account=aws.account_id,
            parameters=describe(
                TEMPLATE, parameters={"TranslationProvider": "apertium"}
            ).parameters,
        ),
        region=aws.region,
        account=aws.account_id,
        site_bucket=aws.site_bucket,
    )
    runtime.install(cloud_services(stack.settings, client_hook=guard.attach))
    return guard


@pytest.fixture
def restore(stack: DevSession) -> Iterator[None]:
    before = runtime.services()
    yield
    runtime.install(before)


def test_the_real_flows_run_within_each_functions_policy(stack: DevSession) -> None:
    upload(stack, "posts/garden.md", POST)
    assert stack.aws is not None
    site = stack.aws.client("s3")
    for lang in ("en", "es"):
        site.head_object(Bucket=stack.aws.site_bucket, Key=f"{lang}/posts/garden/index.html")
    exercised = guard_of(stack).exercised
    actions = {(function, action) for function, action, _ in exercised}
    # Each function ran under its own policy: only render queues translations, and the
    # translate function's batch ended by forgetting its pending entries.
    assert ("RenderFunction", "sqs:SendMessage") in actions
    assert ("TranslateFunction", "sqs:SendMessage") not in actions
    assert ("TranslateFunction", "dynamodb:DeleteItem") in actions
    assert guard_of(stack).denials == []


def test_a_call_outside_the_policy_fails_with_function_action_and_resource(
    stack: DevSession,
) -> None:
    assert stack.aws is not None
    source = runtime.services().source
    with runtime.invocation("TranslateFunction"), pytest.raises(InfrastructureError) as caught:
        source.put("posts/forged.md", b"---\ntitle: x\n---\n", "text/markdown")
    assert "AccessDenied" in str(caught.value)
    refused = caught.value.__cause__
    assert isinstance(refused, AccessDeniedError)  # a ClientError, as AWS's 403 is
    assert refused.response["Error"]["Code"] == "AccessDenied"
    resource = f"arn:aws:s3:::{stack.aws.source_bucket}/posts/forged.md"
    assert (refused.function, refused.action, refused.resource) == (
        "TranslateFunction",
        "s3:PutObject",
        resource,
    )
    assert guard_of(stack).take_denials() == [Denial("TranslateFunction", "s3:PutObject", resource)]
    # The object was never written: the call did not reach S3.
    assert runtime.services().source.head("posts/forged.md") is None


def test_calls_outside_an_invocation_are_the_operators(stack: DevSession) -> None:
    # The developer's and the tests' own reads are not a function's: never refused.
    runtime.services().catalog.list_statuses()
    assert guard_of(stack).denials == []


def test_the_template_without_the_delete_grant_dead_letters_every_translation(
    stack: DevSession, tmp_path: Path, restore: None
) -> None:
    assert stack.aws is not None
    text = TEMPLATE.read_text(encoding="utf-8")
    marker = "                - dynamodb:UpdateItem\n                - dynamodb:DeleteItem\n"
    translate_at = text.index("  TranslateFunction:\n")
    at = text.index(marker, translate_at)
    guard = guarded_by(
        stack, text[:at] + marker.split("\n")[0] + "\n" + text[at + len(marker) :], tmp_path
    )

    upload(stack, "posts/orchard.md", POST.replace(b"garden", b"orchard"))

    denials = set(guard.take_denials())
    assert denials == {Denial("TranslateFunction", "dynamodb:DeleteItem", table_arn(stack))}
    sqs = stack.aws.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=stack.aws.translate_dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "1"
    # The translated page was written, but its batch never finished: readers behind
    # CloudFront were never sent to it, and the job waits in the DLQ.
    cloudfront = stack.aws.client("cloudfront")
    invalidated = set()
    listing = cloudfront.list_invalidations(DistributionId=stack.aws.distribution_id)
    for item in listing["InvalidationList"].get("Items", []):
        batch = cloudfront.get_invalidation(DistributionId=stack.aws.distribution_id, Id=item["Id"])
        invalidated |= set(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
    assert any(path.startswith("/en/posts/orchard") for path in invalidated)
    assert not any(path.startswith("/es/posts/orchard") for path in invalidated)
    sqs.purge_queue(QueueUrl=stack.aws.translate_dlq_url)


def test_without_list_bucket_a_missing_post_reads_as_forbidden_not_deleted(
    stack: DevSession, tmp_path: Path, restore: None
) -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    grant = (
        "            - Sid: ListSource\n"
        "              Effect: Allow\n"
        "              Action: s3:ListBucket\n"
        "              Resource: !GetAtt SourceBucket.Arn\n"
    )
    assert text.count(grant) == 2
    guarded_by(stack, text.replace(grant, ""), tmp_path)
    source = runtime.services().source
    assert source.get("posts/never-uploaded.md") is None  # the operator may list
    with runtime.invocation("RenderFunction"), pytest.raises(InfrastructureError) as caught:
        source.get("posts/never-uploaded.md")
    # What S3 answers a caller that may not list: 403, so a lost grant never unpublishes.
    assert "AccessDenied" in str(caught.value)


class DeletedWhileTranslating:
    """A catalog whose post is unpublished by the render function just as a translation saves."""

    def __init__(self, inner: Any, unpublish: Callable[[], None]) -> None:
        self._inner = inner
        self._unpublish: Callable[[], None] | None = unpublish

    def put_post(self, entry: PostEntry, **kwargs: Any) -> None:
        if self._unpublish is not None:
            unpublish, self._unpublish = self._unpublish, None
            unpublish()
        self._inner.put_post(entry, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_translation_outrun_by_a_delete_takes_its_page_back_within_its_policy(
    stack: DevSession, restore: None
) -> None:
    # The one path where the translate function deletes from the site (its WriteSite
    # s3:DeleteObject grant): the post was deleted while it translated.
    assert stack.aws is not None
    aws = stack.aws
    upload(stack, "posts/race.md", POST.replace(b"lang: en\n", b"lang: en\ntranslate: false\n"))
    services = runtime.services()
    entry = services.catalog.get_post("race")
    assert entry is not None
    assert set(entry.versions) == {"en"}
    job = TranslationJob("posts/race.md", entry.content_hash, "race", "en", ("es",))

    unpublished: list[Outcome] = []

    def delete_the_post() -> None:
        # The render function is still running (it has removed the catalog entry but
        # not yet finished its batch) when the translation saves.
        aws.client("s3").delete_object(Bucket=aws.source_bucket, Key="posts/race.md")
        with runtime.invocation("RenderFunction"):
            unpublished.append(pipeline.process_source_key("posts/race.md", services))

    runtime.install(
        replace(services, catalog=DeletedWhileTranslating(services.catalog, delete_the_post))
    )
    event = {"Records": [{"messageId": "job", "body": json.dumps(job.to_dict())}]}
    response = translate.handler(event, LocalContext("TranslateFunction"))
    assert response == {"batchItemFailures": []}
    # The translate function took back the page it wrote for a post now gone.
    assert services.site.head("es/posts/race/index.html") is None
    with runtime.invocation("RenderFunction"):
        pipeline.finish(unpublished, services)
    assert services.site.head("en/posts/race/index.html") is None
    assert ("TranslateFunction", "s3:DeleteObject", "WriteSite") in guard_of(stack).exercised
