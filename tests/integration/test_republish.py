"""Site-wide republishes as bounded jobs, through the real handlers with the IAM guard on.

A 60-post site in two languages (120 pages): a design change is planned into jobs of at
most 50 pages that the render function runs one per invocation; a job that fails is
retried by SQS and, failing always, dead-lettered while every other page gets the new
design; `polypub republish --project` and an upgrade's version stamp use the same jobs.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from faults import failing, key_is, s3_error

from polypub import cli
from polypub.handlers import runtime
from polypub.local.dev import INVOCATION_LOG_VARIABLE, DevSession
from polypub.local.status import render_progress
from polypub.model import RepublishRun
from polypub.steps import post_pages
from polypub.steps.jobs import MAX_JOB_PAGES
from support.posts import post
from support.stack import StackFactory, aws_of

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or shutil.which("node") is None,
    reason="needs apertium (apertium-eng-spa) and node: run scripts/install-system-deps",
)

POSTS = 60
PROJECTS = ("Huerto", "Radio")
FAILING_PAGE = "en/posts/p07/index.html"


@pytest.fixture(scope="module")
def site(
    dev_stack: StackFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DevSession, Path]]:
    """The site, with every handler invocation logged; retries come at once (retry_after=0)."""
    content = tmp_path_factory.mktemp("content")
    log = tmp_path_factory.mktemp("log") / "invocations.jsonl"
    for index in range(POSTS):
        project = PROJECTS[index // (POSTS // 2)]
        # A person's translation beside each post: two pages a post, no translator call.
        (content / "posts").mkdir(exist_ok=True)
        (content / f"posts/p{index:02d}.md").write_bytes(
            post(
                f"Post {index}",
                f"Body of post {index}.",
                lang="en",
                project=project,
                author="Ana" if index % 2 else "Luis",
                date=f"2024-{index % 3 + 1:02d}-10",
            )
        )
        (content / f"posts/p{index:02d}.es.md").write_bytes(
            post(f"Entrada {index}", f"Texto de la entrada {index}.", lang="es")
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(INVOCATION_LOG_VARIABLE, str(log))
        with dev_stack(content, retry_after=0) as session:
            session.upload_content()
            session.drain()
            yield session, log


def design(session: DevSession, name: str) -> None:
    aws = aws_of(session)
    body = f"name: {name}\n".encode()
    aws.client("s3").put_object(Bucket=aws.source_bucket, Key="config/site.yml", Body=body)
    session.drain()


def page(session: DevSession, key: str) -> str:
    aws = aws_of(session)
    return str(aws.client("s3").get_object(Bucket=aws.site_bucket, Key=key)["Body"].read().decode())


def post_pages_of(index: int) -> list[str]:
    return [f"{lang}/posts/p{index:02d}/index.html" for lang in ("en", "es")]


def runs(session: DevSession) -> list[RepublishRun]:
    return sorted(runtime.services().catalog.list_runs(), key=lambda run: run.started)


def run_of(session: DevSession, reason: str) -> RepublishRun:
    found = [run for run in runs(session) if run.reason == reason]
    assert found, f"no run for {reason}"
    return found[-1]


def invocations(log: Path, start: int) -> list[dict[str, Any]]:
    lines = log.read_text(encoding="utf-8").splitlines()[start:]
    return [json.loads(line) for line in lines]


def log_length(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Post pages rendered from now on carry `marker`: a new package's templates."""

    def mark(marker: str) -> None:
        render = post_pages.render_post_page

        def rendered(*args: Any, **kwargs: Any) -> str:
            return render(*args, **kwargs) + f"<!-- {marker} -->"

        monkeypatch.setattr(post_pages, "render_post_page", rendered)

    return mark


def test_the_site_has_two_pages_a_post(site: tuple[DevSession, Path]) -> None:
    entries = runtime.services().catalog.list_posts()
    assert len(entries) == POSTS
    assert all(sorted(entry.versions) == ["en", "es"] for entry in entries)


def test_a_design_change_is_applied_by_bounded_jobs_one_per_invocation(
    site: tuple[DevSession, Path],
) -> None:
    session, log = site
    start = log_length(log)
    design(session, "Escola Nova")
    run = run_of(session, "config/site.yml")
    # 120 pages in jobs of at most 50, and the listings in jobs of their own.
    pages_jobs = (POSTS * 2 + MAX_JOB_PAGES - 1) // MAX_JOB_PAGES
    assert run.total > pages_jobs
    assert (run.done, run.left, run.failed) == (run.total, 0, 0)
    for index in range(POSTS):
        for key in post_pages_of(index):
            assert "Escola Nova" in page(session, key), key
    for key in ("en/index.html", "es/index.html", "404.html", "en/feed.xml"):
        assert "Escola Nova" in page(session, key), key
    renders = [line for line in invocations(log, start) if line["function"] == "RenderFunction"]
    # No invocation wrote more than one job's worth: the one that planned wrote nothing.
    assert max(line["site_writes"] for line in renders) <= MAX_JOB_PAGES
    assert sum(line["site_writes"] for line in renders) >= POSTS * 2
    assert len(renders) >= run.total + 1


