"""Upload -> publish -> overwrite -> delete through embedded AWS, real handlers and real queues."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from polypub.content.keys import report_key
from polypub.handlers import render
from polypub.local.dev import DevSession
from polypub.local.pump import LocalContext
from sitemaps import read_sitemaps
from support.posts import post_builder
from support.stack import aws_of, delete, fetch, invalidated_paths, upload

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "events"

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or shutil.which("node") is None,
    reason="needs apertium (apertium-eng-spa) and node: run scripts/install-system-deps",
)


post = post_builder(author="Test Teacher", date="2024-05-22T21:12:00.000Z")


@pytest.fixture
def s3(stack: DevSession) -> Any:
    return aws_of(stack).client("s3")


def sitemap_locs(stack: DevSession) -> set[str]:
    """Every URL in the sitemap index's sitemaps, as a crawler fetches them."""
    assert stack.preview is not None

    def read(key: str) -> bytes | None:
        status, text = fetch(stack, "/" + key)
        return text.encode("utf-8") if status == 200 else None

    return read_sitemaps(read, stack.preview.url).locs


def test_upload_publishes_both_languages_linked_from_homes_and_sitemap(
    stack: DevSession, s3: Any
) -> None:
    example = (ROOT / "content" / "posts" / "erasmus-etwinning-experience.md").read_bytes()
    upload(stack, "posts/erasmus-etwinning-experience.md", example)

    status_en, english = fetch(stack, "/en/posts/erasmus-etwinning-experience/")
    status_es, spanish = fetch(stack, "/es/posts/erasmus-etwinning-experience/")
    assert (status_en, status_es) == (200, 200)
    assert '<html lang="en"' in english
    assert '<html lang="es"' in spanish
    assert "Hello everyone!" in english
    assert "Hola" in spanish
    assert "Hello everyone!" not in spanish
    # Each version links to the other.
    assert 'href="/es/posts/erasmus-etwinning-experience/"' in english
    assert 'href="/en/posts/erasmus-etwinning-experience/"' in spanish
    assert 'hreflang="es"' in english
    assert 'hreflang="en"' in spanish
    for lang in ("en", "es"):
        status, home = fetch(stack, f"/{lang}/")
        assert status == 200
        assert f'href="/{lang}/posts/erasmus-etwinning-experience/"' in home
    locs = sitemap_locs(stack)
    assert any(loc.endswith("/en/posts/erasmus-etwinning-experience/") for loc in locs)
    assert any(loc.endswith("/es/posts/erasmus-etwinning-experience/") for loc in locs)


def test_overwrite_republishes_both_languages_and_invalidates_exactly_those_paths(
    stack: DevSession, s3: Any
) -> None:
    upload(stack, "posts/garden.md", post("Our garden", "The students planted trees.", lang="en"))
    upload(stack, "posts/other.md", post("Another post", "Nothing changes here.", lang="en"))
    before = len(invalidated_paths(stack))
    _, other_before = fetch(stack, "/es/posts/other/")

    upload(
        stack,
        "posts/garden.md",
        post("Our garden", "The students painted the school.", lang="en"),
    )

    _, english = fetch(stack, "/en/posts/garden/")
    _, spanish = fetch(stack, "/es/posts/garden/")
    assert "painted" in english
    assert "planted" not in english
    assert "escuela" in spanish.lower()
    new = invalidated_paths(stack)[before:]
    changed = set().union(*new)
    assert "/en/posts/garden/index.html" in changed
    assert "/es/posts/garden/index.html" in changed
    assert not any("/posts/other/" in path for path in changed)
    assert fetch(stack, "/es/posts/other/")[1] == other_before


def test_delete_unpublishes_everywhere(stack: DevSession, s3: Any) -> None:
    upload(stack, "posts/farewell.md", post("Farewell", "We say goodbye.", lang="en"))
    assert fetch(stack, "/es/posts/farewell/")[0] == 200

    delete(stack, "posts/farewell.md")

    assert fetch(stack, "/en/posts/farewell/")[0] == 404
    assert fetch(stack, "/es/posts/farewell/")[0] == 404
    for lang in ("en", "es"):
        assert "/posts/farewell/" not in fetch(stack, f"/{lang}/")[1]
    assert not any("/posts/farewell/" in loc for loc in sitemap_locs(stack))


def test_keys_with_spaces_plus_and_enye_reach_the_right_object(stack: DevSession, s3: Any) -> None:
    upload(
        stack,
        "posts/día de Europa + más.md",
        post("Día de Europa", "Celebramos Europa.", lang="es"),
    )
    status, page = fetch(stack, "/es/posts/dia-de-europa-mas/")
    assert status == 200
    assert "Celebramos Europa" in page
    assert fetch(stack, "/en/posts/dia-de-europa-mas/")[0] == 200


