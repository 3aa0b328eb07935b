"""The records that cross module boundaries: catalog entries, statuses, jobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

VersionKind = Literal["original", "machine", "human"]
SourceState = Literal["published", "failed", "deleted", "skipped"]


@dataclass(frozen=True)
class VersionInfo:
    """One language version of a post, as listings and switchers need it."""

    title: str
    description: str | None
    kind: VersionKind
    provider: str | None = None
    # Characters sent to a provider to make this version (0 when all came from memory).
    chars_sent: int = 0
    # The same, by provider (a fallback chain may have used several).
    chars_by_provider: Mapping[str, int] = field(default_factory=dict)
    # Hash of the source post this version was made from; a human translation whose
    # source_hash differs from the post's current content_hash is stale.
    source_hash: str = ""


@dataclass(frozen=True)
class PostEntry:
    """A published post in the catalog: everything listings, feeds and sitemap need."""

    slug: str
    source_key: str
    source_lang: str
    content_hash: str
    updated: str  # ISO 8601, UTC: when this entry last changed
    date: str | None = None  # ISO 8601 from the front matter
    author: str | None = None
    project: str | None = None
    images: tuple[str, ...] = ()
    versions: Mapping[str, VersionInfo] = field(default_factory=dict)
    # (width, height) of the images read when the post was published, by front matter
    # path: every language's page shows them without reading the images again.
    image_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # The authors after `author` (an `authors:` list): shown on the post's pages; only
    # `author` has an author page.
    co_authors: tuple[str, ...] = ()

    def is_stale(self, lang: str) -> bool:
        """True when a human translation was made from an older version of the source."""
        version = self.versions.get(lang)
        return (
            version is not None
            and version.kind == "human"
            and bool(version.source_hash)
            and version.source_hash != self.content_hash
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "source_key": self.source_key,
            "source_lang": self.source_lang,
            "content_hash": self.content_hash,
            "updated": self.updated,
            "date": self.date,
            "author": self.author,
            "project": self.project,
            "images": list(self.images),
            "image_sizes": {src: list(size) for src, size in self.image_sizes.items()},
            "co_authors": list(self.co_authors),
            "versions": {
                lang: {
                    "title": v.title,
                    "description": v.description,
                    "kind": v.kind,
                    "provider": v.provider,
                    "chars_sent": v.chars_sent,
                    "chars_by_provider": dict(v.chars_by_provider),
                    "source_hash": v.source_hash,
                }
                for lang, v in self.versions.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PostEntry:
        return cls(
            slug=str(data["slug"]),
            source_key=str(data["source_key"]),
            source_lang=str(data["source_lang"]),
            content_hash=str(data["content_hash"]),
            updated=str(data["updated"]),
            date=data.get("date"),
            author=data.get("author"),
            project=data.get("project"),
            images=tuple(data.get("images") or ()),
            image_sizes={
                str(src): (int(size[0]), int(size[1]))
                for src, size in (data.get("image_sizes") or {}).items()
            },
            co_authors=tuple(str(name) for name in data.get("co_authors") or ()),
            versions={
                lang: VersionInfo(
                    title=str(v["title"]),
                    description=v.get("description"),
                    kind=v["kind"],
                    provider=v.get("provider"),
                    chars_sent=int(v.get("chars_sent") or 0),
                    chars_by_provider={
                        str(k): int(n) for k, n in (v.get("chars_by_provider") or {}).items()
                    },
                    source_hash=str(v.get("source_hash") or ""),
                )
                for lang, v in (data.get("versions") or {}).items()
            },
        )


@dataclass(frozen=True)
class SourceStatus:
    """What happened to one source object: the teacher-facing report behind `polypub status`."""

    key: str
    state: SourceState
    updated: str
    slug: str | None = None
    error_code: str | None = None
    message: str | None = None
    content_hash: str | None = None
    chars_sent: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "state": self.state,
            "updated": self.updated,
            "slug": self.slug,
            "error_code": self.error_code,
            "message": self.message,
            "content_hash": self.content_hash,
            "chars_sent": self.chars_sent,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceStatus:
        return cls(
            key=str(data["key"]),
            state=data["state"],
            updated=str(data["updated"]),
            slug=data.get("slug"),
            error_code=data.get("error_code"),
            message=data.get("message"),
            content_hash=data.get("content_hash"),
            chars_sent=int(data.get("chars_sent") or 0),
        )


@dataclass(frozen=True)
class TranslationJob:
    """The message from the render step to the translate step."""

    source_key: str
    content_hash: str
    slug: str
    source_lang: str
    targets: tuple[str, ...]

    @classmethod
    def of(cls, entry: PostEntry, targets: tuple[str, ...]) -> TranslationJob:
        """The job translating the entry's current version into `targets`."""
        return cls(
            source_key=entry.source_key,
            content_hash=entry.content_hash,
            slug=entry.slug,
            source_lang=entry.source_lang,
            targets=targets,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_key": self.source_key,
            "content_hash": self.content_hash,
            "slug": self.slug,
            "source_lang": self.source_lang,
            "targets": list(self.targets),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TranslationJob:
        return cls(
            source_key=str(data["source_key"]),
            content_hash=str(data["content_hash"]),
            slug=str(data["slug"]),
            source_lang=str(data["source_lang"]),
            targets=tuple(str(t) for t in data["targets"]),
        )


@dataclass(frozen=True)
class RepublishRun:
    """One site-wide republish (a design, glossary or upgrade change, or the operator's).

    Its jobs are counted by id in sets that only grow (the catalog's atomic ADD), so a
    job delivered twice counts once; a failed job that later succeeds (a redrive) counts
    as done.
    """

    run: str
    reason: str
    kind: str
    total: int
    started: str
    scope: Mapping[str, str] = field(default_factory=dict)
    done_jobs: frozenset[str] = frozenset()
    failed_jobs: frozenset[str] = frozenset()

    @property
    def done(self) -> int:
        return len(self.done_jobs)

    @property
    def failed(self) -> int:
        return len(self.failed_jobs - self.done_jobs)

    @property
    def left(self) -> int:
        return max(0, self.total - self.done - self.failed)

    def to_dict(self) -> dict[str, Any]:
        """The run's description, without its counts (kept apart, in growing sets)."""
        return {
            "run": self.run,
            "reason": self.reason,
            "kind": self.kind,
            "total": self.total,
            "started": self.started,
            "scope": dict(self.scope),
        }

    def progress(self) -> dict[str, Any]:
        return {**self.to_dict(), "done": self.done, "left": self.left, "failed": self.failed}

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        done: frozenset[str] = frozenset(),
        failed: frozenset[str] = frozenset(),
    ) -> RepublishRun:
        return cls(
            run=str(data["run"]),
            reason=str(data.get("reason", "")),
            kind=str(data.get("kind", "pages")),
            total=int(data.get("total", 0)),
            started=str(data.get("started", "")),
            scope={str(k): str(v) for k, v in (data.get("scope") or {}).items()},
            done_jobs=done,
            failed_jobs=failed,
        )
