"""Decoding S3 notifications: URL-encoded keys, test events, sequencer order, bad bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from polypub.handlers.s3events import MalformedEventError, keys_from_body

EVENTS = Path(__file__).resolve().parents[1] / "events"


def body(name: str) -> str:
    return (EVENTS / name).read_text(encoding="utf-8")


def test_a_put_names_its_key() -> None:
    assert keys_from_body(body("s3-put-post.json"), "polypub-source") == [
        "posts/erasmus-etwinning-experience.md"
    ]


def test_keys_are_url_decoded_as_s3_encodes_them() -> None:
    assert keys_from_body(body("s3-put-encoded-key.json"), "polypub-source") == [
        "posts/día de Europa + más.md"
    ]


def test_the_test_event_names_no_key() -> None:
    assert keys_from_body(body("s3-test-event.json"), "polypub-source") == []


def test_records_for_one_key_collapse_in_sequencer_order() -> None:
    assert keys_from_body(body("s3-out-of-order.json"), "polypub-source") == ["posts/a.md"]


def test_records_of_other_buckets_are_ignored() -> None:
    assert keys_from_body(body("s3-put-post.json"), "another-bucket") == []


def test_records_without_a_sequencer_are_accepted() -> None:
    payload = json.loads(body("s3-put-post.json"))
    del payload["Records"][0]["s3"]["object"]["sequencer"]
    assert keys_from_body(json.dumps(payload), "polypub-source") == [
        "posts/erasmus-etwinning-experience.md"
    ]


@pytest.mark.parametrize("text", ["{not json", "[]", '{"Something": "else"}'])
def test_malformed_bodies_raise_a_named_error(text: str) -> None:
    with pytest.raises(MalformedEventError):
        keys_from_body(text, "polypub-source")
