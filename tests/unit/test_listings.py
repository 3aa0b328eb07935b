"""Listing collections: the bounded queries, and re-rendering only what one change touches.

The key property: applying listings.affected_units + pages.render_unit after every catalog
change leaves exactly the objects a full build_listings of the final catalog produces.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from polypub.model import PostEntry, VersionInfo
from polypub.settings import Settings
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.listings import (
    ALL,
    Archive,
    Feed,
    Front,
    ListingIndex,
    SitemapShard,
    Unit,
    affected_units,
    all_units,
    collection,
    collections_of,
    newest_first,
    parse_collection,
    sort_key,
)
from polypub.site.pages import build_listings, render_unit, sitemap_index, unit_key

BASE = "https://blog.example.org"
SITE = SiteConfig.from_settings(
    Settings(site_url=BASE + "/", languages=("es", "en"), page_size=2, site_name="Aula")
)


def post(
    slug: str,
    day: str | None,
    langs: Sequence[str] = ("es",),
    *,
    project: str | None = None,
    author: str | None = "IES Abastos",
    updated: str = "2024-07-01T00:00:00Z",
    title: str | None = None,
) -> PostEntry:
    return PostEntry(
        slug=slug,
        source_key=f"posts/{slug}.md",
        source_lang=langs[0],
        content_hash="h",
        updated=updated,
        date=day,
        author=author,
        project=project,
        versions={
            lang: VersionInfo(
                title or f"{slug} ({lang})", "desc", "original" if n == 0 else "machine"
            )
            for n, lang in enumerate(langs)
        },
    )


def slugs(entries: Sequence[PostEntry]) -> list[str]:
    return [entry.slug for entry in entries]


# ---------------------------------------------------------------- keys and collections


def test_sort_key_is_the_rfc3339_date_then_the_slug() -> None:
    assert sort_key(post("a", "2024-05-22")) == "2024-05-22T00:00:00Z#a"
    assert sort_key(post("a", "2024-05-22T09:30:00+02:00")) == "2024-05-22T07:30:00Z#a"
    # Without a usable date, the post sits where it was last updated.
    assert sort_key(post("a", None, updated="2024-06-01T10:00:00Z")) == "2024-06-01T10:00:00Z#a"
    assert sort_key(post("a", "someday", updated="2024-06-01T10:00:00Z")).startswith("2024-06")


def test_a_post_is_in_every_collection_of_each_language_it_has() -> None:
    entry = post("a", "2024-05-22", ("es", "en"), project="Proyecto Erasmus+", author="Lucía Pérez")
    assert collections_of(entry) == [
        ALL,
        "home/en",
        "project/en/proyecto-erasmus",
        "author/en/lucia-perez",
        "home/es",
        "project/es/proyecto-erasmus",
        "author/es/lucia-perez",
    ]
    assert collections_of(post("b", "2024-05-22", project=None, author=None)) == [ALL, "home/es"]
    assert collections_of(replace(entry, versions={})) == []
    assert parse_collection("project/en/proyecto-2") == ("project", "en", "proyecto-2")
    assert parse_collection(ALL) == (ALL, "", "")
    assert collection("home", "es") == "home/es"


# ---------------------------------------------------------------- ListingIndex queries

# Two posts on the same day: newest first is a descending sort, so z before a.
MAY_A = post("may-a", "2024-05-10", ("es", "en"), project="huerto")
MAY_Z = post("may-z", "2024-05-10", ("es",), project="huerto")
MAY_LATE = post("may-late", "2024-05-30", ("es",))
MARCH = post("march", "2024-03-02", ("es", "en"), project="huerto")
DEC = post("dec", "2023-12-24", ("en",), project="huerto")
INDEXED = [MAY_A, MAY_Z, MAY_LATE, MARCH, DEC]


def test_newest_posts_are_newest_first_and_bounded() -> None:
    index = ListingIndex(INDEXED)
    assert slugs(index.newest_posts("home/es", 10)) == ["may-late", "may-z", "may-a", "march"]
    assert slugs(index.newest_posts("home/es", 2)) == ["may-late", "may-z"]
    assert index.newest_posts("home/es", 0) == []
    assert slugs(index.newest_posts("project/en/huerto", 10)) == ["may-a", "march", "dec"]
    assert slugs(index.newest_posts(ALL, 10)) == slugs(newest_first(INDEXED))
    assert index.newest_posts("project/es/nothing", 5) == []


def test_posts_in_period_are_one_months_posts_newest_first() -> None:
    index = ListingIndex(INDEXED)
    assert slugs(index.posts_in_period("home/es", "2024-05")) == ["may-late", "may-z", "may-a"]
    assert slugs(index.posts_in_period("home/es", "2024-05", 1)) == ["may-late"]
    assert slugs(index.posts_in_period("home/es", "2024-03")) == ["march"]
    assert index.posts_in_period("home/es", "2024-04") == []
    assert index.posts_in_period("home/es", "2023-12") == []  # dec is English only
    assert slugs(index.posts_in_period("project/es/huerto", "2024-05")) == ["may-z", "may-a"]
    assert index.periods("home/en") == ["2024-05", "2024-03", "2023-12"]
    assert index.periods("missing") == []


def test_neighbour_periods_skip_empty_months() -> None:
    index = ListingIndex(INDEXED)
    # (newer, older)
    assert index.neighbour_periods("home/en", "2024-03") == ("2024-05", "2023-12")
    assert index.neighbour_periods("home/en", "2024-05") == (None, "2024-03")
    assert index.neighbour_periods("home/en", "2023-12") == ("2024-03", None)
    # A month without posts of its own still has neighbours (a month just emptied).
    assert index.neighbour_periods("home/en", "2024-04") == ("2024-05", "2024-03")
    assert index.neighbour_periods("home/en", "2025-01") == (None, "2024-05")
    assert index.neighbour_periods("home/es", "2023-01") == ("2024-03", None)
    assert index.neighbour_periods("missing", "2024-05") == (None, None)


def test_put_and_remove_keep_every_collection_in_order() -> None:
    index = ListingIndex()
    for entry in INDEXED:
        index.put(entry)
    fresh = ListingIndex(INDEXED)
    for name in fresh.collections():
        assert index.newest_posts(name, 99) == fresh.newest_posts(name, 99), name
    # An edit moves the post: out of its old month and collections, into the new ones.
    moved = replace(
        MAY_A, date="2023-11-05", project="robotica", versions={"es": MAY_A.versions["es"]}
    )
    index.put(moved)
    assert index.get("may-a") == moved
    assert slugs(index.newest_posts("home/es", 9)) == ["may-late", "may-z", "march", "may-a"]
    assert slugs(index.posts_in_period("home/es", "2024-05")) == ["may-late", "may-z"]
    assert slugs(index.newest_posts("home/en", 9)) == ["march", "dec"]
    assert slugs(index.newest_posts("project/es/robotica", 9)) == ["may-a"]
    assert slugs(index.newest_posts("project/es/huerto", 9)) == ["may-z", "march"]
    assert index.neighbour_periods("home/es", "2024-03") == ("2024-05", "2023-11")
    index.remove("may-a")
    index.remove("may-a")  # removing what is not there changes nothing
    assert index.get("may-a") is None
    assert "project/es/robotica" not in index.collections()
    assert sorted(slugs(index.entries())) == ["dec", "march", "may-late", "may-z"]
    rebuilt = ListingIndex(index.entries())
    assert index.collections() == rebuilt.collections()
    for name in rebuilt.collections():
        assert index.newest_posts(name, 99) == rebuilt.newest_posts(name, 99), name


# ---------------------------------------------------------------- incremental == full


class Site:
    """Site objects kept up to date the way the pipeline does, one catalog change at a time."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self.index = ListingIndex()
        self.objects = {key: item.body for key, item in build_listings(site, []).items()}

    def change(self, slug: str, after: PostEntry | None) -> set[Unit]:
        before = self.index.get(slug)
        if after is None:
            self.index.remove(slug)
        else:
            self.index.put(after)
        units, index_changes = affected_units(self.site.languages, before, after, self.index)
        for unit in units:
            rendered = render_unit(self.site, unit, self.index)
            if rendered is None:
                self.objects.pop(unit_key(unit), None)
            else:
                self.objects[unit_key(unit)] = rendered.body
        if index_changes:
            prefix, pages = urls.SITEMAPS_KEY_PREFIX, urls.object_key(urls.SITEMAP_PAGES_URL)
            periods = [
                key.removeprefix(prefix).removesuffix(".xml")
                for key in self.objects
                if key.startswith(prefix) and key != pages
            ]
            index = sitemap_index(self.site, periods)
            self.objects[urls.object_key(urls.SITEMAP_URL)] = index.body
        return units

    def full_build(self) -> dict[str, bytes]:
        return {
            key: item.body for key, item in build_listings(self.site, self.index.entries()).items()
        }


