"""Count what a pipeline run asks of its storage and catalog: local proxies and boto3 hooks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any


class Calls:
    """Counts by name ("site.put", "s3:PutObject:polypub-site", ...) plus items read."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.bytes_written: Counter[str] = Counter()

    def reset(self) -> None:
        self.calls.clear()
        self.items.clear()
        self.bytes_written.clear()

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(sorted(self.calls.items())),
            "items_read": dict(sorted(self.items.items())),
            "bytes_written": dict(sorted(self.bytes_written.items())),
        }


class CountingProxy:
    """Wraps a port implementation; counts each method call, and what list methods yield."""

    def __init__(self, inner: Any, role: str, calls: Calls) -> None:
        self._inner = inner
        self._role = role
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr
        label = f"{self._role}.{name}"
        calls = self._calls

        def counted(*args: Any, **kwargs: Any) -> Any:
            calls.calls[label] += 1
            if name == "put" and len(args) >= 2 and isinstance(args[1], bytes | bytearray):
                calls.bytes_written[self._role] += len(args[1])
            result = attr(*args, **kwargs)
            if name.startswith("list_"):
                if isinstance(result, list | set | tuple | dict):
                    calls.items[label] += len(result)
                    return result
                return _counting_iter(result, label, calls)
            if name == "get_many" and isinstance(result, dict):
                calls.items[label] += len(result)
            return result

        return counted


def _counting_iter(items: Iterator[Any], label: str, calls: Calls) -> Iterator[Any]:
    for item in items:
        calls.items[label] += 1
        yield item


# S3 and DynamoDB operations as the issue counts them.
S3_WRITES = ("PutObject", "DeleteObject", "CopyObject")
DDB_READS = ("GetItem", "Query", "Scan", "BatchGetItem")
DDB_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")


def attach_boto_hooks(events: Any, calls: Calls) -> None:
    """Register on a boto3/botocore session's event system, before clients are made.

    Every API call counts as "<service>:<Operation>[:<bucket>]"; S3 listings and
    DynamoDB queries also count the items their responses carry.
    """

    # before-parameter-build fires once per API call with the caller's parameters
    # (before-call sees the serialized request instead, without "Bucket").
    def before(event_name: str, params: dict[str, Any], **_: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        bucket = params.get("Bucket")
        label = f"{service}:{operation}" + (f":{bucket}" if bucket else "")
        calls.calls[label] += 1
        body = params.get("Body")
        if operation == "PutObject" and isinstance(body, bytes | bytearray):
            calls.bytes_written[f"s3:{bucket}"] += len(body)

    def after(event_name: str, parsed: dict[str, Any], **kwargs: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        if service == "s3" and operation == "ListObjectsV2":
            calls.items["s3:ListObjectsV2"] += int(parsed.get("KeyCount", 0) or 0)
        elif service == "dynamodb" and operation in ("Query", "Scan"):
            calls.items[f"dynamodb:{operation}"] += int(parsed.get("Count", 0) or 0)
        elif service == "dynamodb" and operation == "BatchGetItem":
            found = sum(len(v) for v in (parsed.get("Responses") or {}).values())
            calls.items["dynamodb:BatchGetItem"] += found
        elif service == "dynamodb" and operation == "GetItem" and parsed.get("Item"):
            calls.items["dynamodb:GetItem"] += 1

    events.register("before-parameter-build", before)
    events.register("after-call", after)


def summarize_boto(calls: Calls, *, site_bucket: str, source_bucket: str) -> dict[str, int]:
    """The headline figures: objects written, S3 reads and listings, catalog reads and writes."""
    c = calls.calls

    def total(prefixes: tuple[str, ...], suffix: str = "") -> int:
        return sum(
            n for label, n in c.items() if label.startswith(prefixes) and label.endswith(suffix)
        )

    return {
        "site_objects_written": total(("s3:PutObject",), f":{site_bucket}")
        + total(("s3:DeleteObject",), f":{site_bucket}"),
        "source_objects_written": total(("s3:PutObject", "s3:DeleteObject"), f":{source_bucket}"),
        "s3_gets_heads": total(("s3:GetObject", "s3:HeadObject")),
        "s3_list_pages": total(("s3:ListObjectsV2",)),
        "s3_keys_listed": calls.items.get("s3:ListObjectsV2", 0),
        "catalog_reads": total(tuple(f"dynamodb:{op}" for op in DDB_READS)),
        "catalog_items_read": sum(
            n for label, n in calls.items.items() if label.startswith("dynamodb:")
        ),
        "catalog_writes": total(tuple(f"dynamodb:{op}" for op in DDB_WRITES)),
        "sqs_calls": total(("sqs:",)),
        "cdn_invalidations": total(("cloudfront:CreateInvalidation",)),
        "api_calls": sum(c.values()),
    }


def summarize_local(calls: Calls) -> dict[str, int]:
    """The same headline figures for the local adapters (folders and JSON files)."""
    c = calls.calls

    def count(*labels: str) -> int:
        return sum(c.get(label, 0) for label in labels)

    return {
        "site_objects_written": count("site.put", "site.delete"),
        "source_objects_written": count("source.put", "source.delete"),
        "storage_gets_heads": count("source.get", "source.head", "site.get", "site.head"),
        "storage_listings": sum(
            n for k, n in c.items() if k.endswith((".list_objects", ".list_keys"))
        ),
        "storage_keys_listed": sum(
            n for k, n in calls.items.items() if k.endswith((".list_objects", ".list_keys"))
        ),
        "catalog_reads": sum(
            n
            for k, n in c.items()
            if k.startswith("catalog.")
            and k.split(".")[1].startswith(("get_", "list_", "pending", "newest"))
        ),
        "catalog_items_read": sum(
            n for k, n in calls.items.items() if k.startswith("catalog.list_")
        ),
        "catalog_writes": sum(
            n
            for k, n in c.items()
            if k.startswith("catalog.")
            and k.split(".")[1].startswith(("put_", "delete_", "add_", "remove_", "claim_"))
        ),
        "memory_reads": count("memory.get_many"),
    }


Hook = Callable[..., None]
