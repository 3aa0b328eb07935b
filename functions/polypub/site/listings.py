"""Listing collections and the bounded queries that build them.

A listing page shows posts of one collection: a language's home, or one project's or
one author's posts in a language. Each collection has a front page (its newest posts)
and one archive page per month, so a change to one post touches a few pages whose size
depends on how much a school writes in a month, never on how big the site has grown.
The sitemap is split the same way: one file per month of posts, and an index.

Collections are named by strings the catalog can index on (`home/en`,
`project/en/proyecto-2`, `author/es/lucia-perez`, and `all` for the sitemap); the
position of a post in every collection is its sort key, `<date>#<slug>`, newest last
in text order, so "newest first" is a descending scan.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from polypub.model import PostEntry
from polypub.site import urls

ALL = "all"
KINDS = ("home", "project", "author")
EPOCH = "1970-01-01T00:00:00Z"


def timestamp(value: str | None) -> str | None:
    """An ISO 8601 date or datetime as RFC 3339 UTC (what Atom and sitemaps want)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # the catalog stores UTC
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sort_key(entry: PostEntry) -> str:
    """Where a post sits in every collection: its date (the upload time without one), slug."""
    return f"{timestamp(entry.date) or timestamp(entry.updated) or EPOCH}#{entry.slug}"


def period_of(key: str) -> str:
    """The archive month of a sort key: `2024-05`."""
    return key[:7]


def collection(kind: str, lang: str, group: str = "") -> str:
    return f"{kind}/{lang}/{group}" if group else f"{kind}/{lang}"


def parse_collection(name: str) -> tuple[str, str, str]:
    """`project/en/proyecto-2` -> ("project", "en", "proyecto-2"); `all` -> ("all", "", "")."""
    kind, lang, group = [*name.split("/", 2), "", ""][:3]
    return kind, lang, group


def with_lang(name: str, lang: str) -> str:
    """The same collection in another language."""
    kind, _, group = parse_collection(name)
    return collection(kind, lang, group)


def collections_of(entry: PostEntry) -> list[str]:
    """Every collection the post is listed in: `all`, and per language version it has."""
    if not entry.versions:
        return []
    out = [ALL]
    for lang in sorted(entry.versions):
        out.append(collection("home", lang))
        if entry.project:
            out.append(collection("project", lang, urls.project_slug(entry.project)))
        if entry.author:
            out.append(collection("author", lang, urls.author_slug(entry.author)))
    return out


class ListingSource(Protocol):
    """The queries listings need; each reads a bounded number of entries."""

    def newest_posts(self, collection: str, limit: int) -> list[PostEntry]:
        """The collection's newest `limit` posts, newest first."""

    def posts_in_period(
        self, collection: str, period: str, limit: int | None = None
    ) -> list[PostEntry]:
        """The collection's posts of one month, newest first (at most `limit`)."""

    def neighbour_periods(self, collection: str, period: str) -> tuple[str | None, str | None]:
        """The nearest months before and after `period` with posts: (newer, older)."""


