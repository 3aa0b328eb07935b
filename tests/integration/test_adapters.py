"""The cloud adapters against moto, and the local ones against a temporary folder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from polypub.adapters.cloudfront import CloudFrontCdn
from polypub.adapters.dynamodb import DynamoCatalog, DynamoMemory
from polypub.adapters.errors import InfrastructureError, translate_client_error
from polypub.adapters.localfs import (
    FolderStorage,
    JsonCatalog,
    JsonMemory,
    UnsafeKeyError,
    _JsonFile,
)
from polypub.adapters.s3 import S3Storage
from polypub.model import PostEntry, SourceStatus, VersionInfo
from polypub.ports import Catalog, CatalogConflictError, Storage, TranslationMemory
from polypub.site.listings import ListingIndex, ListingSource, collections_of, sort_key

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


def _listed(
    slug: str,
    day: str,
    langs: tuple[str, ...] = ("es", "en"),
    project: str | None = "huerto",
    author: str | None = "Lucía Pérez",
) -> PostEntry:
    return PostEntry(
        slug=slug,
        source_key=f"posts/{slug}.md",
        source_lang=langs[0],
        content_hash="h",
        updated="2024-07-01T00:00:00Z",
        date=day,
        author=author,
        project=project,
        versions={lang: VersionInfo(f"{slug} {lang}", None, "machine") for lang in langs},
    )


LISTED = [
    _listed("may-a", "2024-05-10"),
    _listed("may-z", "2024-05-10", ("es",)),
    _listed("may-late", "2024-05-30T23:30:00+02:00", project=None),  # 21:30Z, still May
    _listed("march", "2024-03-02", ("en",), author="IES Abastos"),
    _listed("dec", "2023-12-24", project="Proyecto Erasmus+"),
    _listed("undated", "not a date", ("es",)),  # listed where it was updated: July
]


def _index_items(client: Any) -> set[tuple[str, str, str]]:
    """(collection, sort key, slug of the stored doc) of every listing index item."""
    found = set()
    for page in client.get_paginator("scan").paginate(TableName="catalog"):
        for item in page["Items"]:
            if item["pk"]["S"].startswith("list#"):
                doc = json.loads(item["doc"]["S"])
                found.add((item["pk"]["S"].removeprefix("list#"), item["sk"]["S"], doc["slug"]))
    return found


def _expected_items(entries: list[PostEntry]) -> set[tuple[str, str, str]]:
    return {(name, sort_key(e), e.slug) for e in entries for name in collections_of(e)}


def test_dynamo_catalog_keeps_one_index_item_per_collection_of_each_post(aws: None) -> None:
    client = boto3.client("dynamodb", region_name=REGION)
    catalog = DynamoCatalog(client, _table(client))
    for entry in LISTED:
        catalog.put_post(entry)
    assert _index_items(client) == _expected_items(LISTED)
    assert ("author/en/lucia-perez", "2024-05-10T00:00:00Z#may-a", "may-a") in _index_items(client)
    # An edit that moves the post to another month, into another project and out of a
    # language leaves exactly the new post's items, each carrying the new entry.
    before = LISTED[0]
    edited = replace(
        before,
        date="2024-01-15",
        project="Proyecto Erasmus+",
        versions={"es": VersionInfo("Nuevo", None, "original")},
    )
    catalog.put_post(edited)
    now = [edited, *LISTED[1:]]
    assert _index_items(client) == _expected_items(now)
    assert not [
        item for item in _index_items(client) if item[1].startswith("2024-05-10T00:00:00Z#may-a")
    ]
    assert catalog.posts_in_period("home/es", "2024-01") == [edited]
    assert catalog.newest_posts("project/es/proyecto-erasmus", 1) == [edited]
    assert catalog.newest_posts("project/en/proyecto-erasmus", 9) == [LISTED[4]]
    # An edit that changes no listed value rewrites the same items.
    catalog.put_post(replace(edited, content_hash="other"))
    assert _index_items(client) == _expected_items(now)
    assert catalog.posts_in_period("home/es", "2024-01")[0].content_hash == "other"
    # A delete removes the post and all its index items, and nothing else.
    catalog.delete_post("may-a")
    catalog.delete_post("never-there")
    assert _index_items(client) == _expected_items(LISTED[1:])
    for entry in LISTED[1:]:
        catalog.delete_post(entry.slug)
    assert _index_items(client) == set()
    assert catalog.list_posts() == []


def _collections_and_periods(entries: list[PostEntry]) -> list[tuple[str, str]]:
    index = ListingIndex(entries)
    months = [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-05",
        "2024-07",
        "2025-01",
    ]
    return [(name, month) for name in [*index.collections(), "home/ca"] for month in months]


def _answers(catalog: ListingSource, entries: list[PostEntry]) -> list[object]:
    answers: list[object] = []
    for name, month in _collections_and_periods(entries):
        answers += [
            catalog.newest_posts(name, 1),
            catalog.newest_posts(name, 3),
            catalog.newest_posts(name, 100),
            catalog.newest_posts(name, 0),
            catalog.posts_in_period(name, month),
            catalog.posts_in_period(name, month, 1),
            catalog.neighbour_periods(name, month),
        ]
    return answers


def test_dynamo_and_json_catalogs_answer_the_listing_queries_alike(
    aws: None, tmp_path: Path
) -> None:
    client = boto3.client("dynamodb", region_name=REGION)
    dynamo = DynamoCatalog(client, _table(client))
    local = JsonCatalog(tmp_path / "catalog.json")
    for entry in LISTED:
        dynamo.put_post(entry)
        local.put_post(entry)
    expected = ListingIndex(LISTED)
    assert _answers(local, LISTED) == _answers(expected, LISTED)
    assert _answers(dynamo, LISTED) == _answers(local, LISTED)
    assert [e.slug for e in dynamo.newest_posts("home/es", 3)] == ["undated", "may-late", "may-z"]
    assert dynamo.neighbour_periods("home/en", "2024-03") == ("2024-05", "2023-12")
    assert dynamo.neighbour_periods("home/en", "2024-04") == ("2024-05", "2024-03")
    # After edits and a delete they still agree.
    changed = replace(LISTED[1], date="2023-11-30", versions=LISTED[0].versions)
    for catalog in (dynamo, local):
        catalog.put_post(changed)
        catalog.delete_post("march")
    now = [LISTED[0], changed, *LISTED[2:3], *LISTED[4:]]
    assert _answers(local, now) == _answers(ListingIndex(now), now)
    assert _answers(dynamo, now) == _answers(local, now)
    assert dynamo.neighbour_periods("home/en", "2024-05") == (None, "2023-12")


def test_json_catalog_changes_reach_the_file_on_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "catalog.json"
    # Changes are written at most every SAVE_INTERVAL seconds, and on flush().
    monkeypatch.setattr(_JsonFile, "SAVE_INTERVAL", 3600.0)
    catalog = JsonCatalog(path)
    catalog.put_post(LISTED[0])
    catalog.put_post(LISTED[1])
    assert JsonCatalog(path).get_post(LISTED[0].slug) is None  # not written yet
    catalog.flush()
    reopened = JsonCatalog(path)
    assert reopened.get_post(LISTED[0].slug) == LISTED[0]
    assert reopened.newest_posts("home/es", 9) == [LISTED[1], LISTED[0]]
    catalog.delete_post(LISTED[0].slug)
    catalog.flush()
    reopened = JsonCatalog(path)
    assert reopened.get_post(LISTED[0].slug) is None
    assert reopened.newest_posts("home/es", 9) == [LISTED[1]]
    catalog.flush()  # nothing pending: nothing to write
    memory = JsonMemory(tmp_path / "memory.json")
    memory.put_many({"k": "v"})
    memory.flush()
    assert JsonMemory(tmp_path / "memory.json").get_many(["k"]) == {"k": "v"}


def test_json_catalog_writes_at_once_when_the_interval_has_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_JsonFile, "SAVE_INTERVAL", 0.0)
    path = tmp_path / "catalog.json"
    JsonCatalog(path).put_post(LISTED[2])
    assert JsonCatalog(path).get_post(LISTED[2].slug) == LISTED[2]


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


# ------------------------------------------------------------------ reliability primitives


def test_storage_lists_objects_with_their_digests(storage: Storage) -> None:
    storage.put("en/index.html", b"home", "text/html")
    storage.put("en/posts/a/index.html", b"post", "text/html")
    listed = {info.key: info for info in storage.list_objects("en/")}
    assert set(listed) == {"en/index.html", "en/posts/a/index.html"}
    assert listed["en/index.html"].digest == hashlib.md5(b"home").hexdigest()  # noqa: S324
    assert listed["en/posts/a/index.html"].size == 4


def test_dynamo_catalog_reads_again_when_the_post_changed_since_it_was_read(aws: None) -> None:
    """Render and translate steps writing one post at once leave no stale index items."""
    client = boto3.client("dynamodb", region_name=REGION)
    catalog = DynamoCatalog(client, _table(client))
    other = DynamoCatalog(client, "catalog")
    first = _entry("race")
    catalog.put_post(first)
    meanwhile = replace(first, project="huerto-europeo", date="2024-02-01T00:00:00Z")
    mine = replace(first, project="coding-club", date="2024-03-01T00:00:00Z")
    read = catalog._current
    reads: list[str] = []

    def read_then_lose_the_race(slug: str) -> tuple[str | None, PostEntry | None]:
        answer = read(slug)
        if not reads:
            other.put_post(meanwhile)  # lands between this function's read and write
        reads.append(slug)
        return answer

    catalog._current = read_then_lose_the_race  # type: ignore[method-assign]
    catalog.put_post(mine)
    assert reads == ["race", "race"]  # the condition failed once, then it read again
    assert _index_items(client) == _expected_items([mine])
    assert catalog.get_post("race") == mine


def test_catalog_remembers_entries_not_yet_shown_in_the_listings(catalog: Catalog) -> None:
    first, second = _entry("a"), replace(_entry("a"), content_hash="new")
    assert catalog.pending_entries() == {}
    catalog.add_pending_entries({"a": None, "b": first})
    catalog.add_pending_entries({"a": second})  # the first remembered is kept
    assert catalog.pending_entries() == {"a": None, "b": first}
    catalog.remove_pending_entries({"a": second, "b": first})  # "a" differs: kept
    assert catalog.pending_entries() == {"a": None}
    catalog.remove_pending_entries({"a": None, "gone": None})
    assert catalog.pending_entries() == {}


def test_catalog_writes_over_an_expected_entry_only(catalog: Catalog) -> None:
    first = _entry("e")
    catalog.put_post(first, expected=None)
    with pytest.raises(CatalogConflictError):
        catalog.put_post(replace(first, content_hash="x"), expected=None)
    catalog.put_post(replace(first, content_hash="y"), expected=first)
    with pytest.raises(CatalogConflictError):
        catalog.put_post(replace(first, content_hash="z"), expected=first)
    catalog.delete_post("e")
    with pytest.raises(CatalogConflictError):  # deleted meanwhile: never written back
        catalog.put_post(first, expected=first)
    assert catalog.get_post("e") is None


def test_catalog_claims_events_in_sequencer_order(catalog: Catalog) -> None:
    key = "posts/a.md"
    assert catalog.newest_event(key) is None
    assert catalog.claim_event(key, "0010")
    assert catalog.claim_event(key, "0010")  # a redelivery may finish what a crash left
    assert catalog.claim_event(key, "0020")
    assert not catalog.claim_event(key, "0015")  # late and older: refused
    assert catalog.newest_event(key) == "0020"
    assert catalog.claim_event("posts/b.md", "0001")  # keys are independent
    assert catalog.newest_event(key) == "0020"


def test_catalog_keeps_pending_paths_as_a_set(catalog: Catalog) -> None:
    assert catalog.pending_paths() == set()
    catalog.add_pending_paths(["/en/a/", "/es/a/"])
    catalog.add_pending_paths(["/es/a/", "/sitemap.xml"])
    catalog.add_pending_paths([])
    assert catalog.pending_paths() == {"/en/a/", "/es/a/", "/sitemap.xml"}
    catalog.remove_pending_paths(["/en/a/", "/not-there/"])
    assert catalog.pending_paths() == {"/es/a/", "/sitemap.xml"}
    catalog.remove_pending_paths(["/es/a/", "/sitemap.xml"])
    assert catalog.pending_paths() == set()


def test_cloudfront_waits_while_too_many_invalidations_are_in_progress() -> None:
    from botocore.stub import Stubber

    client = boto3.client(
        "cloudfront", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    slept: list[float] = []
    cdn = CloudFrontCdn(client, "E123", retry_delays=(1.0, 2.0), sleep=slept.append)
    with Stubber(client) as stub:
        stub.add_client_error(
            "create_invalidation", "TooManyInvalidationsInProgress", http_status_code=400
        )
        stub.add_client_error(
            "create_invalidation", "TooManyInvalidationsInProgress", http_status_code=400
        )
        stub.add_response(
            "create_invalidation",
            {
                "Invalidation": {
                    "Id": "I1",
                    "Status": "InProgress",
                    "CreateTime": "2026-01-01T00:00:00Z",
                    "InvalidationBatch": {
                        "Paths": {"Quantity": 1, "Items": ["/a"]},
                        "CallerReference": "r",
                    },
                },
                "Location": "l",
            },
        )
        cdn.invalidate(["/a"])
        stub.assert_no_pending_responses()
    assert slept == [1.0, 2.0]

    with Stubber(client) as stub:
        for _ in range(3):
            stub.add_client_error(
                "create_invalidation", "TooManyInvalidationsInProgress", http_status_code=400
            )
        with pytest.raises(InfrastructureError) as raised:
            cdn.invalidate(["/a"])
    assert raised.value.retryable


def test_sns_notifier_publishes_an_ascii_subject(aws: None) -> None:
    from polypub.adapters.sns import SnsNotifier

    client = boto3.client("sns", region_name=REGION)
    topic = client.create_topic(Name="reports")["TopicArn"]
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    client.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)

    SnsNotifier(client, topic).notify(
        "Polyglot Press could not publish posts/día de Europa.md\n" + "x" * 200, "the report"
    )
    SnsNotifier(client, "").notify("disabled", "nothing is sent")

    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(message["Body"])
    assert body["Message"] == "the report"
    assert body["Subject"].startswith("Polyglot Press could not publish posts/dia de Europa.md")
    assert body["Subject"].isascii()
    assert len(body["Subject"]) < 100


def test_replay_copies_dead_letters_back_and_keeps_what_it_could_not_send(aws: None) -> None:
    from polypub.local.replay import QueuePair, replay

    sqs = boto3.client("sqs", region_name=REGION)
    dlq = sqs.create_queue(QueueName="render-dlq")["QueueUrl"]
    queue = sqs.create_queue(QueueName="render")["QueueUrl"]
    for i in range(23):
        sqs.send_message(
            QueueUrl=dlq,
            MessageBody=json.dumps({"n": i}),
            MessageAttributes={"origin": {"DataType": "String", "StringValue": "s3"}},
        )
    pair = QueuePair("render", dlq, queue)

    first = replay(sqs, pair, method="copy", limit=5)
    assert (first.moved, first.method) == (5, "copy")
    rest = replay(sqs, pair, method="copy")
    assert rest.moved == 18
    assert rest.left == 0

    bodies = []
    while messages := sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", []):
        for message in messages:
            bodies.append(json.loads(message["Body"])["n"])
            assert message["MessageAttributes"]["origin"]["StringValue"] == "s3"
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert sorted(bodies) == list(range(23))


def test_replay_prefers_the_sqs_move_task_where_it_exists() -> None:
    from botocore.stub import Stubber

    from polypub.local.replay import QueuePair, replay

    sqs = boto3.client("sqs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    dlq, queue = "https://sqs/123/dlq", "https://sqs/123/q"
    with Stubber(sqs) as stub:
        stub.add_response("get_queue_attributes", {"Attributes": {"QueueArn": "arn:dlq"}})
        stub.add_response("get_queue_attributes", {"Attributes": {"QueueArn": "arn:q"}})
        stub.add_response(
            "start_message_move_task",
            {"TaskHandle": "h1"},
            {"SourceArn": "arn:dlq", "DestinationArn": "arn:q"},
        )
        stub.add_response(
            "list_message_move_tasks",
            {
                "Results": [
                    {
                        "TaskHandle": "h1",
                        "Status": "COMPLETED",
                        "ApproximateNumberOfMessagesMoved": 7,
                    }
                ]
            },
        )
        stub.add_response(
            "get_queue_attributes",
            {
                "Attributes": {
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                }
            },
        )
        result = replay(sqs, QueuePair("translate", dlq, queue))
    assert (result.moved, result.method, result.left) == (7, "move-task", 0)


def test_replay_finds_queues_in_the_environment_and_says_what_is_missing(tmp_path: Path) -> None:
    from polypub.local.replay import ReplayError, queue_pairs
    from polypub.settings import Settings

    env = {
        "POLYPUB_RENDER_DLQ_URL": "https://sqs/dlq",
        "POLYPUB_RENDER_QUEUE_URL": "https://sqs/q",
    }
    pairs, _ = queue_pairs(("render",), info_file=None, stack=None, settings=Settings(), env=env)
    assert [(p.dlq_url, p.queue_url) for p in pairs] == [("https://sqs/dlq", "https://sqs/q")]
    with pytest.raises(ReplayError, match="POLYPUB_TRANSLATE_DLQ_URL"):
        queue_pairs(("translate",), info_file=None, stack=None, settings=Settings(), env=env)


def test_replay_reads_the_queues_from_a_stacks_outputs() -> None:
    from botocore.stub import Stubber

    from polypub.local.replay import queue_pairs
    from polypub.settings import Settings

    cloudformation = boto3.client(
        "cloudformation", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    outputs = {
        "RenderDLQUrl": "https://sqs/render-dlq",
        "RenderQueueUrl": "https://sqs/render",
        "TranslateDLQUrl": "https://sqs/translate-dlq",
        "TranslateQueueUrl": "https://sqs/translate",
    }
    with Stubber(cloudformation) as stub:
        stub.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": "polyglot-press",
                        "CreationTime": "2026-01-01T00:00:00Z",
                        "StackStatus": "CREATE_COMPLETE",
                        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
                    }
                ]
            },
            {"StackName": "polyglot-press"},
        )
        pairs, _ = queue_pairs(
            ("render", "translate"),
            info_file=None,
            stack="polyglot-press",
            settings=Settings(),
            cloudformation=lambda: cloudformation,
        )
    assert [(p.name, p.dlq_url, p.queue_url) for p in pairs] == [
        ("render", "https://sqs/render-dlq", "https://sqs/render"),
        ("translate", "https://sqs/translate-dlq", "https://sqs/translate"),
    ]