def test_a_job_that_fails_once_is_retried_and_the_site_converges(
    site: tuple[DevSession, Path],
) -> None:
    session, _ = site
    client = runtime.services().site._client  # type: ignore[attr-defined]
    # AccessDenied is not retried by botocore: the job fails, and SQS delivers it again.
    with failing(
        client, "PutObject", s3_error("AccessDenied", 403), times=1, when=key_is(FAILING_PAGE)
    ) as injected:
        design(session, "Escola Segunda")
    assert injected.failed == 1
    run = run_of(session, "config/site.yml")
    assert (run.done, run.left, run.failed) == (run.total, 0, 0)
    for index in range(POSTS):
        for key in post_pages_of(index):
            assert "Escola Segunda" in page(session, key), key


def test_a_job_that_always_fails_is_dead_lettered_and_every_other_page_is_new(
    site: tuple[DevSession, Path],
) -> None:
    session, _ = site
    aws = aws_of(session)
    client = runtime.services().site._client  # type: ignore[attr-defined]
    with failing(
        client, "PutObject", s3_error("AccessDenied", 403), times=10**6, when=key_is(FAILING_PAGE)
    ) as injected:
        design(session, "Escola Tercera")
    assert injected.failed == 5  # the queue's maxReceiveCount
    run = run_of(session, "config/site.yml")
    assert (run.failed, run.left, run.done) == (1, 0, run.total - 1)
    assert "FAILED" in render_progress(runs(session))
    dlq = aws.client("sqs").receive_message(QueueUrl=aws.render_dlq_url, MaxNumberOfMessages=10)
    [dead] = dlq["Messages"]
    assert json.loads(dead["Body"])["polypub_job"] == "pages"
    # The failed job's page still has the design before (a valid page), the others the new.
    assert "Escola Segunda" in page(session, FAILING_PAGE)
    others = [key for index in range(POSTS) for key in post_pages_of(index)]
    owned = set(json.loads(dead["Body"])["slugs"])
    for key in others:
        slug = key.split("/")[2]
        if slug not in owned:
            assert "Escola Tercera" in page(session, key), key
    aws.client("sqs").delete_message(
        QueueUrl=aws.render_dlq_url, ReceiptHandle=dead["ReceiptHandle"]
    )


def test_republish_of_one_project_touches_only_its_pages(
    site: tuple[DevSession, Path],
    marked: Callable[[str], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    session, _ = site
    info = tmp_path / "dev.json"
    info.write_text(json.dumps(session.info), encoding="utf-8")
    marked("templates v2")
    assert cli.main(["republish", "--info-file", str(info), "--project", "Huerto"]) == 0
    assert "project Huerto" in capsys.readouterr().out
    session.drain()
    run = runs(session)[-1]
    assert (run.reason, dict(run.scope)) == ("operator", {"project": "Huerto"})
    assert (run.done, run.left, run.failed) == (run.total, 0, 0)
    for index in range(POSTS):
        in_project = index < POSTS // 2
        for key in post_pages_of(index):
            assert ("templates v2" in page(session, key)) == in_project, key


def test_a_new_package_version_republishes_the_site_exactly_once(
    site: tuple[DevSession, Path], marked: Callable[[str], None]
) -> None:
    session, _ = site
    services = runtime.services()
    current = services.catalog.get_stamp()
    assert current is not None  # the first invocation recorded it
    assert services.catalog.swap_stamp("a package before this one", expected=current)
    marked("templates v3")
    aws = aws_of(session)
    s3 = aws.client("s3")
    for round_ in range(2):
        # A new container (as after a deploy) handles the next upload.
        runtime.install(runtime.services())
        s3.put_object(
            Bucket=aws.source_bucket,
            Key=f"posts/late-{round_}.md",
            Body=post(f"Late {round_}", "Body.", lang="en", translate="false"),
        )
        session.drain()
    upgrades = [run for run in runs(session) if run.reason == "upgrade"]
    assert len(upgrades) == 1
    assert (upgrades[0].done, upgrades[0].left) == (upgrades[0].total, 0)
    assert services.catalog.get_stamp() == current
    for index in range(POSTS):
        for key in post_pages_of(index):
            assert "templates v3" in page(session, key), key


def test_a_glossary_change_queues_translations_through_bounded_jobs(
    site: tuple[DevSession, Path],
) -> None:
    session, log = site
    aws = aws_of(session)
    s3 = aws.client("s3")
    for name in ("garden", "trip"):
        body = post(f"Our {name}", f"The students wrote about the {name}.", lang="en")
        s3.put_object(Bucket=aws.source_bucket, Key=f"posts/mt-{name}.md", Body=body)
    session.drain()
    start = log_length(log)
    glossary = b"do_not_translate:\n  - IES Abastos\n"
    s3.put_object(Bucket=aws.source_bucket, Key="config/glossary.yml", Body=glossary)
    session.drain()
    run = run_of(session, "config/glossary.yml")
    # Only the two machine-translated posts: one job, which queued two translations.
    assert (run.kind, run.total, run.done, run.failed) == ("translations", 1, 1, 0)
    translated = [
        line for line in invocations(log, start) if line["function"] == "TranslateFunction"
    ]
    assert sum(line["records"] for line in translated) == 2
