"""Decode an SQS record carrying an S3 notification into the source keys it names, in order."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event


class MalformedEventError(ValueError):
    """The message body is not an S3 notification we understand."""


def keys_from_body(body: str, bucket: str) -> list[str]:
    """Keys of the records for `bucket`, URL-decoded, ordered by S3's per-key sequencer.

    An `s3:TestEvent` (sent when notifications are configured) yields no key. Several
    records for one key collapse into one: the handler reads the bucket's current state,
    so acting once is enough whatever the events claimed.
    """
    try:
        payload: dict[str, Any] = json.loads(body)
    except json.JSONDecodeError as exc:
        raise MalformedEventError(f"message body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise MalformedEventError("message body is not a JSON object")
    if payload.get("Event") == "s3:TestEvent":
        return []
    if "Records" not in payload:
        raise MalformedEventError("message body has no S3 'Records'")
    event = S3Event(payload)
    ordered: list[tuple[str, str]] = []
    for record in event.records:
        if record.s3.bucket.name != bucket:
            continue
        key = unquote_plus(record.s3.get_object.key)
        # Real S3 always sends a sequencer; moto and some replays do not.
        sequencer = str(record.s3.get_object.get("sequencer") or "")
        ordered.append((sequencer.rjust(32, "0"), key))
    ordered.sort()
    return list(dict.fromkeys(key for _, key in ordered))
