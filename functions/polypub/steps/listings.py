"""Listing pages, feeds and sitemaps: re-render the units a batch's catalog changes touch."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from polypub.model import PostEntry
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.listings import (
    Feed,
    Front,
    ListingIndex,
    ListingSource,
    SitemapShard,
    Unit,
    affected_units,
    collection,
    sitemap_periods,
)
from polypub.site.pages import (
    Rendered,
    build_listings,
    fixed_objects,
    render_unit,
    sitemap_index,
    unit_key,
)
from polypub.site.urls import listing_prefixes
from polypub.steps.context import Outcome, Services
from polypub.steps.errors import ListingsUnsettledError
from polypub.steps.site_writing import (
    SiteObject,
    delete_existing,
    delete_site_objects,
    digest_of,
    write_site_objects,
)

# Rebuilds before the batch goes back to SQS for a retry: a catalog still changing
# after five rounds is in a burst, and each change's own function rebuilds after it.
MAX_LISTING_ROUNDS = 5


def refresh_listings(outcomes: Sequence[Outcome], services: Services) -> list[str]:
    """Regenerate the listing pages, feeds and sitemaps the steps' catalog changes touch.

    A design change rebuilds every listing (rebuild_listings). Otherwise only the units
    listings.affected_units names for each changed entry are rendered, each from bounded
    catalog queries, and written where their bytes differ: the work depends on what
    changed, not on the size of the site.
    """
    # What earlier runs changed but did not get to show (they died first) comes first:
    # the listings still show those entries as they were then.
    before = services.catalog.pending_entries()
    pending = dict(before)
    if any(outcome.rebuild_all for outcome in outcomes):
        rebuilt = rebuild_listings(services)
        services.catalog.remove_pending_entries(pending)
        return rebuilt
    for outcome in outcomes:
        for slug, entry in outcome.entries_before.items():
            before.setdefault(slug, entry)
    if not before:
        return []
    if len(before) >= MANY_CHANGES:
        changed = _refresh_from_whole_catalog(before, services)
    else:
        changed = _refresh_units(before, services)
    services.catalog.remove_pending_entries(before)
    return changed


def _refresh_units(before: Mapping[str, PostEntry | None], services: Services) -> list[str]:
    """Render the affected units from bounded queries, until the catalog stops changing.

    Functions running at the same time each render from the catalog they read, and a
    render from an older catalog could land after a newer one. So after writing, the
    catalog's change count is read again; if a post changed meanwhile, the same
    queries are asked again, and a round whose answers changed is done again: the
    function that finishes last has rendered from the final catalog (S3 and DynamoDB
    reads are strongly consistent), so no change is ever lost.
    """
    site = services.site_config
    changed: list[str] = []
    count = services.catalog.change_count()
    queries = _RecordedQueries(services.catalog)
    units, index_changes = _affected(before, site, queries, services)
    for _ in range(MAX_LISTING_ROUNDS):
        asked: dict[Unit, set[tuple[object, ...]]] = {}
        rendered: dict[str, Rendered | None] = {}
        for unit in units:
            with queries.recording() as calls:
                rendered[unit_key(unit)] = render_unit(site, unit, queries)
            asked[unit] = calls
        if index_changes:
            # 404 pages, robots.txt, the homes' sitemap and the static files change
            # only with a design (rebuild_listings) or an upgrade; a site that never
            # had a design upload gets them with its first post, and they are checked
            # again whenever a month's sitemap appears or empties.
            rendered.update(fixed_objects(site))
        changed += _write_listing_objects(rendered, services)
        if index_changes:
            changed += _write_sitemap_index(site, services)
            index_changes = False
        # No post changed meanwhile (one read)? Else the units whose questions now
        # answer differently are rendered again (a concurrent change's own units are
        # its own function's to render).
        latest = services.catalog.change_count()
        if latest == count:
            return changed
        count = latest
        # Units confirmed here are done: a change landing later is rendered by its own
        # function after this one's writes. Only the units rendered again are checked
        # again in the next round.
        stale = queries.ask_again(set().union(*asked.values()))
        units = {unit for unit, calls in asked.items() if calls & stale}
        if not units:
            return changed
    raise ListingsUnsettledError(
        f"the catalog changed during {MAX_LISTING_ROUNDS} rebuilds of the listings"
    )


def _affected(
    before: Mapping[str, PostEntry | None],
    site: SiteConfig,
    queries: _RecordedQueries,
    services: Services,
) -> tuple[set[Unit], bool]:
    """The units the changed entries touch, and whether the sitemap index may change."""
    units: set[Unit] = set()
    index_changes = False
    for slug, entry in before.items():
        found, index = affected_units(
            site.languages, entry, services.catalog.get_post(slug), queries
        )
        units |= found
        index_changes = index_changes or index
    if len(before) > 1 and any(isinstance(unit, SitemapShard) for unit in units):
        # affected_units tells a month's sitemap appearing or emptying for one change
        # against the current catalog; with several, the index is simply checked.
        index_changes = True
    if index_changes:
        units |= _always_there(site)
    return units, index_changes


# From this many changed posts in one batch on, reading the whole catalog once (and
# the listing objects' digests in one listing per folder) costs fewer calls than
# asking each unit's questions and HEADing each unit: a burst of uploads, not a
# republish.
MANY_CHANGES = 5


def _refresh_from_whole_catalog(
    before: Mapping[str, PostEntry | None], services: Services
) -> list[str]:
    """refresh_listings for a batch of many changes: the same units, from one catalog read."""
    site = services.site_config

    def write(entries: list[PostEntry]) -> list[str]:
        index = ListingIndex(entries)
        units: set[Unit] = set()
        for slug, entry in before.items():
            units |= affected_units(site.languages, entry, index.get(slug), index)[0]
        # A few cheap objects, checked from this one listing anyway.
        units |= _always_there(site)
        rendered: dict[str, Rendered | None] = {
            unit_key(unit): render_unit(site, unit, index) for unit in units
        }
        rendered.update(fixed_objects(site))
        rendered[urls.object_key(urls.SITEMAP_URL)] = sitemap_index(
            site, sitemap_periods(site.languages, index)
        )
        stored = _stored_digests(list(rendered), site, services)
        changed = write_site_objects(
            {
                key: SiteObject(item.body, item.content_type)
                for key, item in rendered.items()
                if item is not None
            },
            services,
            stored=stored,
        )
        return changed + delete_site_objects(
            [key for key, item in rendered.items() if item is None and stored.get(key)],
            services,
        )

    return _until_the_catalog_settles(write, services)


def _until_the_catalog_settles(
    write: Callable[[list[PostEntry]], list[str]], services: Services
) -> list[str]:
    """Write from the whole catalog, read it again, and write again while it changed.

    Functions running at the same time each write from the catalog they read; the one
    that finishes last wrote from the final catalog, so no change is lost. A catalog
    still changing after MAX_LISTING_ROUNDS fails the batch for a retry.
    """
    changed: list[str] = []
    entries = services.catalog.list_posts()
    for _ in range(MAX_LISTING_ROUNDS):
        changed += write(entries)
        latest = services.catalog.list_posts()
        if _fingerprint(latest) == _fingerprint(entries):
            return changed
        entries = latest
    raise ListingsUnsettledError(
        f"the catalog changed during {MAX_LISTING_ROUNDS} rebuilds of the listings"
    )


def _always_there(site: SiteConfig) -> set[Unit]:
    """Each language's home and feed: they exist before its first post does."""
    units: set[Unit] = {Front(collection("home", lang)) for lang in site.languages}
    return units | {Feed(lang) for lang in site.languages}