class ListingIndex:
    """The ListingSource over entries held in memory, kept sorted as entries change.

    The local catalog uses it, and full rebuilds use it over the whole catalog read once.
    """

    def __init__(self, entries: Iterable[PostEntry] = ()) -> None:
        self._entries: dict[str, PostEntry] = {}
        self._keys: dict[str, str] = {}  # slug -> sort key
        self._sorted: dict[str, list[tuple[str, str]]] = {}  # collection -> [(key, slug)]
        loaded = list(entries)
        for entry in loaded:
            self._entries[entry.slug] = entry
            self._keys[entry.slug] = sort_key(entry)
            for name in collections_of(entry):
                self._sorted.setdefault(name, []).append((self._keys[entry.slug], entry.slug))
        for items in self._sorted.values():
            items.sort()

    def put(self, entry: PostEntry) -> None:
        self.remove(entry.slug)
        key = sort_key(entry)
        self._entries[entry.slug] = entry
        self._keys[entry.slug] = key
        for name in collections_of(entry):
            bisect.insort(self._sorted.setdefault(name, []), (key, entry.slug))

    def remove(self, slug: str) -> None:
        old = self._entries.pop(slug, None)
        if old is None:
            return
        key = self._keys.pop(slug)
        for name in collections_of(old):
            items = self._sorted[name]
            index = bisect.bisect_left(items, (key, slug))
            if index < len(items) and items[index] == (key, slug):
                del items[index]
            if not items:
                del self._sorted[name]

    def get(self, slug: str) -> PostEntry | None:
        return self._entries.get(slug)

    def entries(self) -> list[PostEntry]:
        return list(self._entries.values())

    def collections(self) -> list[str]:
        return sorted(self._sorted)

    def periods(self, collection: str) -> list[str]:
        """Every month with posts in the collection, newest first."""
        return sorted({period_of(key) for key, _ in self._sorted.get(collection, [])}, reverse=True)

    def newest_posts(self, collection: str, limit: int) -> list[PostEntry]:
        items = self._sorted.get(collection, [])
        return [self._entries[slug] for _, slug in reversed(items[max(0, len(items) - limit) :])]

    def posts_in_period(
        self, collection: str, period: str, limit: int | None = None
    ) -> list[PostEntry]:
        items = self._sorted.get(collection, [])
        start = bisect.bisect_left(items, (period,))
        end = bisect.bisect_left(items, (period + "\uffff",))
        found = [self._entries[slug] for _, slug in reversed(items[start:end])]
        return found if limit is None else found[:limit]

    def neighbour_periods(self, collection: str, period: str) -> tuple[str | None, str | None]:
        items = self._sorted.get(collection, [])
        start = bisect.bisect_left(items, (period,))
        end = bisect.bisect_left(items, (period + "\uffff",))
        older = period_of(items[start - 1][0]) if start > 0 else None
        newer = period_of(items[end][0]) if end < len(items) else None
        return newer, older


def in_sitemap(entry: PostEntry, languages: Sequence[str]) -> bool:
    """The sitemaps list a post's versions in the site's languages: has it any?"""
    return any(lang in languages for lang in entry.versions)


def sitemap_periods(languages: Sequence[str], index: ListingIndex) -> list[str]:
    """The months whose sitemap lists something, newest first (not every month with
    posts: a post may have versions only in languages the site no longer has)."""
    return [
        period
        for period in index.periods(ALL)
        if any(in_sitemap(entry, languages) for entry in index.posts_in_period(ALL, period))
    ]


def newest_first(entries: Sequence[PostEntry]) -> list[PostEntry]:
    """The order of every listing: newest first by sort key (date, then slug)."""
    return sorted(entries, key=sort_key, reverse=True)


# ---------------------------------------------------------------- units of work


@dataclass(frozen=True)
class Front:
    """A collection's front page: its newest posts."""

    collection: str


@dataclass(frozen=True)
class Archive:
    """A collection's posts of one month."""

    collection: str
    period: str


@dataclass(frozen=True)
class Feed:
    """A language's Atom feed."""

    lang: str


@dataclass(frozen=True)
class SitemapShard:
    """The sitemap of the posts dated in one month."""

    period: str


Unit = Front | Archive | Feed | SitemapShard


def all_units(languages: Sequence[str], index: ListingIndex) -> list[Unit]:
    """Every listing unit of a site (a full rebuild)."""
    units: list[Unit] = [Front(collection("home", lang)) for lang in languages]
    units += [Feed(lang) for lang in languages]
    for name in index.collections():
        kind, lang, _ = parse_collection(name)
        if name == ALL:
            units += [SitemapShard(period) for period in index.periods(ALL)]
            continue
        if lang not in languages:
            continue
        if kind != "home":
            units.append(Front(name))
        units += [Archive(name, period) for period in index.periods(name)]
    return units


def _shown(entry: PostEntry | None, lang: str) -> tuple[object, ...] | None:
    """What a listing shows of a post in one language: a change here re-renders its pages."""
    version = entry.versions.get(lang) if entry is not None else None
    if entry is None or version is None:
        return None
    return (sort_key(entry), version.title, version.description, entry.author, entry.project)