def assert_same_site(got: dict[str, bytes], want: dict[str, bytes], step: str) -> None:
    assert sorted(got) == sorted(want), step
    differing = sorted(key for key in want if got[key] != want[key])
    assert not differing, (step, differing)


MONTHS = ["2023-11", "2023-12", "2024-01", "2024-02", "2024-05"]
PROJECTS = [None, "huerto", "Huerto", "Proyecto Erasmus+"]  # huerto/Huerto: one slug
AUTHORS = [None, "Lucía Pérez", "lucia perez", "IES Abastos"]  # the same for the first two
LANGS = ["es", "en"]


class Changes:
    """Random catalog changes, each as a pipeline step would make it (updated = now)."""

    def __init__(self, seed: int, extra_language: str | None = None) -> None:
        self.rng = random.Random(seed)  # noqa: S311 -- reproducible test data
        self.clock = 0
        self.next_slug = 0
        self.langs = [*LANGS, extra_language] if extra_language else LANGS

    def now(self) -> str:
        """A later time at each call: every change updates the entry."""
        self.clock += 1
        day, minute = divmod(self.clock, 24 * 60)
        return f"2024-06-{1 + day % 28:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z"

    def day(self) -> str | None:
        if self.rng.random() < 0.1:
            return None  # no date: listed where it was last updated
        day = self.rng.choice([1, 10, 10, 28])  # equal days: ties broken by slug
        return f"{self.rng.choice(MONTHS)}-{day:02d}"

    def version(self, lang: str) -> VersionInfo:
        return VersionInfo(f"title {self.rng.randrange(1000)} ({lang})", "d", "machine")

    def new(self) -> PostEntry:
        self.next_slug += 1
        langs = self.rng.sample(self.langs, self.rng.randint(1, len(self.langs)))
        return PostEntry(
            slug=f"post-{self.rng.choice('amz')}{self.next_slug}",
            source_key=f"posts/p{self.next_slug}.md",
            source_lang=langs[0],
            content_hash=str(self.clock),
            updated=self.now(),
            date=self.day(),
            author=self.rng.choice(AUTHORS),
            project=self.rng.choice(PROJECTS),
            versions={lang: self.version(lang) for lang in langs},
        )

    def step(self, index: ListingIndex) -> tuple[str, str, PostEntry | None]:
        """(what, slug, the entry after): one change to a random post, or a new post."""
        entries = sorted(index.entries(), key=lambda e: e.slug)
        what = self.rng.choice(
            ["add"] * 3 + ["title", "date", "project", "author", "lang+", "lang-", "body", "delete"]
        )
        if what == "add" or not entries:
            entry = self.new()
            return "add", entry.slug, entry
        old = self.rng.choice(entries)
        edited = replace(old, updated=self.now(), content_hash=str(self.clock))
        versions = dict(old.versions)
        if what == "title":
            lang = self.rng.choice(sorted(versions))
            versions[lang] = replace(versions[lang], title=f"retitled {self.clock}")
        elif what == "date":
            edited = replace(edited, date=self.day())
        elif what == "project":
            edited = replace(edited, project=self.rng.choice(PROJECTS))
        elif what == "author":
            edited = replace(edited, author=self.rng.choice(AUTHORS))
        elif what == "lang+":
            missing = [lang for lang in self.langs if lang not in versions]
            if missing:
                lang = self.rng.choice(missing)
                versions[lang] = self.version(lang)
        elif what == "lang-" and len(versions) > 1:
            del versions[self.rng.choice(sorted(versions))]
        elif what == "delete":
            return what, old.slug, None
        return what, old.slug, replace(edited, versions=versions)


