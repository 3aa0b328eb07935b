"""Item 2: republish one edited post on a pre-filled site, through the Lambdas' code path.

Publishing 10,000 posts through the pipeline first would take longer than the suite may,
so the site is pre-filled directly, as the pipeline would have left it:

- the post that gets edited (the newest one) is published for real, through the
  pipeline in a scratch folder, giving its true catalog entry, status and both pages;
- every other post gets a catalog entry and status built with polypub.model (the same
  fields the pipeline writes; the machine version's title is the original's), and two
  post pages whose bytes are the real post's pages with the slug replaced (same size);
- the listings (homes, project and author pages, feeds, sitemap, 404s, static files) are
  exactly what polypub.site.pages.build_listings makes from those entries, so a refresh
  rewrites only what the edit really changes;
- the translation memory holds the scratch run's entries, so only the edited paragraph
  is sent to the translator (Apertium: its CPU is a child process's, reported apart).

Then the post is edited (one paragraph gets a sentence longer) and timed through
pipeline.apply_source_change (the render Lambda's work) and pipeline.apply_translation
(the translate Lambda's), once over folders and JSON files (polypub build's adapters)
and once over S3, DynamoDB, SQS and CloudFront in moto (in-process mock_aws), where the
objects and catalog items are pre-filled through moto's backends (a boto3 call per
object would take minutes at 10,000 posts) and every API call is counted with botocore
event hooks.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.counting import Calls, CountingProxy, attach_boto_hooks, summarize_boto, summarize_local
from bench.generate import GeneratedPost, edit_one_paragraph
from polypub.adapters.dynamodb import DynamoCatalog
from polypub.adapters.localfs import JsonCatalog, JsonMemory
from polypub.model import PostEntry, SourceStatus, TranslationJob, VersionInfo
from polypub.pipeline import (
    Services,
    apply_source_change,
    apply_translation,
    process_source_key,
    process_translation,
)
from polypub.ports import Flushable, Translator
from polypub.settings import Settings
from polypub.site import urls
from polypub.site.pages import build_listings
from polypub.wiring import local_services


@dataclass
class Prefill:
    """A site as the pipeline leaves it after publishing `posts` (see the module docstring)."""

    posts: list[GeneratedPost]
    target: GeneratedPost
    entries: list[PostEntry]
    statuses: list[SourceStatus]
    pages: dict[str, bytes]  # post pages by site key
    listings: dict[str, bytes]
    assets: dict[str, bytes]  # source keys -> bytes (also copied to the site)
    config: dict[str, bytes]  # config/ source keys -> bytes
    memory: dict[str, str]
    seconds: float = 0.0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _date(post: GeneratedPost) -> datetime:
    return datetime.strptime(post.date, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)


def _read_tree(root: Path, prefix: str) -> dict[str, bytes]:
    base = root / prefix
    if not base.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


def prefill(
    posts: list[GeneratedPost],
    settings: Settings,
    *,
    template_content: Path,
    memory_file: Path | None,
    scratch: Path,
    translator: Translator | None = None,
) -> Prefill:
    """Publish the newest post for real in `scratch`, then derive everything else."""
    started = time.perf_counter()
    target = posts[-1]
    if scratch.exists():
        shutil.rmtree(scratch)
    content = scratch / "content"
    (content / "posts").mkdir(parents=True)
    for folder in ("assets", "config"):
        if (template_content / folder).is_dir():
            shutil.copytree(template_content / folder, content / folder)
    key = f"posts/{target.name}.md"
    (content / key).write_bytes(target.markdown().encode("utf-8"))
    state = scratch / "state"
    state.mkdir()
    if memory_file is not None and memory_file.exists():
        shutil.copyfile(memory_file, state / "memory.json")
    services, queue, _ = local_services(settings, content, scratch / "site", state)
    if translator is not None:
        services = replace(services, translator=translator)
    process_source_key(key, services)
    for job in queue.jobs:
        process_translation(job, services)
    for port in (services.catalog, services.memory):
        if isinstance(port, Flushable):
            port.flush()
    entry = services.catalog.get_post(target.name)
    status = services.catalog.get_status(key)
    if entry is None or status is None or len(entry.versions) != len(settings.languages):
        raise RuntimeError(f"the scratch publish of {key} did not give every language")
    site_root = scratch / "site"
    real_pages = {
        lang: (site_root / urls.object_key(urls.post_url(lang, target.name))).read_bytes()
        for lang in settings.languages
    }
    memory = json.loads((state / "memory.json").read_text("utf-8")).get("segments", {})

    entries: list[PostEntry] = []
    statuses: list[SourceStatus] = []
    pages: dict[str, bytes] = {}
    for post in posts[:-1]:
        data = post.markdown().encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        updated = _iso(_date(post) + timedelta(minutes=5))
        versions = {}
        for lang in settings.languages:
            kind = "original" if lang == post.lang else "machine"
            versions[lang] = VersionInfo(
                title=post.title,
                description=post.description,
                kind=kind,
                provider=None if kind == "original" else "apertium",
                chars_sent=0 if kind == "original" else len(post.body),
                chars_by_provider={} if kind == "original" else {"apertium": len(post.body)},
                source_hash=digest,
            )
            # The real post's page of the same kind, with this post's slug: same size.
            like = entry.source_lang if kind == "original" else _other(entry, settings)
            pages[urls.object_key(urls.post_url(lang, post.name))] = real_pages[like].replace(
                target.name.encode(), post.name.encode()
            )
        entries.append(
            PostEntry(
                slug=post.name,
                source_key=f"posts/{post.name}.md",
                source_lang=post.lang,
                content_hash=digest,
                updated=updated,
                date=_iso(_date(post)),
                author=post.author,
                project=post.project,
                images=post.images,
                versions=versions,
            )
        )
        statuses.append(
            SourceStatus(
                key=f"posts/{post.name}.md",
                state="published",
                updated=updated,
                slug=post.name,
                content_hash=digest,
            )
        )
    entries.append(entry)
    statuses.append(status)
    for lang, body in real_pages.items():
        pages[urls.object_key(urls.post_url(lang, target.name))] = body
    site = services.site_config
    listings = {k: item.body for k, item in build_listings(site, entries).items()}
    return Prefill(
        posts=posts,
        target=target,
        entries=entries,
        statuses=statuses,
        pages=pages,
        listings=listings,
        assets=_read_tree(content, "assets"),
        config=_read_tree(content, "config"),
        memory=dict(memory),
        seconds=time.perf_counter() - started,
    )


def _other(entry: PostEntry, settings: Settings) -> str:
    return next(lang for lang in settings.languages if lang != entry.source_lang)


def source_objects(data: Prefill) -> Iterator[tuple[str, bytes]]:
    for post in data.posts:
        yield f"posts/{post.name}.md", post.markdown().encode("utf-8")
    yield from data.assets.items()
    yield from data.config.items()


def site_objects(data: Prefill) -> Iterator[tuple[str, bytes]]:
    yield from data.pages.items()
    yield from data.listings.items()
    yield from data.assets.items()


@dataclass
class Timing:
    wall: float
    cpu: float
    children_cpu: float


@contextmanager
def measured() -> Iterator[list[Timing]]:
    out: list[Timing] = []
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    yield out
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.append(
        Timing(
            wall=time.perf_counter() - wall,
            cpu=time.process_time() - cpu,
            children_cpu=(after.ru_utime + after.ru_stime)
            - (children.ru_utime + children.ru_stime),
        )
    )


def _republish(
    services: Services,
    key: str,
    next_job: Callable[[], TranslationJob | None],
    calls: Calls,
) -> dict[str, Any]:
    """The render step, then the translate step it queued; each timed and counted apart."""
    steps: dict[str, Any] = {}
    with measured() as render_timing:
        render = apply_source_change(key, services)
    steps["render"] = {"counts": calls.to_dict(), **render_timing[0].__dict__}
    calls.reset()
    job = next_job()
    if job is None:
        raise RuntimeError(
            f"the render step queued no translation ({render.action}: {render.message})"
        )
    calls.reset()
    with measured() as translate_timing:
        translated = apply_translation(job, services)
    steps["translate"] = {"counts": calls.to_dict(), **translate_timing[0].__dict__}
    steps["outcomes"] = {
        "render": render.action,
        "translate": translated.action,
        "chars_sent": translated.chars_sent,
        "changed_paths": len(set(render.changed) | set(translated.changed)),
    }
    return steps


def _edited(data: Prefill) -> tuple[str, bytes, str]:
    text, paragraph = edit_one_paragraph(data.target.markdown())
    return f"posts/{data.target.name}.md", text.encode("utf-8"), paragraph


def run_local(
    data: Prefill,
    settings: Settings,
    root: Path,
    *,
    translator: Translator | None = None,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Republish over FolderStorage, JsonCatalog and JsonMemory (polypub build's adapters)."""
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    for base, objects in (("source", source_objects(data)), ("site", site_objects(data))):
        for key, body in objects:
            path = root / base / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
    state = root / "state"
    state.mkdir()
    catalog = JsonCatalog(state / "catalog.json")
    # One save for the whole catalog: put_post saves the file each time (O(n) per call).
    catalog._file.section("posts").update({e.slug: e.to_dict() for e in data.entries})
    catalog._file.section("statuses").update({s.key: s.to_dict() for s in data.statuses})
    catalog._file.save()
    catalog.flush()
    memory = JsonMemory(state / "memory.json")
    memory.put_many(data.memory)
    memory.flush()
    fill_seconds = time.perf_counter() - started

    services, queue, cdn = local_services(settings, root / "source", root / "site", state)
    calls = Calls()
    counted = replace(
        services,
        source=CountingProxy(services.source, "source", calls),
        site=CountingProxy(services.site, "site", calls),
        catalog=CountingProxy(services.catalog, "catalog", calls),
        memory=CountingProxy(services.memory, "memory", calls),
    )
    if translator is not None:
        counted = replace(counted, translator=translator)
    key, body, paragraph = _edited(data)
    (root / "source" / key).write_bytes(body)
    calls.reset()
    next_job = lambda: queue.jobs.pop() if queue.jobs else None  # noqa: E731
    if profile is None:
        steps = _republish(counted, key, next_job, calls)
    else:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        steps = profiler.runcall(_republish, counted, key, next_job, calls)
        profile.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile)
        with open(profile.with_suffix(".txt"), "w", encoding="utf-8") as handle:
            stats = pstats.Stats(str(profile), stream=handle)
            stats.sort_stats("cumulative").print_stats(70)
            stats.sort_stats("tottime").print_stats(40)
    summary = {
        step: summarize_local(_calls_from(steps[step]["counts"]))
        for step in ("render", "translate")
    }
    return {
        "posts": len(data.entries),
        "adapters": "local",
        "prefill_seconds": round(fill_seconds, 2),
        "edited_paragraph_chars": len(paragraph),
        "cpu": round(steps["render"]["cpu"] + steps["translate"]["cpu"], 4),
        "wall": round(steps["render"]["wall"] + steps["translate"]["wall"], 4),
        "children_cpu": round(
            steps["render"]["children_cpu"] + steps["translate"]["children_cpu"], 4
        ),
        "steps": {
            k: {kk: vv for kk, vv in v.items() if kk != "counts"}
            for k, v in steps.items()
            if k != "outcomes"
        },
        "outcomes": steps["outcomes"],
        "summary": summary,
        "counts": {step: steps[step]["counts"] for step in ("render", "translate")},
        "cdn_paths": sum(len(batch) for batch in cdn.invalidations),
        "invalidated": sorted({path for batch in cdn.invalidations for path in batch}),
    }


