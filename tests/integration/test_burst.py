"""End of project week: hundreds of uploads and deletes at once, two pollers, nothing lost."""

from __future__ import annotations

import re
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from polypub.handlers import runtime
from polypub.local.dev import DevSession
from sitemaps import read_sitemaps
from support.pipeline import Services
from support.stack import StackFactory
from support.translators import echo

ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}
PROJECTS = 7
FEED_SIZE = 20

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs node (the preview server's edge function)"
)


@pytest.fixture
def session(dev_stack: StackFactory, tmp_path: Path) -> Iterator[DevSession]:
    # Two pollers at once, like two Lambda containers; each burst on empty resources.
    with dev_stack(tmp_path, retry_after=0, workers=2) as stack:
        # Translation is not what a burst tests; an instant translator keeps it about
        # events, queues and listings.
        runtime.install(replace(runtime.services(), translator=echo()))
        yield stack


def burst_post(i: int) -> bytes:
    lang = "es" if i % 2 else "en"
    day = f"2024-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
    return (
        f"---\ntitle: Burst post {i}\nlang: {lang}\ndate: {day}\n"
        f"project: project-{i % PROJECTS}\n---\nText of burst post number {i}.\n"
    ).encode()


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="(/(?:en|es)/posts/[^"/]+/)"', html)


@pytest.mark.parametrize(
    ("uploads", "deletes"),
    [
        pytest.param(45, 15, id="45-uploads-15-deletes"),
        pytest.param(
            300,
            100,
            id="300-uploads-100-deletes",
            marks=[pytest.mark.slow, pytest.mark.timeout(1200)],
        ),
    ],
)
def test_a_burst_of_uploads_and_deletes_ends_with_exactly_the_expected_site(
    session: DevSession, uploads: int, deletes: int, record_property: pytest.RecordProperty
) -> None:
    assert session.aws is not None
    aws = session.aws
    s3 = aws.client("s3")
    services: Services = runtime.services()

    started = time.perf_counter()
    for i in range(uploads):
        s3.put_object(Bucket=aws.source_bucket, Key=f"posts/burst-{i:03d}.md", Body=burst_post(i))
    # Deleted while their uploads are still queued: PUT and DELETE events race.
    deleted = set(range(0, uploads, uploads // deletes))
    assert len(deleted) == deletes
    for i in deleted:
        s3.delete_object(Bucket=aws.source_bucket, Key=f"posts/burst-{i:03d}.md")
    result = session.drain()
    seconds = time.perf_counter() - started
    record_property("burst_seconds", round(seconds, 1))
    print(
        f"\nburst: {uploads} uploads + {deletes} deletes -> {result.received} messages "
        f"({result.failed} retried) in {seconds:.1f} s with 2 pollers"
    )

    alive = {f"burst-{i:03d}" for i in range(uploads) if i not in deleted}
    gone = {f"burst-{i:03d}" for i in deleted}
    langs = ("en", "es")

    # Catalog and statuses: exactly the surviving posts, nothing failed, nothing parked.
    assert {e.slug for e in services.catalog.list_posts() if e.slug.startswith("burst-")} == alive
    statuses = [s for s in services.catalog.list_statuses() if "burst-" in s.key]
    assert not [s for s in statuses if s.state == "failed"]
    assert services.catalog.pending_paths() == set()
    sqs = aws.client("sqs")
    for url in (aws.render_dlq_url, aws.translate_dlq_url, aws.render_queue_url):
        depth = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        assert depth == "0", url

    # Post pages: both languages of every survivor, nothing of the deleted ones.
    site = services.site
    keys = set(site.list_keys())
    expected_pages = {f"{lang}/posts/{slug}/index.html" for slug in alive for lang in langs}
    assert {k for k in keys if "/posts/burst-" in k} == expected_pages
    assert not any(f"/posts/{slug}/" in k for k in keys for slug in gone)

    for lang in langs:
        # Homes: every survivor exactly once over the monthly archives (newest month
        # first), and the front page shows the newest of them; no emptied month is left.
        months = sorted((k for k in keys if k.startswith(f"{lang}/archive/")), reverse=True)
        archived = [h for key in months for h in hrefs((site.get(key) or b"").decode())]
        assert sorted(archived) == sorted(f"/{lang}/posts/{slug}/" for slug in alive)
        front = hrefs((site.get(f"{lang}/index.html") or b"").decode())
        assert front == archived[: services.site_config.page_size]
        # Project pages: each survivor on its own project's page only.
        for project in range(PROJECTS):
            prefix = f"{lang}/projects/project-{project}/"
            pages = [k for k in keys if k.startswith(prefix)]
            linked = {h for k in pages for h in hrefs((site.get(k) or b"").decode())}
            assert linked == {
                f"/{lang}/posts/{slug}/" for slug in alive if int(slug[6:]) % PROJECTS == project
            }
        # Feeds: the newest survivors.
        feed = ET.fromstring(site.get(f"{lang}/feed.xml") or b"")
        entries = feed.findall("atom:entry", ATOM_NS)
        assert len(entries) == min(FEED_SIZE, len(alive))

    # Sitemap: exactly the survivors' pages, over the index's monthly sitemaps.
    locs = read_sitemaps(site.get, services.site_config.base_url).locs
    posts = {loc.split("/", 3)[3] for loc in locs if "/posts/burst-" in loc}
    assert posts == {f"{lang}/posts/{slug}/" for slug in alive for lang in langs}