def _stored_digests(keys: Sequence[str], site: SiteConfig, services: Services) -> dict[str, str]:
    """Digests of the listing objects among `keys`: one listing per listing folder they
    are in, and a HEAD for the few elsewhere (feeds, the sitemap index)."""
    prefixes = {
        prefix for key in keys for prefix in listing_prefixes(site) if key.startswith(prefix)
    }
    found = {
        info.key: info.digest for prefix in prefixes for info in services.site.list_objects(prefix)
    }
    for key in keys:
        if not key.startswith(tuple(prefixes)) and (digest := digest_of(services.site, key)):
            found[key] = digest
    return found


class _RecordedQueries:
    """The catalog's listing queries, remembered so they can be asked again and compared."""

    def __init__(self, catalog: ListingSource) -> None:
        self._catalog = catalog
        self._answers: dict[tuple[object, ...], object] = {}
        self._calls: set[tuple[object, ...]] | None = None

    @contextmanager
    def recording(self) -> Iterator[set[tuple[object, ...]]]:
        """The questions asked inside the block (answered from memory or not)."""
        calls: set[tuple[object, ...]] = set()
        self._calls = calls
        try:
            yield calls
        finally:
            self._calls = None

    def _ask(self, name: str, *args: object) -> object:
        # Units share questions (does this month exist in the other language?): each
        # is asked once per round.
        call = (name, *args)
        if self._calls is not None:
            self._calls.add(call)
        if call not in self._answers:
            self._answers[call] = getattr(self._catalog, name)(*args)
        return self._answers[call]

    def newest_posts(self, collection: str, limit: int) -> list[PostEntry]:
        return self._ask("newest_posts", collection, limit)  # type: ignore[return-value]

    def posts_in_period(
        self, collection: str, period: str, limit: int | None = None
    ) -> list[PostEntry]:
        return self._ask("posts_in_period", collection, period, limit)  # type: ignore[return-value]

    def neighbour_periods(self, collection: str, period: str) -> tuple[str | None, str | None]:
        return self._ask("neighbour_periods", collection, period)  # type: ignore[return-value]

    def ask_again(self, calls: set[tuple[object, ...]]) -> set[tuple[object, ...]]:
        """Ask these questions again; the ones whose answer changed.

        Only their fresh answers are kept: anything else asked from now on is asked anew.
        """
        stale = set()
        fresh: dict[tuple[object, ...], object] = {}
        for call in calls:
            fresh[call] = getattr(self._catalog, str(call[0]))(*call[1:])
            if fresh[call] != self._answers.get(call):
                stale.add(call)
        self._answers = fresh
        return stale


