"""DynamoDB adapters: the Catalog and TranslationMemory ports over one table (pk, sk)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from polypub.adapters.errors import InfrastructureError, translate_client_error
from polypub.model import PostEntry, RepublishRun, SourceStatus
from polypub.ports import ANY, CatalogConflictError, Unchecked
from polypub.site.listings import collections_of, period_of, sort_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Item layout (one table, see template.yaml CatalogTable):
#   pk="post"   sk=<slug>        doc=<PostEntry JSON>
#   pk="status" sk=<source key>  doc=<SourceStatus JSON>
#   pk="tm#<memory key>" sk="-"  text=<translated segment>
#   pk="event"  sk=<source key>  seq=<newest S3 sequencer, padded>
#   pk="cdn"    sk="pending"     paths=<string set of paths not yet invalidated>
#   pk="changes" sk="posts"     n=<a number every post write or delete adds 1 to, in
#       its transaction: a listing refresh compares it before and after>
#   pk="relist" sk=<slug>        doc=<PostEntry JSON or null: the entry before a change
#       not yet shown in the listings; deleted once they are refreshed>
#   pk="run"    sk=<run id>      doc=<RepublishRun JSON>  done, failed=<string sets of
#       job ids: ADD is atomic and a set counts a job delivered twice once>
#   pk="stamp"  sk="templates"   v=<hash of the package's templates, static files and
#       page code: a deploy that changes it republishes the site once>
#   pk="list#<collection>" sk=<sort key: date#slug>  doc=<PostEntry JSON>
#       one per listing collection the post is in (polypub.site.listings), written in
#       one transaction with the post item, so listings query a bounded range
POST_PK = "post"
STATUS_PK = "status"
EVENT_PK = "event"
CDN_PK = "cdn"
PENDING_SK = "pending"
MEMORY_PREFIX = "tm#"
LIST_PREFIX = "list#"
RELIST_PK = "relist"
RUN_PK = "run"
STAMP_KEY = {"pk": {"S": "stamp"}, "sk": {"S": "templates"}}
CHANGES_KEY = {"pk": {"S": "changes"}, "sk": {"S": "posts"}}
# After the newest month's key; the sort keys are ASCII.
_PERIOD_END = "~"
BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
MAX_UNPROCESSED_ROUNDS = 8
TRANSACT_LIMIT = 100
MAX_CONDITION_ROUNDS = 8


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

    @staticmethod
    def items_for(entry: PostEntry) -> list[dict[str, Any]]:
        """The post's items: the entry, and one per listing collection it is in."""
        doc = _s(json.dumps(entry.to_dict(), sort_keys=True))
        key = sort_key(entry)
        return [{"pk": _s(POST_PK), "sk": _s(entry.slug), "doc": doc}] + [
            {"pk": _s(LIST_PREFIX + name), "sk": _s(key), "doc": doc}
            for name in collections_of(entry)
        ]

    def _index_keys(self, entry: PostEntry | None) -> set[tuple[str, str]]:
        if entry is None:
            return set()
        return {(LIST_PREFIX + name, sort_key(entry)) for name in collections_of(entry)}

    def _current(self, slug: str) -> tuple[str | None, PostEntry | None]:
        """The post item's stored text (for a condition) and the entry it holds."""
        try:
            item = self._client.get_item(
                TableName=self.table, Key={"pk": _s(POST_PK), "sk": _s(slug)}, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"reading catalog post {slug}", exc) from exc
        if item is None:
            return None, None
        text = str(item["doc"]["S"])
        return text, PostEntry.from_dict(json.loads(text))

    def _change_post(
        self, slug: str, entry: PostEntry | None, expected: PostEntry | Unchecked | None = ANY
    ) -> None:
        """Write (or delete, for None) the post item and its listing index items at once.

        The post item is written on condition that it is still what was read, so two
        functions changing one post at the same time (the render and translate steps)
        never leave index items of the losing change behind: the loser reads again.
        """
        what = f"{'writing' if entry else 'deleting'} catalog post {slug}"
        for _ in range(MAX_CONDITION_ROUNDS):
            text, previous = self._current(slug)
            if expected is not ANY and previous != expected:
                raise CatalogConflictError(f"the catalog entry of {slug} changed meanwhile")
            condition: dict[str, Any] = (
                {"ConditionExpression": "attribute_not_exists(pk)"}
                if text is None
                else {
                    "ConditionExpression": "doc = :previous",
                    "ExpressionAttributeValues": {":previous": _s(text)},
                }
            )
            items = self.items_for(entry) if entry is not None else []
            kept = {(item["pk"]["S"], item["sk"]["S"]) for item in items}
            stale = self._index_keys(previous) - kept - {(POST_PK, slug)}
            post_key = {"pk": _s(POST_PK), "sk": _s(slug)}
            operations: list[dict[str, Any]] = [
                {"Put": {"TableName": self.table, "Item": items[0], **condition}}
                if entry is not None
                else {"Delete": {"TableName": self.table, "Key": post_key, **condition}}
            ]
            operations += [{"Put": {"TableName": self.table, "Item": item}} for item in items[1:]]
            operations.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": CHANGES_KEY,
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
            )
            operations += [
                {"Delete": {"TableName": self.table, "Key": {"pk": _s(pk), "sk": _s(sk)}}}
                for pk, sk in sorted(stale)
            ]
            if len(operations) > TRANSACT_LIMIT:
                raise InfrastructureError(
                    f"{what}: {len(operations)} items exceed one transaction", retryable=False
                )
            try:
                self._client.transact_write_items(TransactItems=operations)  # type: ignore[arg-type]
                return
            except ClientError as exc:
                reasons = exc.response.get("CancellationReasons") or []
                codes = {r.get("Code") for r in reasons}
                if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException" and (
                    codes & {"ConditionalCheckFailed", "TransactionConflict"} or not reasons
                ):
                    # Changed since it was read, or another post's change holds the
                    # change counter this instant: read again.
                    time.sleep(random.uniform(0.01, 0.05))  # noqa: S311 - jitter, not security
                    continue
                raise translate_client_error(what, exc) from exc
            except BotoCoreError as exc:
                raise translate_client_error(what, exc) from exc
        raise InfrastructureError(
            f"{what}: it kept changing during {MAX_CONDITION_ROUNDS} attempts", retryable=True
        )

    def put_post(self, entry: PostEntry, *, expected: PostEntry | Unchecked | None = ANY) -> None:
        self._change_post(entry.slug, entry, expected)

    def delete_post(self, slug: str) -> None:
        self._change_post(slug, None)

    def list_posts(self) -> list[PostEntry]:
        return [PostEntry.from_dict(doc) for doc in self._query(POST_PK)]

    def _range(
        self,
        name: str,
        condition: str,
        values: Mapping[str, str],
        *,
        newest_first: bool,
        limit: int | None,
    ) -> list[PostEntry]:
        """Entries of one listing collection in sort key order; at most `limit`."""
        found: list[PostEntry] = []
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": f"pk = :pk AND {condition}" if condition else "pk = :pk",
            "ExpressionAttributeValues": {
                ":pk": _s(LIST_PREFIX + name),
                **{k: _s(v) for k, v in values.items()},
            },
            "ScanIndexForward": not newest_first,
            "ConsistentRead": True,
        }
        try:
            while limit is None or len(found) < limit:
                if limit is not None:
                    request["Limit"] = limit - len(found)
                page = self._client.query(**request)
                found += [PostEntry.from_dict(json.loads(i["doc"]["S"])) for i in page["Items"]]
                if "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"querying the listing {name}", exc) from exc
        return found

    def newest_posts(self, collection: str, limit: int) -> list[PostEntry]:
        if limit < 1:
            return []
        return self._range(collection, "", {}, newest_first=True, limit=limit)

    def posts_in_period(
        self, collection: str, period: str, limit: int | None = None
    ) -> list[PostEntry]:
        return self._range(
            collection, "begins_with(sk, :period)", {":period": period},
            newest_first=True, limit=limit,
        )  # fmt: skip

    def neighbour_periods(self, collection: str, period: str) -> tuple[str | None, str | None]:
        newer = self._range(
            collection, "sk > :end", {":end": period + _PERIOD_END}, newest_first=False, limit=1
        )
        older = self._range(
            collection, "sk < :start", {":start": period}, newest_first=True, limit=1
        )
        return (
            period_of(sort_key(newer[0])) if newer else None,
            period_of(sort_key(older[0])) if older else None,
        )

    def change_count(self) -> int:
        try:
            item = self._client.get_item(
                TableName=self.table, Key=CHANGES_KEY, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error("reading the catalog's change count", exc) from exc
        return 0 if item is None else int(item["n"]["N"])

    def add_pending_entries(self, entries: Mapping[str, PostEntry | None]) -> None:
        for slug, entry in entries.items():
            doc = json.dumps(None if entry is None else entry.to_dict(), sort_keys=True)
            try:
                self._client.put_item(
                    TableName=self.table,
                    Item={"pk": _s(RELIST_PK), "sk": _s(slug), "doc": _s(doc)},
                    # The first entry remembered is what the listings still show.
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise translate_client_error(
                        f"remembering {slug} for the listings", exc
                    ) from exc
            except BotoCoreError as exc:
                raise translate_client_error(f"remembering {slug} for the listings", exc) from exc

    def pending_entries(self) -> dict[str, PostEntry | None]:
        paginator = self._client.get_paginator("query")
        found: dict[str, PostEntry | None] = {}
        try:
            for page in paginator.paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": _s(RELIST_PK)},
                ConsistentRead=True,
            ):
                for item in page.get("Items", []):
                    doc = json.loads(item["doc"]["S"])
                    found[item["sk"]["S"]] = None if doc is None else PostEntry.from_dict(doc)
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error("reading the posts to show in the listings", exc) from exc
        return found

    def remove_pending_entries(self, entries: Mapping[str, PostEntry | None]) -> None:
        for slug, entry in entries.items():
            doc = json.dumps(None if entry is None else entry.to_dict(), sort_keys=True)
            try:
                self._client.delete_item(
                    TableName=self.table,
                    Key={"pk": _s(RELIST_PK), "sk": _s(slug)},
                    # Another function may have remembered it again meanwhile: keep that.
                    ConditionExpression="attribute_not_exists(pk) OR doc = :doc",
                    ExpressionAttributeValues={":doc": _s(doc)},
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise translate_client_error(
                        f"forgetting {slug} for the listings", exc
                    ) from exc
            except BotoCoreError as exc:
                raise translate_client_error(f"forgetting {slug} for the listings", exc) from exc

    def get_status(self, key: str) -> SourceStatus | None:
        doc = self._get(STATUS_PK, key)
        return None if doc is None else SourceStatus.from_dict(doc)

    def put_status(self, status: SourceStatus) -> None:
        self._put(STATUS_PK, status.key, status.to_dict())

    def list_statuses(self) -> list[SourceStatus]:
        return [SourceStatus.from_dict(doc) for doc in self._query(STATUS_PK)]

    def start_run(self, run: RepublishRun) -> None:
        try:
            # SET leaves the job sets alone: a run planned again keeps what it counted.
            self._client.update_item(
                TableName=self.table,
                Key={"pk": _s(RUN_PK), "sk": _s(run.run)},
                UpdateExpression="SET doc = :doc",
                ExpressionAttributeValues={":doc": _s(json.dumps(run.to_dict(), sort_keys=True))},
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error(f"recording republish {run.run}", exc) from exc

    def job_finished(self, run: str, job: str, *, failed: bool = False) -> None:
        counter = "failed" if failed else "done"
        try:
            self._client.update_item(
                TableName=self.table,
                Key={"pk": _s(RUN_PK), "sk": _s(run)},
                # ADD on a string set is atomic on the server: jobs finishing at the same
                # time in different functions never lose each other's counts.
                UpdateExpression=f"ADD {counter} :job",
                ConditionExpression="attribute_exists(doc)",
                ExpressionAttributeValues={":job": {"SS": [job]}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return  # a run nobody records (removed by hand): nothing to count
            raise translate_client_error(f"counting job {job} of {run}", exc) from exc
        except BotoCoreError as exc:
            raise translate_client_error(f"counting job {job} of {run}", exc) from exc

    def list_runs(self) -> list[RepublishRun]:
        paginator = self._client.get_paginator("query")
        runs = []
        try:
            for page in paginator.paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": _s(RUN_PK)},
                ConsistentRead=True,
            ):
                for item in page.get("Items", []):
                    if "doc" not in item:
                        continue
                    runs.append(
                        RepublishRun.from_dict(
                            json.loads(item["doc"]["S"]),
                            frozenset(item.get("done", {}).get("SS", [])),
                            frozenset(item.get("failed", {}).get("SS", [])),
                        )
                    )
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error("reading republish progress", exc) from exc
        return runs

    def get_stamp(self) -> str | None:
        try:
            item = self._client.get_item(
                TableName=self.table, Key=STAMP_KEY, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate_client_error("reading the version stamp", exc) from exc
        return None if item is None or "v" not in item else str(item["v"]["S"])

    def swap_stamp(self, value: str, *, expected: str | None) -> bool:
        # Conditional: of several containers starting on a new deploy at once, exactly
        # one sees the stamp change (and plans the one republish).
        if expected is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(v)"}
        else:
            condition = {
                "ConditionExpression": "v = :old",
                "ExpressionAttributeValues": {":v": _s(value), ":old": _s(expected)},
            }
        try:
            self._client.update_item(
                TableName=self.table,
                Key=STAMP_KEY,
                UpdateExpression="SET v = :v",
                **{"ExpressionAttributeValues": {":v": _s(value)}, **condition},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise translate_client_error("writing the version stamp", exc) from exc
        except BotoCoreError as exc:
            raise translate_client_error("writing the version stamp", exc) from exc
        return True

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
