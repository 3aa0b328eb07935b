"""DynamoDB adapters: the Catalog and TranslationMemory ports over one table (pk, sk)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from polypub.adapters.errors import translate_client_error
from polypub.model import PostEntry, SourceStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Item layout (one table, see template.yaml CatalogTable):
#   pk="post"   sk=<slug>        doc=<PostEntry JSON>
#   pk="status" sk=<source key>  doc=<SourceStatus JSON>
#   pk="tm#<memory key>" sk="-"  text=<translated segment>
#   pk="event"  sk=<source key>  seq=<newest S3 sequencer, padded>
#   pk="cdn"    sk="pending"     paths=<string set of paths not yet invalidated>
POST_PK = "post"
STATUS_PK = "status"
EVENT_PK = "event"
CDN_PK = "cdn"
PENDING_SK = "pending"
MEMORY_PREFIX = "tm#"
BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
MAX_UNPROCESSED_ROUNDS = 8


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class DynamoCatalog:
    """Posts and source statuses as JSON documents, queried by partition."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self.table = table

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        try:
            item = self._client.get_item(
                TableName=self.table, Key={"pk": _s(pk), "sk": _s(sk)}, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"reading catalog item {pk}/{sk}", exc) from exc
        if item is None:
            return None
        doc: dict[str, Any] = json.loads(item["doc"]["S"])
        return doc

    def _put(self, pk: str, sk: str, doc: Mapping[str, Any]) -> None:
        try:
            self._client.put_item(
                TableName=self.table,
                Item={"pk": _s(pk), "sk": _s(sk), "doc": _s(json.dumps(doc, sort_keys=True))},
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"writing catalog item {pk}/{sk}", exc) from exc

    def _query(self, pk: str) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("query")
        try:
            for page in paginator.paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": _s(pk)},
                ConsistentRead=True,
            ):
                for item in page.get("Items", []):
                    yield json.loads(item["doc"]["S"])
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"querying catalog partition {pk}", exc) from exc

    def get_post(self, slug: str) -> PostEntry | None:
        doc = self._get(POST_PK, slug)
        return None if doc is None else PostEntry.from_dict(doc)

    def put_post(self, entry: PostEntry) -> None:
        self._put(POST_PK, entry.slug, entry.to_dict())

    def delete_post(self, slug: str) -> None:
        try:
            self._client.delete_item(TableName=self.table, Key={"pk": _s(POST_PK), "sk": _s(slug)})
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"deleting catalog post {slug}", exc) from exc

    def list_posts(self) -> list[PostEntry]:
        return [PostEntry.from_dict(doc) for doc in self._query(POST_PK)]

    def get_status(self, key: str) -> SourceStatus | None:
        doc = self._get(STATUS_PK, key)
        return None if doc is None else SourceStatus.from_dict(doc)

    def put_status(self, status: SourceStatus) -> None:
        self._put(STATUS_PK, status.key, status.to_dict())

    def list_statuses(self) -> list[SourceStatus]:
        return [SourceStatus.from_dict(doc) for doc in self._query(STATUS_PK)]

    def claim_event(self, key: str, sequencer: str) -> bool:
        try:
            self._client.update_item(
                TableName=self.table,
                Key={"pk": _s(EVENT_PK), "sk": _s(key)},
                UpdateExpression="SET seq = :seq",
                # Equal passes: a redelivered event must be able to finish what a crashed
                # attempt started.
                ConditionExpression="attribute_not_exists(seq) OR seq <= :seq",
                ExpressionAttributeValues={":seq": _s(sequencer)},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise translate_client_error(f"claiming event for {key}", exc) from exc
        except BotoCoreError as exc:
            raise translate_client_error(f"claiming event for {key}", exc) from exc
        return True

    def newest_event(self, key: str) -> str | None:
        try:
            item = self._client.get_item(
                TableName=self.table,
                Key={"pk": _s(EVENT_PK), "sk": _s(key)},
                ConsistentRead=True,
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"reading event for {key}", exc) from exc
        return None if item is None else str(item["seq"]["S"])

    def _update_pending(self, action: str, paths: Sequence[str]) -> None:
        unique = sorted(set(paths))
        if not unique:
            return
        try:
            self._client.update_item(
                TableName=self.table,
                Key={"pk": _s(CDN_PK), "sk": _s(PENDING_SK)},
                # ADD and DELETE on a string set are atomic on the server: concurrent
                # functions never lose each other's paths (no read-modify-write here).
                UpdateExpression=f"{action} paths :paths",
                ExpressionAttributeValues={":paths": {"SS": unique}},
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error("recording paths to invalidate", exc) from exc

    def add_pending_paths(self, paths: Sequence[str]) -> None:
        self._update_pending("ADD", paths)

    def remove_pending_paths(self, paths: Sequence[str]) -> None:
        self._update_pending("DELETE", paths)

    def pending_paths(self) -> set[str]:
        try:
            item = self._client.get_item(
                TableName=self.table,
                Key={"pk": _s(CDN_PK), "sk": _s(PENDING_SK)},
                ConsistentRead=True,
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error("reading paths to invalidate", exc) from exc
        return set() if item is None else set(item.get("paths", {}).get("SS", []))


class DynamoMemory:
    """Translation memory: one item per translated segment, read and written in batches."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self.table = table

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [
                        {"pk": _s(MEMORY_PREFIX + key), "sk": _s("-")}
                        for key in unique[start : start + BATCH_GET_LIMIT]
                    ]
                }
            }
            for _ in range(MAX_UNPROCESSED_ROUNDS):
                try:
                    response = self._client.batch_get_item(RequestItems=request)
                except (ClientError, BotoCoreError) as exc:
                    raise translate_client_error("reading translation memory", exc) from exc
                for item in response.get("Responses", {}).get(self.table, []):
                    found[item["pk"]["S"][len(MEMORY_PREFIX) :]] = item["text"]["S"]
                request = dict(response.get("UnprocessedKeys") or {})
                if not request:
                    break
        return found

    def put_many(self, items: Mapping[str, str]) -> None:
        pairs = list(items.items())
        for start in range(0, len(pairs), BATCH_WRITE_LIMIT):
            request: dict[str, Any] = {
                self.table: [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": _s(MEMORY_PREFIX + key),
                                "sk": _s("-"),
                                "text": _s(text),
                            }
                        }
                    }
                    for key, text in pairs[start : start + BATCH_WRITE_LIMIT]
                ]
            }
            for _ in range(MAX_UNPROCESSED_ROUNDS):
                try:
                    response = self._client.batch_write_item(RequestItems=request)
                except (ClientError, BotoCoreError) as exc:
                    raise translate_client_error("writing translation memory", exc) from exc
                request = dict(response.get("UnprocessedItems") or {})
                if not request:
                    break
