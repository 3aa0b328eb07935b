"""steps/listings.py: the listings a change touches, refreshed from the catalog it left."""

from __future__ import annotations

from conftest import Site, post
from polypub.steps.context import Outcome
from polypub.steps.listings import MANY_CHANGES, rebuild_listings, refresh_listings


def _home(site: Site, lang: str = "en") -> str:
    data = site.services.site.get(f"{lang}/index.html")
    return "" if data is None else data.decode("utf-8")


def test_a_published_post_appears_on_its_home_and_feed(site: Site) -> None:
    site.upload("posts/a.md", post("First post", date="2024-05-22"))
    site.run("posts/a.md")
    assert "First post" in _home(site)
    feed = site.services.site.get("en/feed.xml")
    assert feed is not None
    assert b"First post" in feed
    assert site.services.site.get("en/archive/2024/05/index.html") is not None
    assert site.services.catalog.pending_entries() == {}


def test_a_deleted_post_leaves_the_listings(site: Site) -> None:
    site.upload("posts/a.md", post("First post", date="2024-05-22"))
    site.run("posts/a.md")
    site.delete("posts/a.md")
    site.run("posts/a.md")
    assert "First post" not in _home(site)
    assert site.services.site.get("en/archive/2024/05/index.html") is None


def test_entries_left_pending_by_a_crash_are_shown_by_the_next_refresh(site: Site) -> None:
    site.upload("posts/a.md", post("Crashed before its listings"))
    from polypub.pipeline import process_source_key

    process_source_key("posts/a.md", site.services)  # no finish(): as if the function died
    assert "Crashed" not in _home(site)
    refresh_listings([], site.services)
    assert "Crashed before its listings" in _home(site)


def test_many_changes_and_a_full_rebuild_give_the_same_listings(site: Site) -> None:
    outcomes: list[Outcome] = []
    from polypub.pipeline import process_source_key

    for n in range(MANY_CHANGES + 1):
        site.upload(f"posts/p{n}.md", post(f"Post {n}", date=f"2024-0{1 + n % 9}-01"))
        outcomes.append(process_source_key(f"posts/p{n}.md", site.services))
    refresh_listings(outcomes, site.services)
    before = {key: site.services.site.get(key) for key in site.services.site.list_keys()}
    assert rebuild_listings(site.services) == []
    after = {key: site.services.site.get(key) for key in site.services.site.list_keys()}
    assert after == before
