"""Decode an SQS record carrying an S3 notification into the source keys it names, in order."""

from __future__ import annotations

import json
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

# S3 sequencers are hex strings of varying length (about 18 characters today). AWS says
# to left-pad the shorter of two with zeros and compare them as text; padding every one
# to a fixed width lets the catalog compare stored values the same way (a plain string
# comparison in a DynamoDB condition).
SEQUENCER_WIDTH = 64


class MalformedEventError(ValueError):
    """The message body is not an S3 notification we understand."""


class SourceEvent(NamedTuple):
    """One source key to act on, with the newest S3 sequencer seen for it (None: unknown)."""

    key: str
    sequencer: str | None = None


def normalise_sequencer(value: object) -> str | None:
    """A sequencer padded for text comparison, or None when there is none (moto, replays)."""
    text = str(value or "").strip().upper()
    if not text:
        return None
    if len(text) > SEQUENCER_WIDTH or any(ch not in "0123456789ABCDEF" for ch in text):
        raise MalformedEventError(f"not an S3 sequencer: {text[:80]!r}")
    return text.rjust(SEQUENCER_WIDTH, "0")


def keys_from_body(body: str, bucket: str) -> list[SourceEvent]:
    """The records for `bucket` as (key, sequencer), URL-decoded, one per key.

    An `s3:TestEvent` (sent when notifications are configured) yields nothing. Several
    records for one key collapse into one carrying the newest sequencer: the handler reads
    the bucket's current state, so acting once is enough whatever the events claimed, and
    the newest sequencer is the one the catalog must remember.
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
    newest: dict[str, str | None] = {}
    for record in payload["Records"]:
        try:
            found, s3_object = record["s3"]["bucket"]["name"], record["s3"]["object"]
            key = unquote_plus(s3_object["key"])
        except (KeyError, TypeError) as exc:
            raise MalformedEventError(f"not an S3 event record: {exc!r}") from exc
        if found != bucket:
            continue
        # Real S3 always sends a sequencer; moto and hand-made replays do not.
        sequencer = normalise_sequencer(s3_object.get("sequencer"))
        seen = newest.get(key)
        if key not in newest or (sequencer is not None and (seen is None or sequencer > seen)):
            newest[key] = sequencer
    # Sequencers of different keys are not comparable: keys keep the message's order.
    return [SourceEvent(key, sequencer) for key, sequencer in newest.items()]
