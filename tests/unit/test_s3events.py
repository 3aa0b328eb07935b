"""Decoding S3 notifications: URL-encoded keys, test events, sequencers, bad bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from polypub.handlers.s3events import (
    SEQUENCER_WIDTH,
    MalformedEventError,
    SourceEvent,
    keys_from_body,
    normalise_sequencer,
)

EVENTS = Path(__file__).resolve().parents[1] / "events"


def body(name: str) -> str:
    return (EVENTS / name).read_text(encoding="utf-8")


def padded(sequencer: str) -> str:
    return sequencer.rjust(SEQUENCER_WIDTH, "0")


def test_a_put_names_its_key_and_sequencer() -> None:
    assert keys_from_body(body("s3-put-post.json"), "polypub-source") == [
        SourceEvent("posts/erasmus-etwinning-experience.md", padded("0055AED6DCD90281E5"))
    ]


def test_keys_are_url_decoded_as_s3_encodes_them() -> None:
    (event,) = keys_from_body(body("s3-put-encoded-key.json"), "polypub-source")
    assert event.key == "posts/día de Europa + más.md"


def test_the_test_event_names_no_key() -> None:
    assert keys_from_body(body("s3-test-event.json"), "polypub-source") == []


def test_records_for_one_key_collapse_to_the_newest_sequencer() -> None:
    # The file lists the DELETE (…F0) before the older PUT (…E0).
    assert keys_from_body(body("s3-out-of-order.json"), "polypub-source") == [
        SourceEvent("posts/a.md", padded("0055AED6DCD90281F0"))
    ]


def test_records_of_other_buckets_are_ignored() -> None:
    assert keys_from_body(body("s3-put-post.json"), "another-bucket") == []


def test_records_without_a_sequencer_are_accepted() -> None:
    payload = json.loads(body("s3-put-post.json"))
    del payload["Records"][0]["s3"]["object"]["sequencer"]
    assert keys_from_body(json.dumps(payload), "polypub-source") == [
        SourceEvent("posts/erasmus-etwinning-experience.md", None)
    ]


def test_a_known_sequencer_wins_over_a_missing_one() -> None:
    payload = json.loads(body("s3-out-of-order.json"))
    del payload["Records"][0]["s3"]["object"]["sequencer"]
    assert keys_from_body(json.dumps(payload), "polypub-source") == [
        SourceEvent("posts/a.md", padded("0055AED6DCD90281E0"))
    ]


def test_several_keys_keep_the_message_order() -> None:
    payload = json.loads(body("s3-put-post.json"))
    second = json.loads(json.dumps(payload["Records"][0]))
    second["s3"]["object"]["key"] = "posts/b.md"
    second["s3"]["object"]["sequencer"] = "01"
    payload["Records"].append(second)
    assert [e.key for e in keys_from_body(json.dumps(payload), "polypub-source")] == [
        "posts/erasmus-etwinning-experience.md",
        "posts/b.md",
    ]


@pytest.mark.parametrize(
    ("shorter", "longer"),
    [
        ("FF", "0100"),  # AWS: left-pad the shorter one, then compare as text
        ("0055AED6DCD90281E0", "0055AED6DCD90281F0"),
        ("9", "0A"),
        ("0055aed6dcd90281e0", "0055AED6DCD90281E1"),  # case does not matter
        ("0055AED6DCD90281E0", "0055AED6DCD90281E000"),
    ],
)
def test_sequencers_compare_after_left_padding(shorter: str, longer: str) -> None:
    a, b = normalise_sequencer(shorter), normalise_sequencer(longer)
    assert a is not None
    assert b is not None
    assert a < b
    assert len(a) == len(b) == SEQUENCER_WIDTH


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_sequencers_normalise_to_none(value: str | None) -> None:
    assert normalise_sequencer(value) is None


@pytest.mark.parametrize("value", ["XYZ", "12 34", "1" * (SEQUENCER_WIDTH + 1)])
def test_invalid_sequencers_are_refused(value: str) -> None:
    with pytest.raises(MalformedEventError):
        normalise_sequencer(value)


@pytest.mark.parametrize(
    "text", ["{not json", "[]", '{"Something": "else"}', '{"Records": [{"s3": {}}]}']
)
def test_malformed_bodies_raise_a_named_error(text: str) -> None:
    with pytest.raises(MalformedEventError):
        keys_from_body(text, "polypub-source")