def test_broken_upload_is_reported_and_the_published_version_stays(
    stack: DevSession, s3: Any
) -> None:
    assert stack.aws is not None
    upload(stack, "posts/trip.md", post("School trip", "We visited Rome.", lang="en"))
    _, published = fetch(stack, "/en/posts/trip/")

    upload(stack, "posts/trip.md", b"---\ntitle: [unclosed\n---\nBroken.\n")

    report = s3.get_object(Bucket=stack.aws.source_bucket, Key=report_key("posts/trip.md"))
    text = report["Body"].read().decode()
    assert "invalid-yaml" in text
    assert "stays online" in text
    assert fetch(stack, "/en/posts/trip/") == (200, published)
    statuses = {s.key: s for s in _catalog(stack).list_statuses()}
    assert statuses["posts/trip.md"].state == "failed"
    assert statuses["posts/trip.md"].error_code == "invalid-yaml"

    # Not UTF-8, and no title: the same guarantees, each with its own named error.
    upload(stack, "posts/trip.md", "---\ntitle: Viaje\n---\nAño\n".encode("cp1252"))
    assert _catalog(stack).get_status("posts/trip.md").error_code == "not-utf8"  # type: ignore[union-attr]
    upload(stack, "posts/trip.md", b"---\nauthor: Someone\n---\nNo title.\n")
    assert _catalog(stack).get_status("posts/trip.md").error_code == "missing-title"  # type: ignore[union-attr]
    assert fetch(stack, "/en/posts/trip/") == (200, published)

    # The fixed file publishes again and the report disappears.
    upload(stack, "posts/trip.md", post("School trip", "We visited Florence.", lang="en"))
    assert "Florence" in fetch(stack, "/en/posts/trip/")[1]
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=stack.aws.source_bucket, Key=report_key("posts/trip.md"))


def _catalog(stack: DevSession) -> Any:
    from polypub.handlers import runtime

    return runtime.services().catalog


def _sqs_event(stack: DevSession, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    assert stack.aws is not None
    event = json.loads((EVENTS / "sqs-render-put.json").read_text())
    template = event["Records"][0]
    records = []
    for index, body in enumerate(bodies):
        for record in body.get("Records", []):
            record["s3"]["bucket"]["name"] = stack.aws.source_bucket
        records.append({**template, "messageId": f"msg-{index}", "body": json.dumps(body)})
    return {"Records": records}


def _s3_body(key: str, name: str = "ObjectCreated:Put") -> dict[str, Any]:
    body = json.loads((EVENTS / "s3-put-post.json").read_text())
    body["Records"][0]["s3"]["object"]["key"] = key
    body["Records"][0]["eventName"] = name
    return body


def test_the_same_event_twice_publishes_once(stack: DevSession, s3: Any) -> None:
    assert stack.aws is not None
    s3.put_object(
        Bucket=stack.aws.source_bucket,
        Key="posts/twice.md",
        Body=post("Twice", "Delivered two times.", lang="en"),
    )
    stack.drain()
    writes_before = len(invalidated_paths(stack))
    site_before = {
        o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=stack.aws.site_bucket)["Contents"]
    }

    event = _sqs_event(stack, [_s3_body("posts/twice.md"), _s3_body("posts/twice.md")])
    response = render.handler(event, LocalContext(function_name="RenderFunction"))
    stack.drain()

    assert response == {"batchItemFailures": []}
    assert len(invalidated_paths(stack)) == writes_before  # nothing changed, nothing invalidated
    site_after = {
        o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=stack.aws.site_bucket)["Contents"]
    }
    assert site_after == site_before


def test_a_poison_record_fails_alone(stack: DevSession, s3: Any) -> None:
    assert stack.aws is not None
    s3.put_object(
        Bucket=stack.aws.source_bucket,
        Key="posts/neighbour.md",
        Body=post("Neighbour", "I am fine.", lang="en"),
    )
    stack.drain()
    test_event = json.loads((EVENTS / "s3-test-event.json").read_text())
    event = _sqs_event(stack, [_s3_body("posts/neighbour.md"), test_event])
    event["Records"].insert(1, {**event["Records"][0], "messageId": "poison", "body": "{not json"})

    response = render.handler(event, LocalContext(function_name="RenderFunction"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert fetch(stack, "/en/posts/neighbour/")[0] == 200


def test_a_post_named_in_upper_case_gets_a_report_not_silence(stack: DevSession, s3: Any) -> None:
    upload(stack, "posts/Viaje.MD", post("Viaje", "Un viaje.", lang="es"))
    report = s3.get_object(Bucket=aws_of(stack).source_bucket, Key="posts/Viaje.MD.error.txt")
    text = report["Body"].read().decode("utf-8")
    assert "post-extension-case" in text
    assert fetch(stack, "/es/posts/viaje/")[0] == 404