@pytest.mark.parametrize(("seed", "extra_language"), [(1, None), (2, None), (4, "ca")])
def test_re_rendering_the_affected_units_gives_what_a_full_build_gives(
    seed: int, extra_language: str | None
) -> None:
    # "ca" is not a site language: a post may keep a version in a language the site
    # dropped, which no listing or sitemap shows.
    site = Site(SITE)
    changes = Changes(seed, extra_language)
    for number in range(150):
        what, slug, after = changes.step(site.index)
        site.change(slug, after)
        assert_same_site(site.objects, site.full_build(), f"step {number}: {what} {slug}")
    # The random walk reached every kind of page.
    keys = set(site.objects)
    for part in ("/archive/", "/projects/", "/authors/", "sitemaps/20"):
        assert any(part in key for key in keys), part
    assert len(site.index.entries()) > 10


def test_deleting_every_post_leaves_what_an_empty_build_gives() -> None:
    site = Site(SITE)
    changes = Changes(7)
    for _ in range(30):
        entry = changes.new()
        site.change(entry.slug, entry)
    for entry in sorted(site.index.entries(), key=lambda e: e.slug):
        site.change(entry.slug, None)
    assert_same_site(site.objects, Site(SITE).objects, "all deleted")


def test_a_body_only_edit_re_renders_the_feeds_and_the_months_sitemap_only() -> None:
    entries = [
        post(f"p{n}", f"2024-0{1 + n % 5}-1{n % 9}", ("es", "en"), project="huerto")
        for n in range(20)
    ]
    index = ListingIndex(entries)
    before = entries[7]
    after = replace(before, content_hash="new", updated="2024-07-02T10:00:00Z")
    index.put(after)
    units, index_changes = affected_units(SITE.languages, before, after, index)
    assert units == {Feed("es"), Feed("en"), SitemapShard((before.date or "")[:7])}
    assert not index_changes