def _calls_from(counts: Mapping[str, Any]) -> Calls:
    calls = Calls()
    calls.calls.update(counts["calls"])
    calls.items.update(counts["items_read"])
    calls.bytes_written.update(counts["bytes_written"])
    return calls


REGION = "us-east-1"


def _create_resources(session: Any, settings: Settings) -> tuple[str, str]:
    s3 = session.client("s3", region_name=REGION)
    for bucket in (settings.source_bucket, settings.site_bucket):
        s3.create_bucket(Bucket=bucket)
    session.client("dynamodb", region_name=REGION).create_table(
        TableName=settings.catalog_table,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    queue_url = session.client("sqs", region_name=REGION).create_queue(
        QueueName="polypub-translate"
    )["QueueUrl"]
    distribution = session.client("cloudfront", region_name=REGION).create_distribution(
        DistributionConfig={
            "CallerReference": "polypub-bench",
            "Comment": "bench",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": f"{settings.site_bucket}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]["Id"]
    return queue_url, distribution


def _fill_moto(data: Prefill, settings: Settings) -> None:
    """Objects and items straight into moto's backends (its internal API, for speed)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends

    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for key, body in source_objects(data):
        s3.put_object(settings.source_bucket, key, body)
    for key, body in site_objects(data):
        s3.put_object(settings.site_bucket, key, body)
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(settings.catalog_table)

    def doc(pk: str, sk: str, value: Mapping[str, Any]) -> dict[str, Any]:
        return {"pk": {"S": pk}, "sk": {"S": sk}, "doc": {"S": json.dumps(value, sort_keys=True)}}

    for entry in data.entries:
        for item in DynamoCatalog.items_for(entry):  # the post and its listing index items
            table.put_item(item)
    for status in data.statuses:
        table.put_item(doc("status", status.key, status.to_dict()))
    for key, text in data.memory.items():
        table.put_item({"pk": {"S": "tm#" + key}, "sk": {"S": "-"}, "text": {"S": text}})


def run_moto(data: Prefill, settings: Settings) -> dict[str, Any]:
    """Republish over S3, DynamoDB, SQS and CloudFront in moto, counting every API call."""
    import boto3
    from moto import mock_aws

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ[name] = "testing"
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        started = time.perf_counter()
        session = boto3.Session(region_name=REGION)
        queue_url, distribution = _create_resources(session, settings)
        _fill_moto(data, settings)
        fill_seconds = time.perf_counter() - started
        cloud = replace(
            settings, translate_queue_url=queue_url, distribution_id=distribution, endpoint_url=None
        )
        calls = Calls()
        # wiring.aws_client uses boto3's default session: hooks registered on it before
        # the clients are made are copied into every client.
        boto3.setup_default_session(region_name=REGION)
        attach_boto_hooks(boto3.DEFAULT_SESSION.events, calls)
        from polypub.wiring import cloud_services

        services = cloud_services(cloud)
        sqs = session.client("sqs", region_name=REGION)
        key, body, paragraph = _edited(data)
        session.client("s3", region_name=REGION).put_object(
            Bucket=settings.source_bucket, Key=key, Body=body
        )

        def next_job() -> TranslationJob | None:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            for message in messages:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            return TranslationJob.from_dict(json.loads(messages[-1]["Body"])) if messages else None

        calls.reset()
        steps = _republish(services, key, next_job, calls)
        summary = {
            step: summarize_boto(
                _calls_from(steps[step]["counts"]),
                site_bucket=settings.site_bucket,
                source_bucket=settings.source_bucket,
            )
            for step in ("render", "translate")
        }
    return {
        "posts": len(data.entries),
        "adapters": "moto",
        "prefill_seconds": round(fill_seconds, 2),
        "edited_paragraph_chars": len(paragraph),
        # Includes moto's own work, which runs in this process: not a Lambda's CPU.
        "cpu_including_moto": round(steps["render"]["cpu"] + steps["translate"]["cpu"], 4),
        "wall": round(steps["render"]["wall"] + steps["translate"]["wall"], 4),
        "outcomes": steps["outcomes"],
        "summary": summary,
        "counts": {step: steps[step]["counts"] for step in ("render", "translate")},
    }
