"""steps/context.py and steps/prepared.py: what a step returns and what a batch keeps."""

from __future__ import annotations

from conftest import Site
from polypub.content.post import parse_post
from polypub.model import PostEntry
from polypub.steps.context import Outcome
from polypub.steps.prepared import Memo, machine_key, page_key, post_key, version_key


def _entry(title: str) -> PostEntry:
    return PostEntry.from_dict(
        {
            "slug": "a",
            "source_key": "posts/a.md",
            "source_lang": "en",
            "content_hash": "h",
            "updated": "2026-01-01T00:00:00Z",
            "versions": {"en": {"title": title, "kind": "original"}},
        }
    )


def test_absorbing_keeps_the_first_before_and_every_change() -> None:
    first = Outcome("posts/a.md", "unpublished", changed=["/en/posts/a/"])
    first.entries_before["a"] = None
    other = Outcome("posts/b.md", "published", changed=["/en/posts/b/"], rebuild_all=True)
    other.entries_before["a"] = _entry("A")
    first.absorb(other)
    assert first.changed == ["/en/posts/a/", "/en/posts/b/"]
    assert first.entries_before == {"a": None}
    assert first.rebuild_all


def test_a_memo_makes_once_and_counts_what_it_was_asked() -> None:
    memo: Memo[str, int] = Memo()
    assert memo.get("k", lambda: 1) == 1
    assert memo.get("k", lambda: 2) == 1
    assert memo.find("other") is None
    memo.put("other", 3)
    assert memo.find("other") == 3
    assert (memo.made, memo.reused, memo.missed) == (1, 2, 1)
    memo.clear()
    assert memo.find("k") is None


def test_forgetting_empties_every_memo_of_the_batch(site: Site) -> None:
    work = site.services.work
    work.clean.put("x", "y")
    work.glossary.get("", lambda: None)  # type: ignore[arg-type, return-value]
    site.services.forget()
    assert all(memo.find(key) is None for memo, key in ((work.clean, "x"), (work.glossary, "")))


def test_keys_change_with_what_makes_the_result_different() -> None:
    one = parse_post("posts/a.md", b"---\ntitle: A\n---\nOne.\n")
    two = parse_post("posts/a.md", b"---\ntitle: A\n---\nTwo.\n")
    assert post_key("posts/a.md", b"x") != post_key("posts/a.md", b"y")
    assert version_key(one) != version_key(two)
    assert machine_key(one, "en", "es", "g", ("apertium",)) != machine_key(
        one, "en", "es", "g", ("google", "apertium")
    )
    entry = _entry("A")
    # The page depends on the entry but not on when it was updated.
    later = PostEntry.from_dict({**entry.to_dict(), "updated": "2027-01-01T00:00:00Z"})
    assert page_key(entry, "en", "<p>x</p>") == page_key(later, "en", "<p>x</p>")
    assert page_key(entry, "en", "<p>x</p>") != page_key(_entry("B"), "en", "<p>x</p>")
