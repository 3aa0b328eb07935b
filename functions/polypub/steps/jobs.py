"""Site-wide work cut into bounded jobs: what a job is, its message, and the splitting (pure).

A design, theme, glossary or upgrade change touches every page. Done in one invocation
that work grows with the site and, with S3's real latency, outgrows the render
function's timeout (a few hundred posts). So the change only plans: it cuts the work
into jobs of at most MAX_JOB_PAGES pages (or listing objects, or posts to retranslate)
and queues them; each job is one SQS message that any instance of the function may
take, retried on failure and dead-lettered after maxReceiveCount, while the others
proceed (steps/jobs_run.py runs them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from polypub.model import PostEntry
from polypub.site import urls
from polypub.site.listings import (
    Archive,
    Feed,
    Front,
    SitemapShard,
    Unit,
    parse_collection,
)

# Pages per job. One page costs about two S3 calls (a HEAD to compare, a PUT) at about
# 25 ms each, plus its share of the source GET and catalog reads: about 80 ms under the
# benchmark's latency, so 50 pages take about 4 s, a fifteenth of the render function's
# 60 s timeout. That leaves room for a cold start and for S3's slow tail (a p99 several
# times the median) while keeping the number of messages for a 10,000-post site (two
# languages: 20,000 pages) at 400.
MAX_JOB_PAGES = 50

# The message body key that tells a site job from an S3 notification on the render queue.
JOB_FIELD = "polypub_job"

JobKind = Literal["plan", "pages", "listings", "translations"]
# What a run republishes: post pages and their listings (design, upgrade, operator), or
# machine translations (glossary).
RunKind = Literal["pages", "translations"]


class MalformedJobError(ValueError):
    """A message that says it is a site job but is not one we understand."""


@dataclass(frozen=True)
class Scope:
    """Which pages a republish covers: everything, or one project, author or language."""

    project: str | None = None
    author: str | None = None
    lang: str | None = None

    @property
    def everything(self) -> bool:
        return self.project is None and self.author is None and self.lang is None

    def covers(self, entry: PostEntry) -> bool:
        """The post has pages in this scope (names compare as their URL slugs)."""
        if self.project is not None and (
            not entry.project or urls.project_slug(entry.project) != urls.project_slug(self.project)
        ):
            return False
        if self.author is not None and (
            not entry.author or urls.author_slug(entry.author) != urls.author_slug(self.author)
        ):
            return False
        return self.lang is None or self.lang in entry.versions

    def languages(self, entry: PostEntry) -> list[str]:
        """The post's languages whose pages are in scope."""
        return [lang for lang in entry.versions if self.lang is None or lang == self.lang]

    def covers_unit(self, unit: Unit) -> bool:
        """A listing object in scope: all of them for everything, else the group's own."""
        if self.everything:
            return True
        if isinstance(unit, Feed):
            return self.project is None and self.author is None and unit.lang == self.lang
        if isinstance(unit, SitemapShard):
            return False  # sitemaps show no design and no names
        kind, lang, group = parse_collection(unit.collection)
        if self.lang is not None and lang != self.lang:
            return False
        if self.project is not None:
            return kind == "project" and group == urls.project_slug(self.project)
        if self.author is not None:
            return kind == "author" and group == urls.author_slug(self.author)
        return True

    def to_dict(self) -> dict[str, str]:
        found = {"project": self.project, "author": self.author, "lang": self.lang}
        return {name: value for name, value in found.items() if value is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scope:
        def text(name: str) -> str | None:
            value = data.get(name)
            return None if value is None or value == "" else str(value)

        return cls(project=text("project"), author=text("author"), lang=text("lang"))

    def describe(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in self.to_dict().items()) or "all"


@dataclass(frozen=True)
class SiteJob:
    """One bounded piece of a run: post pages, listing objects, or posts to retranslate.

    A `plan` job asks the render function to plan a run (what `polypub republish`
    sends): it writes no page, it only queues the run's jobs.
    """

    kind: JobKind
    run: str
    job: str = ""
    slugs: tuple[str, ...] = ()
    units: tuple[Unit, ...] = ()
    # The listing job that also writes what depends on no post (404 pages, robots.txt,
    # the stylesheet, the sitemap index): one per run.
    fixed: bool = False
    scope: Scope = field(default_factory=Scope)
    reason: str = ""

    def to_message(self) -> dict[str, Any]:
        body: dict[str, Any] = {JOB_FIELD: self.kind, "run": self.run}
        if self.job:
            body["job"] = self.job
        if self.slugs:
            body["slugs"] = list(self.slugs)
        if self.units:
            body["units"] = [unit_to_dict(unit) for unit in self.units]
        if self.fixed:
            body["fixed"] = True
        if not self.scope.everything:
            body["scope"] = self.scope.to_dict()
        if self.reason:
            body["reason"] = self.reason
        return body

    @classmethod
    def from_message(cls, body: Mapping[str, Any]) -> SiteJob:
        kind = body.get(JOB_FIELD)
        if kind not in ("plan", "pages", "listings", "translations"):
            raise MalformedJobError(f"unknown site job kind {kind!r}")
        try:
            return cls(
                kind=kind,
                run=str(body["run"]),
                job=str(body.get("job", "")),
                slugs=tuple(str(slug) for slug in body.get("slugs", [])),
                units=tuple(unit_from_dict(unit) for unit in body.get("units", [])),
                fixed=bool(body.get("fixed", False)),
                scope=Scope.from_dict(body.get("scope") or {}),
                reason=str(body.get("reason", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedJobError(f"not a site job: {exc!r}") from exc


def job_payload(body: str) -> dict[str, Any] | None:
    """The JSON of a message that claims to be a site job; None for anything else (S3 events)."""
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        return None
    if not isinstance(payload, dict) or JOB_FIELD not in payload:
        return None
    return payload


def job_of_body(body: str) -> SiteJob | None:
    """The site job an SQS message body carries, or None for anything else (S3 events)."""
    payload = job_payload(body)
    return None if payload is None else SiteJob.from_message(payload)


def unit_to_dict(unit: Unit) -> dict[str, str]:
    if isinstance(unit, Front):
        return {"front": unit.collection}
    if isinstance(unit, Archive):
        return {"archive": unit.collection, "period": unit.period}
    if isinstance(unit, Feed):
        return {"feed": unit.lang}
    return {"sitemap": unit.period}


def unit_from_dict(data: Mapping[str, Any]) -> Unit:
    if "front" in data:
        return Front(str(data["front"]))
    if "archive" in data:
        return Archive(str(data["archive"]), str(data["period"]))
    if "feed" in data:
        return Feed(str(data["feed"]))
    if "sitemap" in data:
        return SitemapShard(str(data["sitemap"]))
    raise MalformedJobError(f"not a listing unit: {dict(data)!r}")


def split_posts(
    pages_by_slug: Iterable[tuple[str, int]], max_pages: int = MAX_JOB_PAGES
) -> list[tuple[str, ...]]:
    """Consecutive groups of posts whose pages add up to at most `max_pages`.

    Every post is in exactly one group, in the order given; a post with more pages than
    `max_pages` (more languages than that) is a group of its own. Posts without pages in
    scope are left out.
    """
    groups: list[tuple[str, ...]] = []
    current: list[str] = []
    size = 0
    for slug, pages in pages_by_slug:
        if pages <= 0:
            continue
        if current and size + pages > max_pages:
            groups.append(tuple(current))
            current, size = [], 0
        current.append(slug)
        size += pages
    if current:
        groups.append(tuple(current))
    return groups


def split_units(
    units: Sequence[Unit], max_objects: int = MAX_JOB_PAGES, *, fixed_objects: int = 0
) -> list[tuple[tuple[Unit, ...], bool]]:
    """Listing units in groups of at most `max_objects` objects, in a stable order.

    The first group also carries the `fixed_objects` that depend on no post (and is
    there even for a site with no listings, since those objects change with a design).
    Returns (units, carries the fixed objects) per group.
    """
    ordered = sorted(units, key=lambda unit: json.dumps(unit_to_dict(unit), sort_keys=True))
    groups: list[tuple[tuple[Unit, ...], bool]] = []
    first_room = max(1, max_objects - fixed_objects) if fixed_objects else max_objects
    start = 0
    if fixed_objects:
        groups.append((tuple(ordered[:first_room]), True))
        start = first_room
    for index in range(start, len(ordered), max_objects):
        groups.append((tuple(ordered[index : index + max_objects]), False))
    return groups
