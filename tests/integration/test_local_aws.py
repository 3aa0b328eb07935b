"""start_embedded_aws(): moto on loopback with template.yaml's resources, wired like AWS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from polypub.local.aws import EmbeddedAws, EmbeddedAwsError, start_embedded_aws
from polypub.local.template import TemplateError
from polypub.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


@pytest.fixture(scope="module")
def aws() -> Iterator[EmbeddedAws]:
    embedded = start_embedded_aws(template=TEMPLATE)
    yield embedded
    embedded.stop()


def drain(aws: EmbeddedAws, queue_url: str) -> list[dict[str, Any]]:
    """Every message body now on the queue (deleted as read), test events left out."""
    sqs = aws.client("sqs")
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            break
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            body = json.loads(message["Body"])
            if body.get("Event") != "s3:TestEvent":
                bodies.append(body)
    return bodies


def records(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for body in bodies for record in body["Records"]]


def test_endpoint_is_loopback_on_a_free_port(aws: EmbeddedAws) -> None:
    assert aws.endpoint_url.startswith("http://127.0.0.1:")
    assert int(aws.endpoint_url.rsplit(":", 1)[1]) > 0


def test_resources_exist_with_template_attributes(aws: EmbeddedAws) -> None:
    s3 = aws.client("s3")
    sqs = aws.client("sqs")
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {aws.source_bucket, aws.site_bucket} <= buckets

    for queue_url, dlq_url, visibility in (
        (aws.render_queue_url, aws.render_dlq_url, "360"),
        (aws.translate_queue_url, aws.translate_dlq_url, "1800"),
    ):
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])[
            "Attributes"
        ]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        assert json.loads(attributes["RedrivePolicy"]) == {
            "deadLetterTargetArn": dlq_arn,
            "maxReceiveCount": 5,
        }
        assert attributes["VisibilityTimeout"] == visibility
        dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
        assert dlq["MessageRetentionPeriod"] == "1209600"

    table = aws.client("dynamodb").describe_table(TableName=aws.catalog_table)["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]

    distribution = aws.client("cloudfront").get_distribution(Id=aws.distribution_id)
    assert distribution["Distribution"]["Id"] == aws.distribution_id


def test_versioning_locally(aws: EmbeddedAws) -> None:
    s3 = aws.client("s3")
    # The source bucket stays unversioned locally: moto sends no ObjectRemoved event for
    # a delete marker (see functions/polypub/local/aws.py).
    assert s3.get_bucket_versioning(Bucket=aws.source_bucket).get("Status") is None
    assert s3.get_bucket_versioning(Bucket=aws.site_bucket)["Status"] == "Enabled"


@pytest.mark.parametrize(
    ("key", "encoded_parts"),
    [
        pytest.param("posts/plain.md", ["plain.md"], id="plain"),
        # As on AWS: keys arrive URL-encoded, space as "+", "+" as %2B, UTF-8 escaped.
        pytest.param(
            "posts/hola mundo+más ñ.md", ["hola+mundo%2Bm%C3%A1s+%C3%B1.md"], id="encoded"
        ),
    ],
)
def test_put_and_delete_reach_the_render_queue(
    aws: EmbeddedAws, key: str, encoded_parts: list[str]
) -> None:
    s3 = aws.client("s3")
    drain(aws, aws.render_queue_url)

    s3.put_object(Bucket=aws.source_bucket, Key=key, Body=b"---\ntitle: x\n---\nhola\n")
    s3.delete_object(Bucket=aws.source_bucket, Key=key)

    found = records(drain(aws, aws.render_queue_url))
    assert [r["eventName"] for r in found] == ["ObjectCreated:Put", "ObjectRemoved:Delete"]
    for record in found:
        assert record["eventSource"] == "aws:s3"
        assert record["awsRegion"] == aws.region
        assert record["s3"]["bucket"]["name"] == aws.source_bucket
        raw = record["s3"]["object"]["key"]
        assert unquote_plus(raw) == key
        for part in encoded_parts:
            assert raw.endswith(part)


@pytest.mark.parametrize(
    ("key", "notified"),
    [
        ("posts/a.md", True),
        ("posts/a.en.md", True),
        ("posts/notes.txt", True),  # every name under posts/ (a .MD gets a report)
        ("posts/Viaje.MD", True),
        ("assets/images/uploads/a.png", True),
        ("config/site.yml", True),
        ("drafts/a.md", False),
        ("a.md", False),
    ],
)
def test_notification_filters(aws: EmbeddedAws, key: str, notified: bool) -> None:
    drain(aws, aws.render_queue_url)
    aws.client("s3").put_object(Bucket=aws.source_bucket, Key=key, Body=b"x")

    found = records(drain(aws, aws.render_queue_url))
    assert [unquote_plus(r["s3"]["object"]["key"]) for r in found] == ([key] if notified else [])


def test_batch_delete_reaches_the_queue(aws: EmbeddedAws) -> None:
    # `aws s3 rm --recursive` and the console delete through DeleteObjects.
    s3 = aws.client("s3")
    for name in ("posts/one.md", "posts/two.md"):
        s3.put_object(Bucket=aws.source_bucket, Key=name, Body=b"x")
    drain(aws, aws.render_queue_url)

    s3.delete_objects(
        Bucket=aws.source_bucket,
        Delete={"Objects": [{"Key": "posts/one.md"}, {"Key": "posts/two.md"}]},
    )

    found = records(drain(aws, aws.render_queue_url))
    assert sorted(unquote_plus(r["s3"]["object"]["key"]) for r in found) == [
        "posts/one.md",
        "posts/two.md",
    ]
    assert {r["eventName"] for r in found} == {"ObjectRemoved:Delete"}


def test_a_second_embedded_aws_is_refused(aws: EmbeddedAws) -> None:
    # moto's state is per process: a second server would share and reset the first's.
    embedded_again: EmbeddedAws | None = None
    try:
        with pytest.raises(EmbeddedAwsError, match="already running"):
            embedded_again = start_embedded_aws(template=TEMPLATE)
    finally:
        if embedded_again is not None:
            embedded_again.stop()


def test_env_feeds_settings(aws: EmbeddedAws) -> None:
    env = aws.env(site_url="http://127.0.0.1:8000")
    settings = Settings.from_env(env)

    assert settings.endpoint_url == aws.endpoint_url
    assert settings.source_bucket == aws.source_bucket
    assert settings.site_bucket == aws.site_bucket
    assert settings.catalog_table == aws.catalog_table
    assert settings.translate_queue_url == aws.translate_queue_url
    assert settings.distribution_id == aws.distribution_id
    assert settings.languages == ("es", "en")
    assert settings.translators == ("aws",)  # the template's default: Amazon Translate
    assert settings.site_name == "Polyglot Press"
    assert settings.site_url == "http://127.0.0.1:8000"
    assert settings.region == aws.region
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert "POLYPUB_SITE_URL" not in aws.env()


def test_invalidation_on_the_local_distribution(aws: EmbeddedAws) -> None:
    response = aws.client("cloudfront").create_invalidation(
        DistributionId=aws.distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 2, "Items": ["/en/", "/en/index.html"]},
            "CallerReference": "test-invalidation",
        },
    )
    assert response["Invalidation"]["InvalidationBatch"]["Paths"]["Quantity"] == 2


def test_to_json_round_trips(aws: EmbeddedAws) -> None:
    data = json.loads(aws.to_json())
    assert data["endpoint_url"] == aws.endpoint_url
    assert data["render_queue_url"] == aws.render_queue_url
    assert data["variables"]["POLYPUB_LANGUAGES"] == "es,en"
    assert data["resources"]["SiteBucket"] == aws.site_bucket
    assert data["resources"]["TranslateQueue"] == aws.translate_queue_url
    assert data["account_id"] == "123456789012"
    # RenderFunction's own report topic is created, and named in the shared environment;
    # a function's literals (its Powertools service name) are not.
    topic = data["variables"]["POLYPUB_REPORT_TOPIC_ARN"]
    assert topic == "arn:aws:sns:us-east-1:123456789012:polypub-report-topic"
    assert data["resources"]["ReportTopic"] == topic
    assert "POWERTOOLS_SERVICE_NAME" not in data["variables"]
    assert "_server" not in data


def test_parameters_are_validated_like_cloudformation() -> None:
    with pytest.raises(TemplateError, match="TranslationProvider"):
        start_embedded_aws(template=TEMPLATE, parameters={"TranslationProvider": "babelfish"})
    with pytest.raises(TemplateError, match="no parameter"):
        start_embedded_aws(template=TEMPLATE, parameters={"Nope": "x"})
