"""Nothing lost, nothing doubled: event order, duplicates and injected AWS and translator faults."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from faults import (
    cloudfront_error,
    dynamodb_error,
    failing,
    key_is,
    s3_error,
)

from bad_inputs import BAD_POSTS
from html_safety import active_content
from polypub import cli
from polypub.adapters.cloudfront import CloudFrontCdn
from polypub.adapters.dynamodb import DynamoCatalog, DynamoMemory
from polypub.adapters.localfs import RecordingNotifier
from polypub.adapters.s3 import S3Storage
from polypub.adapters.sqs import SqsJobQueue
from polypub.handlers import render, runtime
from polypub.handlers.s3events import normalise_sequencer
from polypub.local.dev import DevSession
from polypub.local.pump import LocalContext
from polypub.model import PostEntry
from polypub.ports import ObjectInfo
from sitemaps import read_sitemaps
from support.pipeline import Services, finish, process_source_key
from support.posts import post_builder
from support.stack import StackFactory, invalidated_paths
from support.translators import FakeTranslator, echo, flaky, hostile

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "events"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs node (the preview server's edge function)"
)


post = post_builder(date="2024-05-22", lang="en")


@dataclass
class Rig:
    """The running stack and the handlers' own clients, where faults are injected."""

    session: DevSession
    services: Services
    s3: Any
    dynamodb: Any
    cloudfront: Any
    sqs: Any
    notifier: RecordingNotifier

    @property
    def aws(self) -> Any:
        assert self.session.aws is not None
        return self.session.aws

    def install(self, **changes: Any) -> Services:
        services = replace(self.services, **changes)
        runtime.install(services)
        return services

    def upload(self, key: str, data: bytes) -> None:
        self.aws.client("s3").put_object(Bucket=self.aws.source_bucket, Key=key, Body=data)

    def remove(self, key: str) -> None:
        self.aws.client("s3").delete_object(Bucket=self.aws.source_bucket, Key=key)

    def drain(self) -> Any:
        return self.session.drain()

    def page(self, lang: str, slug: str) -> str | None:
        data = self.services.site.get(f"{lang}/posts/{slug}/index.html")
        return None if data is None else data.decode()

    def entry(self, slug: str) -> PostEntry | None:
        return self.services.catalog.get_post(slug)

    def listed(self, lang: str, slug: str) -> bool:
        """Whether the home (its front page or a monthly archive) or the sitemap links the post."""
        path = f"/{lang}/posts/{slug}/"
        homes = [
            (self.services.site.get(key) or b"").decode()
            for key in self.services.site.list_keys(f"{lang}/")
            if key == f"{lang}/index.html" or key.startswith(f"{lang}/archive/")
        ]
        base = self.services.site_config.base_url
        in_sitemap = base + path in read_sitemaps(self.services.site.get, base).locs
        in_homes = any(f'href="{path}"' in home for home in homes)
        assert in_homes == in_sitemap, "homes and sitemap disagree"
        return in_homes

    def invalidations(self) -> list[set[str]]:
        return invalidated_paths(self.session)

    def versions(self, prefix: str) -> dict[str, int]:
        """How many times each site object under `prefix` was written (the bucket is versioned)."""
        counts: dict[str, int] = {}
        s3 = self.aws.client("s3")
        for page in s3.get_paginator("list_object_versions").paginate(
            Bucket=self.aws.site_bucket, Prefix=prefix
        ):
            for version in page.get("Versions", []):
                counts[version["Key"]] = counts.get(version["Key"], 0) + 1
        return counts

    def source_stamps(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """ETag and modification time of source objects (a rewrite changes the time)."""
        s3 = self.aws.client("s3")
        stamps = {}
        for key in keys:
            head = s3.head_object(Bucket=self.aws.source_bucket, Key=key)
            stamps[key] = (head["ETag"], head["LastModified"].isoformat())
        return stamps

    def discard_render_events(self) -> None:
        """Drop moto's own notifications, so a test delivers exactly the events it builds."""
        sqs = self.aws.client("sqs")
        while True:
            messages = sqs.receive_message(
                QueueUrl=self.aws.render_queue_url, MaxNumberOfMessages=10
            ).get("Messages", [])
            if not messages:
                return
            for message in messages:
                sqs.delete_message(
                    QueueUrl=self.aws.render_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )

    def deliver(self, *bodies: dict[str, Any]) -> dict[str, Any]:
        """Call the render handler with one SQS message per body, as Lambda would."""
        template = json.loads((EVENTS / "sqs-render-put.json").read_text())["Records"][0]
        event = {
            "Records": [
                {**template, "messageId": f"msg-{index}", "body": json.dumps(body)}
                for index, body in enumerate(bodies)
            ]
        }
        response: dict[str, Any] = render.handler(
            event, LocalContext(function_name="RenderFunction")
        )
        return response

    def s3_event(
        self, key: str, sequencer: str | None, name: str = "ObjectCreated:Put"
    ) -> dict[str, Any]:
        body = json.loads((EVENTS / "s3-put-post.json").read_text())
        record = body["Records"][0]
        record["eventName"] = name
        record["s3"]["bucket"]["name"] = self.aws.source_bucket
        record["s3"]["object"]["key"] = key
        if sequencer is None:
            del record["s3"]["object"]["sequencer"]
        else:
            record["s3"]["object"]["sequencer"] = sequencer
        return dict(body)

    def send_to_render_queue(self, body: dict[str, Any]) -> None:
        self.aws.client("sqs").send_message(
            QueueUrl=self.aws.render_queue_url, MessageBody=json.dumps(body)
        )


@pytest.fixture(scope="module")
def rig(dev_stack: StackFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    content = tmp_path_factory.mktemp("content")
    # retry_after=0: see retries at once instead of after the visibility timeout.
    with dev_stack(content, retry_after=0) as session:
        settings = session.settings
        assert settings is not None
        # The production client settings (wiring.aws_client), with three attempts in all
        # instead of six, so that a fault "beyond the SDK's retries" costs about a second
        # of backoff, not fifteen.
        config = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=5)

        guard = session.guard
        assert guard is not None

        def client(service: str) -> Any:
            made = boto3.client(  # type: ignore[call-overload]
                service,
                region_name=settings.region,
                endpoint_url=settings.endpoint_url,
                config=config,
            )
            # The handlers' calls through these clients are checked as `polypub dev`'s are.
            guard.attach(made)
            return made

        s3, dynamodb, cloudfront, sqs = (client(n) for n in ("s3", "dynamodb", "cloudfront", "sqs"))
        notifier = RecordingNotifier()
        services = Services(
            settings=settings,
            source=S3Storage(s3, settings.source_bucket),
            site=S3Storage(s3, settings.site_bucket),
            catalog=DynamoCatalog(dynamodb, settings.catalog_table),
            translator=echo(),
            memory=DynamoMemory(dynamodb, settings.catalog_table),
            cdn=CloudFrontCdn(cloudfront, settings.distribution_id, retry_delays=(0.01, 0.01)),
            jobs=SqsJobQueue(sqs, settings.translate_queue_url),
            notifier=notifier,
        )
        runtime.install(services)
        yield Rig(session, services, s3, dynamodb, cloudfront, sqs, notifier)


@pytest.fixture(autouse=True)
def fresh_services(rig: Rig) -> Iterator[None]:
    rig.notifier.messages.clear()
    runtime.install(rig.services)
    yield
    runtime.install(rig.services)


def seq(value: str) -> str:
    padded = normalise_sequencer(value)
    assert padded is not None
    return padded


# ------------------------------------------------------------------ per-key order


def test_a_late_older_put_never_republishes_a_deleted_post(rig: Rig) -> None:
    key = "posts/late-put.md"
    rig.upload(key, post("Late put", "First version."))
    rig.drain()
    assert rig.page("en", "late-put") is not None

    rig.remove(key)
    rig.discard_render_events()
    assert rig.deliver(rig.s3_event(key, "0A", "ObjectRemoved:Delete")) == {"batchItemFailures": []}
    assert rig.page("en", "late-put") is None
    assert rig.services.catalog.newest_event(key) == seq("0A")

    # The object is back (a newer upload whose own event is still on its way), and the
    # PUT event from before the delete arrives late: it must not act.
    rig.upload(key, post("Late put", "Second version."))
    rig.discard_render_events()
    writes = rig.versions("en/posts/late-put/")
    assert rig.deliver(rig.s3_event(key, "05")) == {"batchItemFailures": []}
    assert rig.page("en", "late-put") is None
    assert rig.versions("en/posts/late-put/") == writes
    assert rig.services.catalog.newest_event(key) == seq("0A")

    # The newer upload's event publishes it.
    rig.deliver(rig.s3_event(key, "0F"))
    assert "Second version." in (rig.page("en", "late-put") or "")
    rig.drain()


def test_a_late_delete_never_removes_a_newer_post(rig: Rig) -> None:
    key = "posts/late-delete.md"
    rig.upload(key, post("Late delete", "Still here."))
    rig.discard_render_events()
    rig.deliver(rig.s3_event(key, "0200"))
    assert rig.page("en", "late-delete") is not None

    # An older DELETE (left-padded "FF" < "0200") comes in after the newer PUT.
    rig.deliver(rig.s3_event(key, "FF", "ObjectRemoved:Delete"))
    assert rig.page("en", "late-delete") is not None
    assert rig.entry("late-delete") is not None
    assert rig.listed("en", "late-delete")
    rig.drain()


class Interleaved:
    """A Storage that runs `then` once, right after `head` or `get` of one key answers.

    This places a whole newer event's work between an older event's read of the bucket
    and its writes: the race that per-key ordering exists for.
    """

    def __init__(self, inner: S3Storage, key: str, method: str, then: Any) -> None:
        self._inner = inner
        self._key = key
        self._method = method
        self._then = then

    def _after(self, method: str, key: str) -> None:
        if method == self._method and key == self._key and self._then is not None:
            then, self._then = self._then, None
            then()

    def get(self, key: str) -> bytes | None:
        data = self._inner.get(key)
        self._after("get", key)
        return data

    def head(self, key: str) -> ObjectInfo | None:
        info = self._inner.head(key)
        self._after("head", key)
        return info

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_delete_that_read_the_bucket_before_a_newer_put_does_not_win(rig: Rig) -> None:
    key = "posts/race-delete.md"
    rig.upload(key, post("Race", "Version one."))
    rig.discard_render_events()
    process_source_key(key, rig.services, sequencer=seq("10"))
    rig.remove(key)
    rig.discard_render_events()

    def newer_put_runs_to_the_end() -> None:
        rig.upload(key, post("Race", "Version two."))
        rig.discard_render_events()
        newer = process_source_key(key, rig.services, sequencer=seq("30"))
        finish([newer], rig.services)

    # The DELETE's function sees the object gone, then the newer PUT's function runs
    # completely, then the DELETE's function writes what it decided.
    older = replace(
        rig.services,
        source=Interleaved(rig.services.source, key, "head", newer_put_runs_to_the_end),
    )
    outcome = process_source_key(key, older, sequencer=seq("20"))
    finish([outcome], rig.services)

    assert "Version two." in (rig.page("en", "race-delete") or "")
    entry = rig.entry("race-delete")
    assert entry is not None
    assert rig.listed("en", "race-delete")
    rig.drain()


def test_a_slow_older_put_never_overwrites_a_newer_one(rig: Rig) -> None:
    key = "posts/race-put.md"
    rig.upload(key, post("Race", "Old words."))
    rig.discard_render_events()

    def newer_put_runs_to_the_end() -> None:
        rig.upload(key, post("Race", "New words."))
        rig.discard_render_events()
        finish([process_source_key(key, rig.services, sequencer=seq("41"))], rig.services)

    older = replace(
        rig.services, source=Interleaved(rig.services.source, key, "get", newer_put_runs_to_the_end)
    )
    outcome = process_source_key(key, older, sequencer=seq("40"))
    finish([outcome], rig.services)

    page = rig.page("en", "race-put") or ""
    assert "New words." in page
    assert "Old words." not in page
    entry = rig.entry("race-put")
    assert entry is not None
    data = rig.services.source.get(key) or b""
    assert entry.content_hash == hashlib.sha256(data).hexdigest()
    rig.drain()


# ------------------------------------------------------------------ idempotence


def test_the_same_record_in_two_messages_gives_one_set_of_writes_and_one_invalidation(
    rig: Rig,
) -> None:
    rig.upload("posts/dup-once.md", post("Once", "Delivered once."))
    rig.upload("posts/dup-twice.md", post("Twice", "Delivered twice."))
    rig.discard_render_events()

    before = len(rig.invalidations())
    rig.send_to_render_queue(rig.s3_event("posts/dup-once.md", "50"))
    rig.drain()
    once_batches = rig.invalidations()[before:]

    before = len(rig.invalidations())
    twice = rig.s3_event("posts/dup-twice.md", "51")
    rig.send_to_render_queue(twice)
    rig.send_to_render_queue(twice)
    rig.drain()
    twice_batches = rig.invalidations()[before:]
    # ...and once more, long after: nothing at all happens.
    rig.send_to_render_queue(twice)
    rig.drain()

    once = {k.replace("dup-once", "X"): n for k, n in rig.versions("").items() if "dup-once" in k}
    doubled = {
        k.replace("dup-twice", "X"): n for k, n in rig.versions("").items() if "dup-twice" in k
    }
    assert doubled == once
    assert set(doubled) == {"en/posts/X/index.html", "es/posts/X/index.html"}
    # Each page was written, and invalidated, exactly as often as for a single delivery
    # (the English page twice: once alone, once when its switcher gained Spanish).
    assert len(twice_batches) == len(once_batches)
    for lang in ("en", "es"):
        twice_count = sum(f"/{lang}/posts/dup-twice/index.html" in b for b in twice_batches)
        once_count = sum(f"/{lang}/posts/dup-once/index.html" in b for b in once_batches)
        assert twice_count == once_count == doubled[f"{lang}/posts/X/index.html"]
    assert len(rig.invalidations()) == before + len(twice_batches)


# ------------------------------------------------------------------ injected faults


def test_s3_throttling_on_a_write_is_absorbed_by_the_sdk_retries(rig: Rig) -> None:
    with failing(
        rig.s3,
        "PutObject",
        s3_error("SlowDown", 503),
        times=2,
        when=key_is("en/posts/throttled/index.html"),
    ) as fault:
        rig.upload("posts/throttled.md", post("Throttled", "Slow down, please."))
        result = rig.drain()
    assert fault.failed == 2
    assert fault.calls >= 3
    assert result.failed == 0
    assert rig.page("en", "throttled") is not None
    assert rig.listed("en", "throttled")


def test_s3_500s_beyond_the_sdk_retries_are_retried_by_the_queue(rig: Rig) -> None:
    with failing(
        rig.s3,
        "PutObject",
        s3_error("InternalError", 500),
        times=3,
        when=key_is("en/posts/s3-down/index.html"),
    ) as fault:
        rig.upload("posts/s3-down.md", post("S3 down", "A bad minute."))
        result = rig.drain()
    assert fault.failed == 3
    assert result.failed == 1  # the first delivery failed, the second published
    assert rig.page("en", "s3-down") is not None
    assert rig.entry("s3-down") is not None
    assert rig.listed("en", "s3-down")
    assert rig.page("es", "s3-down") is not None
    assert rig.services.catalog.pending_paths() == set()


def test_dynamodb_throttling_and_500s_on_a_write_end_consistent(rig: Rig) -> None:
    throttled = dynamodb_error("ProvisionedThroughputExceededException")
    with failing(rig.dynamodb, "PutItem", throttled, times=1) as fault:
        rig.upload("posts/ddb-throttled.md", post("Throttled table", "Wait a moment."))
        result = rig.drain()
    assert fault.failed == 1
    assert result.failed == 0
    assert rig.entry("ddb-throttled") is not None

    down = dynamodb_error("InternalServerError", 500)
    with failing(rig.dynamodb, "PutItem", down, times=3) as fault:
        rig.upload("posts/ddb-down.md", post("Table down", "A bad minute."))
        result = rig.drain()
    assert fault.failed == 3
    assert result.failed >= 1
    assert rig.entry("ddb-down") is not None
    assert rig.page("es", "ddb-down") is not None
    assert rig.listed("en", "ddb-down")
    assert rig.listed("es", "ddb-down")


def test_a_translator_timeout_delays_the_translation_and_loses_nothing(rig: Rig) -> None:
    slow = flaky(failures=2)
    rig.install(translator=slow)
    rig.upload("posts/slow-translator.md", post("Slow", "The translator is slow today."))
    result = rig.drain()
    assert slow.calls == 3
    assert result.failed == 2
    assert "[es]" in (rig.page("es", "slow-translator") or "")
    status = rig.services.catalog.get_status("posts/slow-translator.md")
    assert status is not None
    assert status.state == "published"
    assert status.error_code is None


def test_killed_between_writing_the_page_and_the_catalog(rig: Rig) -> None:
    key = "posts/crash.md"
    rig.upload(key, post("Crash", "Version one."))
    rig.drain()
    seen: dict[str, Any] = {}

    class Crash(Exception):
        """Stands for the process dying: nothing after this point runs."""

    class CrashingCatalog:
        def __init__(self, inner: DynamoCatalog) -> None:
            self._inner = inner

        def put_post(self, entry: PostEntry, **kwargs: Any) -> None:
            if not seen:
                seen["page"] = rig.page("en", "crash")
                seen["entry"] = self._inner.get_post("crash")
                seen["invalidations"] = len(rig.invalidations())
                raise Crash
            self._inner.put_post(entry, **kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

    assert isinstance(rig.services.catalog, DynamoCatalog)
    rig.install(catalog=CrashingCatalog(rig.services.catalog))
    rig.upload(key, post("Crash", "Version two."))
    result = rig.drain()

    # At the crash: the new page was online, the catalog still described version one.
    assert "Version two." in seen["page"]
    assert seen["entry"].content_hash != rig.entry("crash").content_hash  # type: ignore[union-attr]
    assert result.failed == 1
    # After the redelivery: catalog, translation and listings caught up, and the page
    # the crashed attempt wrote was invalidated although nothing rewrote it.
    entry = rig.entry("crash")
    assert entry is not None
    data = rig.services.source.get(key) or b""
    assert entry.content_hash == hashlib.sha256(data).hexdigest()
    assert "Version two." in (rig.page("es", "crash") or "")
    later = rig.invalidations()[seen["invalidations"] :]
    assert any("/en/posts/crash/index.html" in batch for batch in later)
    assert rig.services.catalog.pending_paths() == set()


def test_cloudfront_too_many_invalidations_in_progress(rig: Rig) -> None:
    busy = cloudfront_error("TooManyInvalidationsInProgress")
    before = len(rig.invalidations())
    # The adapter tries three times per run (two short waits), so four refusals fail
    # the first run; the queue's retry gets the fifth attempt through.
    with failing(rig.cloudfront, "CreateInvalidation", busy, times=4) as fault:
        rig.upload("posts/cdn-busy.md", post("Busy CDN", "Invalidate me."))
        result = rig.drain()
    assert fault.failed == 4
    assert result.failed >= 1
    later = set().union(*rig.invalidations()[before:])
    assert {"/en/posts/cdn-busy/index.html", "/es/posts/cdn-busy/index.html"} <= later
    assert rig.services.catalog.pending_paths() == set()
    assert rig.listed("es", "cdn-busy")


def test_a_translator_outage_goes_to_the_dlq_and_replay_finishes_the_post(
    rig: Rig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rig.install(translator=flaky(failures=None))
    rig.upload("posts/outage.md", post("Outage", "Nobody answers."))
    rig.drain()
    # The original is online; the translation job failed five times and is parked.
    assert rig.page("en", "outage") is not None
    assert rig.page("es", "outage") is None
    status = rig.services.catalog.get_status("posts/outage.md")
    assert status is not None
    assert status.error_code == "translation-pending"
    dlq = rig.aws.translate_dlq_url
    sqs = rig.aws.client("sqs")
    depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "1"

    rig.install(translator=echo())  # the provider is back
    info = tmp_path / "dev.json"
    info.write_text(json.dumps(rig.session.info), encoding="utf-8")
    assert cli.main(["replay", "--info-file", str(info), "--queue", "translate"]) == 0
    assert "moved 1 message" in capsys.readouterr().out
    rig.drain()

    assert "[es]" in (rig.page("es", "outage") or "")
    status = rig.services.catalog.get_status("posts/outage.md")
    assert status is not None
    assert status.error_code is None
    capsys.readouterr()
    assert cli.main(["replay", "--info-file", str(info), "--json"]) == 0
    moved = json.loads(capsys.readouterr().out)
    assert [(r["queue"], r["moved"], r["left"]) for r in moved] == [
        ("render", 0, 0),
        ("translate", 0, 0),
    ]


# ------------------------------------------------------------------ bad input


FIXTURES = ROOT / "tests" / "fixtures" / "posts"


class CountingStorage:
    """Counts GETs per key (the 50 MB upload must be refused from its size alone)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.gets: dict[str, int] = {}

    def get(self, key: str) -> bytes | None:
        self.gets[key] = self.gets.get(key, 0) + 1
        data: bytes | None = self._inner.get(key)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_every_bad_upload_gets_its_named_error_and_the_good_ones_publish(
    rig: Rig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = CountingStorage(rig.services.source)
    rig.install(source=source)
    rig.upload("posts/bad/keep.md", post("Keep me", "The good version."))
    rig.upload("posts/bad/first-owner.md", post("Owner", "I had the slug first.", slug="shared"))
    rig.drain()
    published = rig.page("en", "keep")
    assert published is not None

    expected = {f"posts/bad/{name}": code for name, code in BAD_POSTS.items()}
    for name in BAD_POSTS:
        rig.upload(f"posts/bad/{name}", (FIXTURES / name).read_bytes())
    # A file from Word over a published post: the published version must stay.
    rig.upload("posts/bad/keep.md", "---\ntitle: Año\n---\nTexto de Word.\n".encode("cp1252"))
    expected["posts/bad/keep.md"] = "not-utf8"
    rig.upload("posts/bad/second-owner.md", post("Thief", "Mine now.", slug="shared"))
    expected["posts/bad/second-owner.md"] = "slug-taken"
    rig.upload("posts/bad/huge.md", b"---\ntitle: Huge\n---\n" + b"x" * (50 * 1024 * 1024))
    expected["posts/bad/huge.md"] = "post-too-large"
    rig.upload("posts/bad/brackets.md", b"---\ntitle: Brackets\n---\n" + b"[" * 100_000)
    expected["posts/bad/brackets.md"] = "markdown-too-complex"
    # Good posts between the bad ones, one with a byte-order mark.
    rig.upload("posts/bad/good-one.md", post("Good one", "Fine."))
    rig.upload("posts/bad/bom.md", (FIXTURES / "bom.md").read_bytes())
    result = rig.drain()
    assert result.failed == 0  # bad content is reported, never retried

    statuses = {s.key: s for s in rig.services.catalog.list_statuses()}
    for key, code in expected.items():
        assert statuses[key].state == "failed", key
        assert statuses[key].error_code == code, key
        report = rig.services.source.get(f"{key}.error.txt")
        assert report is not None, key
        assert f"Error: {code}" in report.decode()
    assert source.gets.get("posts/bad/huge.md", 0) == 0
    assert statuses["posts/bad/good-one.md"].state == "published"
    assert statuses["posts/bad/bom.md"].state == "published"
    assert rig.page("en", "keep") == published
    assert (
        "stays online" in (rig.services.source.get("posts/bad/keep.md.error.txt") or b"").decode()
    )
    assert "I had the slug first." in (rig.page("en", "shared") or "")

    # Each failure was e-mailed once; the same events again send and write nothing new.
    mailed = [subject for subject, _ in rig.notifier.messages]
    assert sorted(mailed) == sorted(f"Polyglot Press could not publish {k}" for k in expected)
    reports = rig.source_stamps([f"{k}.error.txt" for k in expected])
    for key in expected:
        rig.send_to_render_queue(rig.s3_event(key, None))
    rig.drain()
    assert len(rig.notifier.messages) == len(mailed)
    assert rig.source_stamps([f"{k}.error.txt" for k in expected]) == reports

    # `polypub status` shows every failure with its code.
    info = tmp_path / "dev.json"
    info.write_text(json.dumps(rig.session.info), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["status", "--info-file", str(info)]) == 1
    shown = capsys.readouterr().out
    for key, code in expected.items():
        assert any(key in line and f"[{code}]" in line for line in shown.splitlines()), key

    # Fixed files publish, and their reports disappear.
    rig.upload("posts/bad/keep.md", post("Keep me", "The fixed version."))
    rig.drain()
    assert "The fixed version." in (rig.page("en", "keep") or "")
    assert rig.services.source.head("posts/bad/keep.md.error.txt") is None


# ------------------------------------------------------------------ injection


HOSTILE_BODY = """\
<script>alert(1)</script>

Hello <img src=x onerror=alert(1)> and <svg onload=alert(1)>.

[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](&#106;avascript:alert(1))
[d](vbscript:msgbox(1)) [e](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(1)>
![f](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+) ![g](javascript:alert(1))
[h][ref] [i](/ok "t" onclick="alert(1)")

[ref]: javascript:alert(1)

<iframe src="javascript:alert(1)"></iframe>

| <script>alert(1)</script> |
|---|
| <a href="javascript:alert(1)">x</a> |

<details open ontoggle="alert(1)"><summary onclick="alert(1)">s</summary>t</details>

<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" onload="alert(1)"
srcdoc="<script>"></iframe>
<iframe src="https://evil.example/" sandbox="allow-top-navigation"></iframe>

<figure><img src="javascript:alert(1)" srcset="javascript:x 1x">
<figcaption><a href="vbscript:x">c</a></figcaption></figure>

<object data="javascript:alert(1)"></object><embed src="x"><base href="javascript:x//">
<meta http-equiv="refresh" content="0;url=javascript:alert(1)">
<form action="javascript:x"><button>b</button></form>

{{< youtube "x\" onload=\"alert(1)" >}} {{< figure src="javascript:alert(1)" caption="<script>" >}}
[caption]<img src=x onerror=alert(1)> c[/caption] {% raw %}<script>alert(1)</script>{% endraw %}
"""

HOSTILE_FRONT_MATTER = """\
---
title: "<script>alert(1)</script> Title"
description: '"><img src=x onerror=alert(1)> javascript:alert(1)'
author: "<a href=javascript:alert(1)>me</a>"
lang: en
images:
  - '/assets/x.png" onerror="alert(1)'
---
"""


def test_no_script_reaches_any_page_from_any_input(rig: Rig) -> None:
    rig.install(translator=FakeTranslator("hostile", hostile))
    rig.upload("posts/hostile.md", (HOSTILE_FRONT_MATTER + HOSTILE_BODY).encode())
    # A person's translation is Markdown like any other.
    rig.upload(
        "posts/hostile.es.md",
        ('---\ntitle: "<img src=x onerror=alert(1)>"\n---\n' + HOSTILE_BODY).encode(),
    )
    rig.upload(
        "config/glossary.yml",
        b"do_not_translate: ['<script>alert(1)</script>', Erasmus+]\n"
        b'translations:\n  - en: Hello\n    es: "<img src=x onerror=alert(1)>"\n',
    )
    rig.upload(
        "config/site.yml",
        b'name: "<script>alert(1)</script> School"\n'
        b"tagline: '<img src=x onerror=alert(1)>'\n"
        b"logo: javascript:alert(1)\n"
        b"colors:\n  primary: '#000000\" onload=\"alert(1)'\n",
    )
    # Long enough that the hostile answer is not refused as far longer than its source
    # (translate/answers.py): it must reach the page, and reach it as text.
    rig.upload(
        "posts/plain.md",
        post(
            "A plain post about our school trip",
            "Hello world: this is a plain post about Erasmus+ and our school trip.",
        ),
    )
    rig.drain()
    assert rig.page("en", "hostile") is not None
    assert rig.page("es", "hostile") is not None

    site = rig.services.site
    keys = list(site.list_keys())
    own_scripts = frozenset(
        "/" + key for key in keys if key.endswith(".js") and not key.startswith("assets/")
    )
    checked = 0
    for key in keys:
        if not key.endswith((".html", ".xml")):
            continue
        text = (site.get(key) or b"").decode()
        assert active_content(text, allowed_scripts=own_scripts) == [], key
        checked += 1
    assert checked > 10
    # The hostile answers did reach the pages, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (rig.page("es", "plain") or "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (rig.page("en", "hostile") or "")