def _write_listing_objects(
    rendered: Mapping[str, Rendered | None], services: Services
) -> list[str]:
    """Write what has bytes; delete what rendered empty (an emptied month, project, author)."""
    changed = write_site_objects(
        {
            key: SiteObject(item.body, item.content_type)
            for key, item in rendered.items()
            if item is not None
        },
        services,
    )
    return changed + delete_existing(
        [key for key, item in rendered.items() if item is None], services
    )


def _write_sitemap_index(site: SiteConfig, services: Services) -> list[str]:
    """/sitemap.xml from the monthly sitemaps in the bucket, until a listing confirms it."""
    prefix = urls.SITEMAPS_KEY_PREFIX
    pages = urls.object_key(urls.SITEMAP_PAGES_URL)
    changed: list[str] = []
    for _ in range(MAX_LISTING_ROUNDS):
        shards = sorted(k for k in services.site.list_keys(prefix) if k != pages)
        periods = [k[len(prefix) : -len(".xml")] for k in shards if k.endswith(".xml")]
        index = sitemap_index(site, periods)
        changed += write_site_objects(
            {urls.object_key(urls.SITEMAP_URL): SiteObject(index.body, index.content_type)},
            services,
        )
        if sorted(k for k in services.site.list_keys(prefix) if k != pages) == shards:
            return changed
    raise ListingsUnsettledError("the monthly sitemaps kept changing while indexing them")


def write_units(units: Iterable[Unit], services: Services, *, fixed: bool = False) -> list[str]:
    """Render these listing units from bounded catalog queries; write what changed.

    One republish job's share of the listings (steps/jobs_run.py). With `fixed`, also
    the objects that depend on no post (404 pages, robots.txt, the stylesheet) and the
    sitemap index, which one job of each run writes.
    """
    site = services.site_config
    rendered: dict[str, Rendered | None] = {
        unit_key(unit): render_unit(site, unit, services.catalog) for unit in units
    }
    if fixed:
        rendered.update(fixed_objects(site))
    changed = _write_listing_objects(rendered, services)
    if fixed:
        changed += _write_sitemap_index(site, services)
    return changed


def rebuild_listings(services: Services) -> list[str]:
    """Regenerate every listing from the whole catalog, and delete the listings now empty.

    `polypub build` sweeping an output folder of an older site needs this; a design
    change republishes the listings as bounded jobs instead (write_units).
    """
    site = services.site_config

    def write(entries: list[PostEntry]) -> list[str]:
        rendered = build_listings(site, entries)
        stored = {info.key: info.digest for info in services.site.list_objects()}
        changed = write_site_objects(
            {key: SiteObject(item.body, item.content_type) for key, item in rendered.items()},
            services,
            stored=stored,
        )
        prefixes = listing_prefixes(site)
        stale = [k for k in stored if k.startswith(prefixes) and k not in rendered]
        return changed + delete_site_objects(stale, services)

    return _until_the_catalog_settles(write, services)


def _fingerprint(entries: Iterable[PostEntry]) -> list[str]:
    return sorted(json.dumps(entry.to_dict(), sort_keys=True) for entry in entries)