def test_a_title_edit_re_renders_the_pages_showing_the_post_and_no_neighbours() -> None:
    entries = [
        post(f"p{n}", f"2024-0{1 + n % 5}-1{n % 9}", ("es", "en"), project="huerto")
        for n in range(20)
    ]
    index = ListingIndex(entries)
    before = entries[7]
    versions = {**before.versions, "en": replace(before.versions["en"], title="New title")}
    after = replace(before, versions=versions, updated="2024-07-02T10:00:00Z")
    index.put(after)
    units, index_changes = affected_units(SITE.languages, before, after, index)
    month = (before.date or "")[:7]
    assert units == {
        Feed("es"),
        Feed("en"),
        SitemapShard(month),
        *(Front(f"{kind}/en") for kind in ("home",)),
        Front("project/en/huerto"),
        Front("author/en/ies-abastos"),
        Archive("home/en", month),
        Archive("project/en/huerto", month),
        Archive("author/en/ies-abastos", month),
    }
    assert not index_changes


class CountingSource:
    """A ListingSource that counts the entries its queries return."""

    def __init__(self, index: ListingIndex) -> None:
        self.index = index
        self.read = 0
        self.calls = 0

    def _count(self, found: list[PostEntry]) -> list[PostEntry]:
        self.calls += 1
        self.read += len(found)
        return found

    def newest_posts(self, collection: str, limit: int) -> list[PostEntry]:
        return self._count(self.index.newest_posts(collection, limit))

    def posts_in_period(
        self, collection: str, period: str, limit: int | None = None
    ) -> list[PostEntry]:
        return self._count(self.index.posts_in_period(collection, period, limit))

    def neighbour_periods(self, collection: str, period: str) -> tuple[str | None, str | None]:
        self.calls += 1
        return self.index.neighbour_periods(collection, period)


def school(posts: int) -> list[PostEntry]:
    """A school writing 10 posts a month in es and (half of them) en; `posts` sets how long."""
    out = []
    for n in range(posts):
        month = n // 10
        year, month_number = 2000 + month // 12, 1 + month % 12
        out.append(
            post(
                f"p{n:04d}",
                f"{year}-{month_number:02d}-{1 + n % 10:02d}",
                ("es", "en") if n % 2 else ("es",),
                project=f"project-{n % 3}",
                author=f"Author {n % 4}",
            )
        )
    return out


CHANGES: dict[str, Callable[[PostEntry], PostEntry | None]] = {
    "body": lambda e: replace(e, content_hash="new"),
    "title": lambda e: replace(
        e, versions={**e.versions, "es": replace(e.versions["es"], title="Another title")}
    ),
    "date to another month": lambda e: replace(e, date="2000-08-15"),
    "project": lambda e: replace(e, project="project-new"),
    "author": lambda e: replace(e, author="Author 1"),
    "add English": lambda e: replace(
        e, versions={**e.versions, "en": VersionInfo("In English", None, "machine")}
    ),
    "delete": lambda e: None,
}


def cost(posts: int, change: Callable[[PostEntry], PostEntry | None]) -> tuple[int, int, int]:
    """(units named, queries asked, entries read) to re-render after one change."""
    index = ListingIndex(school(posts))
    before = index.get("p0054")  # May 2000: in both sites, with months around it
    assert before is not None
    after = change(before)
    if after is None:
        index.remove(before.slug)
    else:
        index.put(after)
    source = CountingSource(index)
    units, _ = affected_units(SITE.languages, before, after, source)
    for unit in units:
        render_unit(SITE, unit, source)
    return len(units), source.calls, source.read


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_what_one_change_costs_does_not_grow_with_the_site(name: str) -> None:
    small, large = cost(100, CHANGES[name]), cost(1000, CHANGES[name])
    assert small == large, (name, small, large)
    units, _, read = large
    assert units < 40
    assert read < 200


def test_all_units_are_every_front_archive_feed_and_shard() -> None:
    index = ListingIndex(INDEXED)
    units = all_units(SITE.languages, index)
    assert len(units) == len(set(units))
    assert set(units) >= {Front("home/es"), Front("home/en"), Feed("es"), Feed("en")}
    assert {u.period for u in units if isinstance(u, SitemapShard)} == {
        "2024-05",
        "2024-03",
        "2023-12",
    }
    assert {u.period for u in units if isinstance(u, Archive) and u.collection == "home/en"} == {
        "2024-05",
        "2024-03",
        "2023-12",
    }
    # A site in one language has no units for the other.
    spanish = all_units(("es",), index)
    assert not [u for u in spanish if isinstance(u, Front | Archive) and "/en" in u.collection]
