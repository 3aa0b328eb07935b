"""What one batch works out once and reuses, by kind: the typed prefetch contract.

The steps parse, render, sanitize, detect and translate the same post several times in
one batch (publishing, translating and re-rendering it each need it). Each kind of
result has its own `Memo`, keyed by what makes the result the same, so it is worked out
once. `polypub build` fills the same memos ahead of the steps from worker processes
(local/prefetch.py) with the same key functions; the types make a drift between the two
a mypy error rather than a silently slower build.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from polypub.content.post import Post
from polypub.model import PostEntry
from polypub.site.config import SiteConfig
from polypub.site.images import ImageSize
from polypub.translate.engine import TranslatedPost

if TYPE_CHECKING:
    from polypub.translate.glossary import Glossary


# Each Lambda batch starts and pipeline.finish() ends with empty memos, and a design or
# glossary change empties them at once; this age limit is a last guard.
MAX_AGE_SECONDS = 600.0

# A post's bytes: its key and the SHA-256 of what was uploaded.
PostKey = tuple[str, str]
# One version of a post: its source key and content hash.
VersionKey = tuple[str, str]
# A machine translation: the version, source and target language, glossary digest and
# provider chain (the same text, languages, glossary and providers give the same text).
MachineKey = tuple[str, str, str, str, str, str]


class Memo[K, V]:
    """Results of one kind by key, counting what was made, reused and looked for in vain."""

    def __init__(self) -> None:
        self._items: dict[K, tuple[float, V]] = {}
        self.made = 0
        self.reused = 0
        self.missed = 0

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The value for `key`, made (and kept) when this batch has none yet."""
        found = self._fresh(key)
        if found is not None:
            self.reused += 1
            return found
        value = make()
        self.made += 1
        self._items[key] = (time.monotonic(), value)
        return value

    def find(self, key: K) -> V | None:
        """The value for `key` if one was kept (by a worker ahead of the steps), else None."""
        found = self._fresh(key)
        if found is None:
            self.missed += 1
        else:
            self.reused += 1
        return found

    def put(self, key: K, value: V) -> None:
        """A value worked out elsewhere (polypub build's workers)."""
        self._items[key] = (time.monotonic(), value)

    def clear(self) -> None:
        self._items.clear()

    def _fresh(self, key: K) -> V | None:
        hit = self._items.get(key)
        if hit is None or time.monotonic() - hit[0] >= MAX_AGE_SECONDS:
            return None
        return hit[1]


@dataclass(eq=False)
class BatchWork:
    """Every memo of one batch; `clear()` forgets them all (a batch ends, a design changes)."""

    posts: Memo[PostKey, Post] = field(default_factory=Memo)
    bodies: Memo[VersionKey, str] = field(default_factory=Memo)  # the Markdown as HTML
    languages: Memo[VersionKey, tuple[str, str | None]] = field(default_factory=Memo)
    clean: Memo[str, str] = field(default_factory=Memo)  # sanitized HTML by digest
    pages: Memo[str, str] = field(default_factory=Memo)  # rendered post pages, page_key
    machine: Memo[MachineKey, TranslatedPost] = field(default_factory=Memo)
    images: Memo[tuple[str, ...], Mapping[str, ImageSize]] = field(default_factory=Memo)
    # One value each per batch: the school's design and its glossary.
    design: Memo[str, SiteConfig] = field(default_factory=Memo)
    glossary: Memo[str, Glossary] = field(default_factory=Memo)

    def memos(self) -> dict[str, Memo[object, object]]:
        return {name: memo for name, memo in vars(self).items() if isinstance(memo, Memo)}

    def clear(self) -> None:
        for memo in self.memos().values():
            memo.clear()


# The keys, shared by the steps and by local/prefetch.py.


def post_key(key: str, data: bytes) -> PostKey:
    return (key, hashlib.sha256(data).hexdigest())


def version_key(post: Post) -> VersionKey:
    return (post.source_key, post.content_hash)


def html_key(body_html: str) -> str:
    return hashlib.sha256(body_html.encode("utf-8")).hexdigest()


def page_key(entry: PostEntry, lang: str, body_html: str) -> str:
    """A post page is the same for the same entry (but when it changed), language and body."""
    doc = entry.to_dict()
    doc.pop("updated")
    text = json.dumps([doc, lang, body_html], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def machine_key(
    post: Post, source: str, target: str, glossary_digest: str, providers: Sequence[str]
) -> MachineKey:
    return (
        post.source_key,
        post.content_hash,
        source,
        target,
        glossary_digest,
        ",".join(providers),
    )
