"""steps/jobs.py and jobs_run.py: site-wide work cut into bounded jobs, planned and run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Site, post
from polypub import cli
from polypub.adapters.localfs import CollectingSiteJobs
from polypub.local.build import run_build
from polypub.local.republish import RepublishError, request_republish
from polypub.model import PostEntry, VersionInfo
from polypub.settings import Settings
from polypub.site.listings import Archive, Feed, Front, SitemapShard
from polypub.steps.jobs import (
    MAX_JOB_PAGES,
    MalformedJobError,
    Scope,
    SiteJob,
    job_of_body,
    split_posts,
    split_units,
)
from polypub.steps.jobs_run import package_stamp, plan_run, republish_if_upgraded, run_job

sizes = st.lists(st.integers(min_value=0, max_value=7), max_size=200)


@given(sizes, st.integers(min_value=1, max_value=60))
def test_every_post_with_pages_is_in_exactly_one_job_of_bounded_size(
    pages: list[int], limit: int
) -> None:
    posts = [(f"p{index}", count) for index, count in enumerate(pages)]
    groups = split_posts(posts, limit)
    flat = [slug for group in groups for slug in group]
    assert flat == [slug for slug, count in posts if count > 0]  # each once, in order
    by_slug = dict(posts)
    for group in groups:
        total = sum(by_slug[slug] for slug in group)
        # Only a post larger than the limit on its own may exceed it.
        assert total <= limit or len(group) == 1


def test_sixty_posts_in_two_languages_make_three_jobs_of_at_most_fifty_pages() -> None:
    groups = split_posts([(f"p{index}", 2) for index in range(60)], MAX_JOB_PAGES)
    assert [len(group) * 2 for group in groups] == [50, 50, 20]


@given(st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=12))
def test_listing_units_are_split_with_the_fixed_objects_in_the_first_job(
    count: int, fixed: int
) -> None:
    units = [
        Archive("home/en", f"{2000 + index // 12}-{index % 12 + 1:02d}") for index in range(count)
    ]
    groups = split_units(units, 50, fixed_objects=fixed)
    listed = [unit for group, _ in groups for unit in group]
    assert sorted(listed, key=repr) == sorted(units, key=repr)  # each unit once
    assert [carries for _, carries in groups].count(True) == (1 if fixed else 0)
    for group, carries in groups:
        # The first job's fixed objects count against its size (one unit at least).
        assert len(group) + (fixed if carries else 0) <= max(50, fixed + 1)


def test_a_job_survives_its_message_and_other_messages_are_not_jobs() -> None:
    job = SiteJob(
        "listings",
        "run-1",
        "l0",
        units=(
            Front("home/en"),
            Archive("project/es/huerto", "2024-05"),
            Feed("en"),
            SitemapShard("2024-05"),
        ),
        fixed=True,
        scope=Scope(project="Huerto"),
    )
    assert job_of_body(json.dumps(job.to_message())) == job
    assert job_of_body('{"Records": []}') is None
    assert job_of_body("not json") is None
    with pytest.raises(MalformedJobError):
        job_of_body('{"polypub_job": "format-disk", "run": "x"}')
    with pytest.raises(MalformedJobError):
        job_of_body('{"polypub_job": "pages"}')


def entry(slug: str, *, project: str | None = None, author: str | None = None) -> PostEntry:
    version = VersionInfo(title=slug, description=None, kind="original")
    return PostEntry(
        slug=slug,
        source_key=f"posts/{slug}.md",
        source_lang="en",
        content_hash="h",
        updated="2024-05-01T00:00:00Z",
        versions={"en": version, "es": replace(version, kind="machine")},
        project=project,
        author=author,
    )


def test_a_scope_covers_one_project_author_or_language() -> None:
    garden = entry("garden", project="Huerto Escolar", author="Ana")
    other = entry("other", project="Radio")
    assert Scope().covers(garden)
    assert Scope().covers(other)
    assert Scope(project="huerto escolar").covers(garden)
    assert not Scope(project="Huerto Escolar").covers(other)
    assert Scope(author="Ana").covers(garden)
    assert not Scope(author="Ana").covers(other)
    assert Scope(lang="es").languages(garden) == ["es"]
    assert not Scope(lang="ca").covers(garden)
    project = Scope(project="Huerto Escolar")
    assert project.covers_unit(Front("project/es/huerto-escolar"))
    assert not project.covers_unit(Front("project/es/radio"))
    assert not project.covers_unit(Front("home/es"))
    assert not project.covers_unit(Feed("es"))
    assert Scope(lang="en").covers_unit(Feed("en"))
    assert not Scope(lang="en").covers_unit(Feed("es"))


def test_planning_queues_bounded_jobs_and_writes_no_page(site: Site) -> None:
    for index in range(7):
        site.upload(f"posts/p{index}.md", post(f"Post {index}", project="Huerto"))
        site.run(f"posts/p{index}.md")
    site.translate_all()
    queue = CollectingSiteJobs()
    services = replace(
        site.services, site_jobs=queue, settings=site.services.settings.with_(job_pages=4)
    )
    before = {info.key: info.digest for info in services.site.list_objects()}
    planned = plan_run(services, run="r1", reason="test")
    assert {info.key: info.digest for info in services.site.list_objects()} == before
    jobs = [SiteJob.from_message(body) for body in queue.bodies]
    pages = [job for job in jobs if job.kind == "pages"]
    # 7 posts x 2 languages, at most 4 pages a job: 2 posts a job.
    assert [len(job.slugs) for job in pages] == [2, 2, 2, 1]
    assert planned.message == f"republish r1 (all): {len(jobs)} jobs"
    [run] = services.catalog.list_runs()
    assert (run.total, run.done, run.left) == (len(jobs), 0, len(jobs))
    # Running them (in any order, one twice) finishes the run, counted once each.
    for job in reversed(jobs):
        run_job(job, services)
    run_job(jobs[0], services)
    [run] = services.catalog.list_runs()
    assert (run.done, run.left, run.failed) == (len(jobs), 0, 0)


def test_an_upgrade_republishes_once_and_a_new_site_only_records_the_stamp(site: Site) -> None:
    queue = CollectingSiteJobs()
    services = replace(site.services, site_jobs=queue)
    assert republish_if_upgraded(services, "v1") is None  # no posts: nothing to redo
    assert services.catalog.get_stamp() == "v1"
    assert queue.bodies == []
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    assert republish_if_upgraded(services, "v1") is None
    planned = republish_if_upgraded(services, "v2")
    assert planned is not None
    assert queue.bodies
    assert republish_if_upgraded(services, "v2") is None
    assert [run.reason for run in services.catalog.list_runs()] == ["upgrade"]
    assert len(package_stamp()) == 64


def test_a_design_change_in_a_build_runs_its_jobs_and_status_shows_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, out, state = tmp_path / "content", tmp_path / "out", tmp_path / "state"
    (content / "posts").mkdir(parents=True)
    (content / "config").mkdir()
    for index in range(3):
        data = post(f"Post {index}", translate="false", project="huerto")
        (content / f"posts/p{index}.md").write_bytes(data)
    (content / "config/site.yml").write_text("name: Escola Primera\n", encoding="utf-8")
    settings = Settings(translators=("apertium",))
    assert run_build(settings, content, out, state).ok
    (content / "config/site.yml").write_text("name: Escola Segona\n", encoding="utf-8")
    assert run_build(settings, content, out, state).ok
    for index in range(3):
        assert "Escola Segona" in (out / f"en/posts/p{index}/index.html").read_text()
    assert "Escola Segona" in (out / "en/index.html").read_text()
    assert cli.main(["status", "--state", str(state)]) == 0
    printed = capsys.readouterr().out
    assert "REPUBLISH (jobs: done / left / failed)" in printed
    assert "config/site.yml (pages, all): 2 / 0 / 0 of 2  complete" in printed


def test_republish_without_a_stack_or_a_running_dev_says_how_to_point_it(tmp_path: Path) -> None:
    settings = Settings(translators=("apertium",))
    with pytest.raises(RepublishError, match="no running `polypub dev` found"):
        request_republish(
            Scope(), info_file=None, stack=None, settings=settings, env={}, dev_info=[]
        )
    broken = tmp_path / "dev.json"
    broken.write_text("{}", encoding="utf-8")
    with pytest.raises(RepublishError, match="is not the JSON `polypub dev` writes"):
        request_republish(Scope(), info_file=broken, stack=None, settings=settings, env={})
    with pytest.raises(RepublishError, match="cannot read"):
        request_republish(
            Scope(), info_file=tmp_path / "gone.json", stack=None, settings=settings, env={}
        )


def test_republish_of_a_language_the_site_does_not_have_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["republish", "--lang", "fr"]) == cli.EXIT_USAGE
    assert "--lang fr is not a site language (es, en)" in capsys.readouterr().err