def affected_units(
    languages: Sequence[str],
    before: PostEntry | None,
    after: PostEntry | None,
    source: ListingSource,
) -> tuple[set[Unit], bool]:
    """The listing units one post's change touches, and whether the sitemap index may change.

    `before` and `after` are the catalog entry before and after the change (None when
    absent); `source` answers with the catalog as it is now. Every unit named here is
    rendered and compared with what is stored, so naming one too many costs a render,
    never a wrong page; naming one too few would leave a page stale, so each rule below
    says which pages show what changed:

    - the feed of each language the post is in (feeds show when it was updated);
    - the sitemap of its month (sitemaps too);
    - per collection whose shown values changed (title, description, date, author,
      project): the front page and the month's archive page;
    - when the post joins, leaves or changes month in a collection: the neighbouring
      months' pages (their newer/older links) and the same pages in the other
      languages (their hreflang alternates);
    - the sitemap index, when a month's sitemap appears or empties.
    """
    change = _Change.of(before, after, languages)
    units: set[Unit] = {Feed(lang) for lang in change.langs if lang in languages}
    index_changes = False
    for name in sorted(change.in_before | change.in_after):
        if name == ALL:
            shards, index_changes = _sitemap_units(change, languages, source)
            units |= shards
        else:
            units |= _collection_units(change, name, languages, source)
    return units, index_changes


@dataclass(frozen=True)
class _Change:
    """One post's change as the listings see it: its places before and after."""

    before: PostEntry | None
    after: PostEntry | None
    key_before: str | None
    key_after: str | None
    in_before: frozenset[str]
    in_after: frozenset[str]
    langs: frozenset[str]
    # The sitemaps list the versions in the site's languages: a post with none (a version
    # in a language the site dropped) is in no shard.
    in_sitemap_before: bool
    in_sitemap_after: bool

    @classmethod
    def of(
        cls, before: PostEntry | None, after: PostEntry | None, languages: Sequence[str]
    ) -> _Change:
        return cls(
            before=before,
            after=after,
            key_before=sort_key(before) if before is not None else None,
            key_after=sort_key(after) if after is not None else None,
            in_before=frozenset(collections_of(before)) if before is not None else frozenset(),
            in_after=frozenset(collections_of(after)) if after is not None else frozenset(),
            langs=frozenset(
                lang for entry in (before, after) if entry is not None for lang in entry.versions
            ),
            in_sitemap_before=before is not None and in_sitemap(before, languages),
            in_sitemap_after=after is not None and in_sitemap(after, languages),
        )


def _sitemap_units(
    change: _Change, languages: Sequence[str], source: ListingSource
) -> tuple[set[Unit], bool]:
    """The sitemap shards of the post's months, and whether the index may change."""
    periods = {
        period_of(key)
        for key, present in (
            (change.key_before, change.in_sitemap_before),
            (change.key_after, change.in_sitemap_after),
        )
        if key is not None and present
    }
    units: set[Unit] = {SitemapShard(period) for period in periods}
    index_changes = False
    if change.in_sitemap_before != change.in_sitemap_after or len(periods) > 1:
        # The index changes only when a month's sitemap appears or empties (the same
        # question as the shard's own, so it is asked once).
        for period in periods:
            listed = [
                entry
                for entry in source.posts_in_period(ALL, period)
                if in_sitemap(entry, languages)
            ]
            mine = (
                change.key_after is not None
                and period_of(change.key_after) == period
                and change.in_sitemap_after
            )
            if not listed or (mine and len(listed) == 1):
                index_changes = True
    return units, index_changes


def _collection_units(
    change: _Change, name: str, languages: Sequence[str], source: ListingSource
) -> set[Unit]:
    """The pages of one collection (and its other languages) that show what changed."""
    kind, lang, _ = parse_collection(name)
    if lang not in languages:
        return set()
    was_in, is_in = name in change.in_before, name in change.in_after
    shown_before = _shown(change.before, lang) if was_in else None
    shown_after = _shown(change.after, lang) if is_in else None
    if shown_before == shown_after:
        return set()
    units: set[Unit] = {Front(name)}
    periods = {
        period_of(key)
        for key, member in ((change.key_before, was_in), (change.key_after, is_in))
        if key is not None and member
    }
    units |= {Archive(name, period) for period in periods}
    if was_in == is_in and len(periods) == 1:
        return units
    for period in periods:
        newer, older = source.neighbour_periods(name, period)
        units |= {Archive(name, near) for near in (newer, older) if near}
        for other in languages:
            if other != lang:
                units.add(Archive(with_lang(name, other), period))
                if kind != "home":
                    units.add(Front(with_lang(name, other)))
    return units
