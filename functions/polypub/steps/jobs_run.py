"""Site-wide republishes: plan a run into bounded jobs, run one job, count its progress.

A change that touches every page (design, theme, glossary, an upgrade's templates, the
operator's `polypub republish`) calls plan_run: it reads the catalog, cuts the work
with steps/jobs.py and queues the jobs on the render queue (Services.site_jobs), then
returns; it writes no page. Each job is run by run_job in whichever render function
receives it. Pages are rewritten one by one and each stays valid, so a job that fails
leaves its pages as they were (the old design) until SQS delivers it again; after the
queue's maxReceiveCount it waits in the dead-letter queue and the run counts it failed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable

from polypub.model import PostEntry, RepublishRun, TranslationJob
from polypub.site.listings import ListingIndex, all_units
from polypub.site.pages import fixed_objects
from polypub.steps.context import Outcome, Services
from polypub.steps.jobs import RunKind, Scope, SiteJob, split_posts, split_units
from polypub.steps.listings import write_units
from polypub.steps.post_pages import rewrite_existing_pages

# What decides a page's bytes besides the school's files: the package's templates,
# static files and the code that renders them. A deploy that changes any of them
# changes the stamp (package_stamp), and the site is republished once.
STAMPED_PACKAGES = ("polypub.site", "polypub.content")
STAMPED_FILES = ("languages.py",)


def plan_run(
    services: Services,
    *,
    run: str,
    reason: str,
    kind: RunKind = "pages",
    scope: Scope | None = None,
) -> Outcome:
    """Record a run and queue its jobs (or, without a queue, run them here, one by one).

    Planning reads the catalog once and sends one SendMessageBatch per ten jobs; it
    writes no page, whatever the size of the site.
    """
    scope = scope or Scope()
    entries = sorted(services.catalog.list_posts(), key=lambda entry: entry.slug)
    jobs = _jobs(entries, services, run=run, kind=kind, scope=scope)
    services.catalog.start_run(
        RepublishRun(
            run=run,
            reason=reason,
            kind=kind,
            total=len(jobs),
            started=services.now(),
            scope=scope.to_dict(),
        )
    )
    message = f"republish {run} ({scope.describe()}): {len(jobs)} jobs"
    outcome = Outcome(f"republish/{run}", "published", message=message)
    if services.site_jobs is None:
        for job in jobs:
            outcome.absorb(run_job(job, services))
        return outcome
    services.site_jobs.send_many([job.to_message() for job in jobs])
    return outcome


def _jobs(
    entries: list[PostEntry], services: Services, *, run: str, kind: RunKind, scope: Scope
) -> list[SiteJob]:
    size = services.settings.job_pages
    covered = [entry for entry in entries if scope.covers(entry)]
    if kind == "translations":
        wanted = [(entry.slug, 1) for entry in covered if _machine_targets(entry, services)]
        return [
            SiteJob("translations", run, f"t{index}", slugs=group)
            for index, group in enumerate(split_posts(wanted, size))
        ]
    groups = split_posts(((entry.slug, len(scope.languages(entry))) for entry in covered), size)
    jobs = [
        SiteJob("pages", run, f"p{index}", slugs=group, scope=scope)
        for index, group in enumerate(groups)
    ]
    site = services.site_config
    units = [
        unit for unit in all_units(site.languages, ListingIndex(entries)) if scope.covers_unit(unit)
    ]
    # The objects that depend on no post change with the design: every full run
    # rewrites them (and the sitemap index, one more object) in its first listing job.
    fixed = len(fixed_objects(site)) + 1 if scope.everything else 0
    jobs += [
        SiteJob("listings", run, f"l{index}", units=group, fixed=carries, scope=scope)
        for index, (group, carries) in enumerate(split_units(units, size, fixed_objects=fixed))
    ]
    return jobs


def _machine_targets(entry: PostEntry, services: Services) -> tuple[str, ...]:
    return tuple(
        lang
        for lang in services.settings.languages
        if (version := entry.versions.get(lang)) is not None and version.kind == "machine"
    )


def run_job(job: SiteJob, services: Services) -> Outcome:
    """One job: its pages, listing objects or translation requests; then count it done."""
    if job.kind == "plan":
        return plan_run(services, run=job.run, reason=job.reason or "operator", scope=job.scope)
    changed: list[str] = []
    queued = 0
    for slug in job.slugs:
        entry = services.catalog.get_post(slug)
        if entry is None:
            continue  # removed since the run was planned: nothing left to republish
        if job.kind == "pages":
            keep = set(job.scope.languages(entry))
            changed += rewrite_existing_pages(
                entry, services, skip=[lang for lang in entry.versions if lang not in keep]
            )
        elif targets := _machine_targets(entry, services):
            # The translate queue keeps its own low concurrency for the providers.
            services.jobs.send(TranslationJob.of(entry, targets))
            queued += 1
    if job.kind == "listings":
        changed += write_units(job.units, services, fixed=job.fixed)
    services.catalog.job_finished(job.run, job.job)
    detail = f"{queued} posts queued for translation" if job.kind == "translations" else ""
    return Outcome(
        f"republish/{job.run}/{job.job}",
        "translated" if job.kind == "translations" else "published",
        message=detail or f"{len(changed)} objects rewritten",
        changed=changed,
    )


def note_job_failed(job: SiteJob, services: Services) -> None:
    """The job's last delivery failed: the run counts it failed (its pages stay as they were)."""
    if job.kind == "plan":
        services.catalog.start_run(
            RepublishRun(
                run=job.run,
                reason=job.reason or "operator",
                kind="pages",
                total=1,
                started=services.now(),
                scope=job.scope.to_dict(),
            )
        )
        services.catalog.job_finished(job.run, "plan", failed=True)
        return
    services.catalog.job_finished(job.run, job.job, failed=True)


def new_run_id(now: datetime | None = None) -> str:
    """A run id that sorts by time: `20261204T051200Z-3fa2`."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{when:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def package_stamp() -> str:
    """A hash of everything in the package that decides a page's bytes."""
    digest = hashlib.sha256()
    root = resources.files("polypub")
    files: list[tuple[str, Traversable]] = [(name, root.joinpath(name)) for name in STAMPED_FILES]
    for package in STAMPED_PACKAGES:
        files += _walk(resources.files(package), package)
    for name, item in sorted(files, key=lambda pair: pair[0]):
        digest.update(name.encode("utf-8") + b"\0" + item.read_bytes() + b"\0")
    return digest.hexdigest()


def _walk(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for item in folder.iterdir():
        name = f"{prefix}/{item.name}"
        if item.is_dir():
            if item.name != "__pycache__":
                found += _walk(item, name)
        elif not item.name.endswith((".pyc", ".pyo")):
            found.append((name, item))
    return found


def republish_if_upgraded(services: Services, stamp: str | None = None) -> Outcome | None:
    """After a deploy that changed the templates or page code: republish the site once.

    The stamp of the package that last published is kept in the catalog; the first
    invocation that finds it different swaps it (a conditional write, so exactly one of
    several starting at once wins) and plans the run. If planning fails, the old stamp
    is put back, so the next invocation plans it again. A site with no posts yet only
    records the stamp.
    """
    stamp = stamp or package_stamp()
    previous = services.catalog.get_stamp()
    if previous == stamp or not services.catalog.swap_stamp(stamp, expected=previous):
        return None
    try:
        if previous is None and not services.catalog.list_posts():
            return None  # a new site: its first posts are published with this package
        return plan_run(services, run=f"upgrade-{stamp[:12]}", reason="upgrade")
    except BaseException:
        services.catalog.swap_stamp(previous or "", expected=stamp)
        raise
