"""The cloud adapters against moto, and the local ones against a temporary folder."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from polypub.adapters.cloudfront import CloudFrontCdn
from polypub.adapters.dynamodb import DynamoCatalog, DynamoMemory
from polypub.adapters.errors import InfrastructureError, translate_client_error
from polypub.adapters.localfs import FolderStorage, JsonCatalog, JsonMemory, UnsafeKeyError
from polypub.adapters.s3 import S3Storage
from polypub.model import PostEntry, SourceStatus, VersionInfo
from polypub.ports import Catalog, Storage, TranslationMemory

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def _table(client: Any) -> str:
    client.create_table(
        TableName="catalog",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return "catalog"


@pytest.fixture(params=["s3", "folder"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "folder":
        yield FolderStorage(tmp_path / "bucket")
        return
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket="site", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield S3Storage(client, "site")


def test_storage_round_trip_and_missing_objects(storage: Storage) -> None:
    assert storage.get("en/index.html") is None
    assert storage.head("en/index.html") is None
    storage.put("en/posts/día/index.html", "<p>ñ</p>".encode(), "text/html; charset=utf-8")
    storage.put("es/index.html", b"hola", "text/html")

    assert storage.get("en/posts/día/index.html") == "<p>ñ</p>".encode()
    info = storage.head("es/index.html")
    assert info is not None
    assert info.size == 4
    assert info.digest == hashlib.md5(b"hola").hexdigest()  # noqa: S324 - S3 ETag semantics
    assert sorted(storage.list_keys("en/")) == ["en/posts/día/index.html"]

    storage.delete("en/posts/día/index.html")
    storage.delete("never/existed.html")  # not an error
    assert storage.get("en/posts/día/index.html") is None
    assert list(storage.list_keys("en/")) == []


def test_folder_storage_refuses_keys_outside_its_folder(tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path / "bucket")
    for key in ("../escape.html", "/etc/passwd", "a/../../b", "a\\b"):
        with pytest.raises(UnsafeKeyError):
            storage.put(key, b"x", "text/plain")
    assert not (tmp_path / "escape.html").exists()


def _entry(slug: str) -> PostEntry:
    return PostEntry(
        slug=slug,
        source_key=f"posts/{slug}.md",
        source_lang="en",
        content_hash="abc",
        updated="2026-11-28T10:00:00Z",
        date="2024-05-22T21:12:00Z",
        project="proyecto-2",
        images=("/assets/a.png",),
        versions={
            "en": VersionInfo(title="Hi", description=None, kind="original", source_hash="abc"),
            "es": VersionInfo(
                title="Hola", description="d", kind="machine", provider="apertium", chars_sent=7
            ),
        },
    )


@pytest.fixture(params=["dynamodb", "json"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    if request.param == "json":
        yield JsonCatalog(tmp_path / "catalog.json")
        return
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        yield DynamoCatalog(client, _table(client))


def test_catalog_keeps_posts_and_statuses_apart(catalog: Catalog) -> None:
    catalog.put_post(_entry("one"))
    catalog.put_post(_entry("two"))
    catalog.put_status(SourceStatus(key="posts/one.md", state="published", updated="t", slug="one"))

    assert catalog.get_post("one") == _entry("one")
    assert sorted(e.slug for e in catalog.list_posts()) == ["one", "two"]
    assert [s.key for s in catalog.list_statuses()] == ["posts/one.md"]
    catalog.delete_post("one")
    assert catalog.get_post("one") is None
    assert [e.slug for e in catalog.list_posts()] == ["two"]


@pytest.fixture(params=["dynamodb", "json"])
def memory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TranslationMemory]:
    if request.param == "json":
        yield JsonMemory(tmp_path / "memory.json")
        return
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        yield DynamoMemory(client, _table(client))


def test_memory_reads_and_writes_in_batches_larger_than_dynamodb_allows(
    memory: TranslationMemory,
) -> None:
    items = {f"apertium|en|es|{i:064x}": f"texto {i}" for i in range(260)}
    memory.put_many(items)
    keys = [*items, "apertium|en|es|missing"]
    assert memory.get_many(keys) == items


def test_cloudfront_invalidates_exactly_the_given_paths(aws: None) -> None:
    client = boto3.client("cloudfront", region_name="us-east-1")
    distribution = client.create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": "site.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "MinTTL": 0,
            },
            "Comment": "",
            "Enabled": True,
        }
    )["Distribution"]["Id"]
    cdn = CloudFrontCdn(client, distribution)

    cdn.invalidate(["/es/posts/a/index.html", "/es/index.html", "/es/index.html"])
    cdn.invalidate([])  # nothing changed: no invalidation at all

    items = client.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    assert len(items) == 1
    paths = client.get_invalidation(DistributionId=distribution, Id=items[0]["Id"])["Invalidation"][
        "InvalidationBatch"
    ]["Paths"]["Items"]
    assert sorted(paths) == ["/es/index.html", "/es/posts/a/index.html"]


def test_client_errors_become_named_errors_that_say_whether_to_retry() -> None:
    def error(code: str, status: int) -> ClientError:
        return ClientError(
            {
                "Error": {"Code": code, "Message": "secret detail"},
                "ResponseMetadata": {"HTTPStatusCode": status},
            },
            "PutObject",
        )

    throttled = translate_client_error("writing", error("SlowDown", 503))
    denied = translate_client_error("writing", error("AccessDenied", 403))
    assert isinstance(throttled, InfrastructureError)
    assert throttled.retryable
    assert not denied.retryable
    assert "secret detail" not in str(denied)
