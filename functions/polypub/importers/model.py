"""What an import produces: converted posts, files to copy, what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

Kind = Literal["jekyll", "hugo", "wordpress"]


class ImportSourceError(Exception):
    """The source as a whole cannot be imported (not a blog we know, unreadable, hostile).

    ``code`` is stable for scripts and tests; the message says what to do.
    """

    code: ClassVar[str] = "import-source"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownSourceError(ImportSourceError):
    code: ClassVar[str] = "unknown-source"


class WxrError(ImportSourceError):
    code: ClassVar[str] = "wxr-unreadable"


class OutputNotEmptyError(ImportSourceError):
    code: ClassVar[str] = "output-not-empty"


class FrontMatterReadError(Exception):
    """One source file's front matter cannot be read: the file is skipped, with this reason."""

    code: ClassVar[str] = "front-matter-unreadable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AssetCopy:
    """A local file of the source blog, published at ``key`` (``assets/...``)."""

    source: Path
    key: str


@dataclass
class ConvertedPost:
    """One post in the documented format; ``key`` is ``posts/<name>.md`` or ``.<lang>.md``."""

    key: str
    source: str
    front: dict[str, Any]
    body: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    """A source item that was not converted: a draft, a page, a comment, a broken file."""

    source: str
    reason: str
    code: str


@dataclass
class ImportResult:
    kind: Kind
    source: str
    posts: list[ConvertedPost] = field(default_factory=list)
    assets: list[AssetCopy] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Front matter fields of the source that have no place in the documented format,
    # with how many posts had them (layout, comments, tags...).
    dropped_fields: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def drop_field(self, name: str) -> None:
        self.dropped_fields[name] = self.dropped_fields.get(name, 0) + 1
