"""What the readers share: reading a source file, copying local pictures, naming the output."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from polypub.content.assets import ASSET_TYPES, asset_content_type
from polypub.content.errors import AssetTypeNotAllowedError
from polypub.content.post import DEFAULT_MAX_BYTES, slugify
from polypub.importers.fields import Mapped
from polypub.importers.model import AssetCopy, ConvertedPost, FrontMatterReadError, ImportResult

ASSET_EXTENSIONS = frozenset(ext for kind in ASSET_TYPES for ext in kind.types)
IMPORTED_ASSETS = "assets/imported"
# Markdown link/image targets: ](target) or ](<target with spaces> "title").
_MD_TARGET = re.compile(r"(\]\(\s*)(<[^>\n]*>|(?:\{\{[^}\n]*\}\})?[^)\s]+)")
# Jekyll's own-site prefixes: a file under them is the blog's, like a path from "/".
_SITE_PREFIX = re.compile(r"^\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}(?=/)")
# HTML (and Hugo shortcode) attributes that point at a file.
_ATTR_TARGET = re.compile(r"(\b(?:src|href|poster)\s*=\s*)([\"'])([^\"'\n]*)\2", re.IGNORECASE)

Resolve = Callable[[str], "str | None"]


def read_text(path: Path) -> str:
    """A source file as text, or FrontMatterReadError naming why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > DEFAULT_MAX_BYTES:
            raise FrontMatterReadError(
                f"The file is {size} bytes; the site takes posts up to {DEFAULT_MAX_BYTES} bytes."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FrontMatterReadError(f"The file cannot be read ({exc.strerror}).") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrontMatterReadError(
            f"The file is not UTF-8 text (byte {exc.start}); save it as UTF-8 and import again."
        ) from None


def is_local(target: str) -> bool:
    """A path of the blog itself, not a web address, anchor or e-mail link."""
    if not target or target.startswith(("#", "//", "{{", "{%")):
        return False
    return not urlsplit(target).scheme


def extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rpartition(".")[2].lower() if "." in name else ""


def safe_name(filename: str) -> str:
    """A name a web address carries unquoted: ``Foto Clase 1.JPG`` -> ``foto-clase-1.jpg``."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    clean = slugify(stem) or "file"
    return f"{clean}.{ext.lower()}" if ext else clean


class Assets:
    """The local files an import copies, each under one key, shared by every post."""

    def __init__(self, result: ImportResult) -> None:
        self._result = result
        self._by_source: dict[Path, str] = {}
        self._taken: set[str] = set()

    def add(self, source: Path, key: str) -> str:
        """Copy ``source`` to ``key`` (made unique); the URL the posts use for it."""
        resolved = source.resolve()
        if resolved in self._by_source:
            return "/" + self._by_source[resolved]
        stem, dot, ext = key.rpartition(".")
        unique, counter = key, 2
        while unique in self._taken:
            unique = f"{stem}-{counter}{dot}{ext}"
            counter += 1
        self._taken.add(unique)
        self._by_source[resolved] = unique
        self._result.assets.append(AssetCopy(source, unique))
        return "/" + unique


def rewrite_refs(text: str, resolve: Resolve) -> tuple[str, list[str]]:
    """``text`` with every local file reference ``resolve`` knows replaced by its new URL.

    Returns the new text and the local references that point at nothing usable, so the
    report can name them. Web addresses and template constructs are left as written.
    """
    missing: list[str] = []

    def swap(target: str) -> str | None:
        bare = target[1:-1] if target.startswith("<") and target.endswith(">") else target
        path, _, fragment = bare.partition("#")
        path = _SITE_PREFIX.sub("", path.split("?", 1)[0])
        if not is_local(path) or not path:
            return None
        new = resolve(path)
        if new is None:
            if extension(path) in ASSET_EXTENSIONS or extension(path) == "svg":
                missing.append(path)
            return None
        return new + (f"#{fragment}" if fragment else "")

    def markdown(match: re.Match[str]) -> str:
        new = swap(match.group(2))
        return match.group(0) if new is None else match.group(1) + new

    def attribute(match: re.Match[str]) -> str:
        new = swap(match.group(3))
        quote = match.group(2)
        return match.group(0) if new is None else f"{match.group(1)}{quote}{new}{quote}"

    text = _MD_TARGET.sub(markdown, text)
    text = _ATTR_TARGET.sub(attribute, text)
    return text, missing


def file_resolver(
    assets: Assets,
    candidates: Callable[[str], Iterable[tuple[Path, str]]],
    refused: list[str],
    root: Path,
) -> Resolve:
    """A Resolve that copies the first existing candidate (path, key) of a reference.

    Only files inside the blog's ``root`` are copied (``../../etc/x.png`` or a symlink
    out of it is not the school's picture). Files the site would refuse (SVG, HTML, or
    a name whose content disagrees, checked as the upload will be) are named in
    ``refused`` and left as written: copying them would only move the refusal.
    """
    inside = root.resolve()

    def resolve(target: str) -> str | None:
        decoded = unquote(target)
        for path, key in candidates(decoded):
            try:
                real = path.resolve()
                if not real.is_relative_to(inside) or not real.is_file():
                    continue
                with real.open("rb") as handle:
                    head = handle.read(64)
            except (OSError, ValueError):
                continue
            try:
                asset_content_type(key, head)
            except AssetTypeNotAllowedError:
                refused.append(decoded)
                return None
            return assets.add(real, key)
        return None

    return resolve


@dataclass
class SourcePost:
    """One source file converted, before its output name is chosen."""

    source: str
    mapped: Mapped
    body: str
    lang: str | None
    group: str
    notes: list[str] = field(default_factory=list)


def finish(result: ImportResult, posts: list[SourcePost], languages: tuple[str, ...]) -> None:
    """Name every post ``posts/<slug>.md``; versions of one post in another site language
    become its people's translations (``posts/<slug>.<lang>.md``)."""
    groups: dict[str, list[SourcePost]] = {}
    for post in posts:
        groups.setdefault(post.group, []).append(post)
    taken: set[str] = set()
    for versions in groups.values():
        rank = {lang: i for i, lang in enumerate(languages)}
        versions.sort(key=lambda p: (rank.get(p.lang or "", len(rank)), p.source))
        primary = versions[0]
        name = _unique(primary.mapped.slug or "post", taken)
        _emit(result, primary, f"posts/{name}.md", primary.mapped.front)
        done = {primary.lang}
        for other in versions[1:]:
            if other.lang in languages and other.lang not in done:
                done.add(other.lang)
                front = {
                    k: v for k, v in other.mapped.front.items() if k in ("title", "description")
                }
                _emit(result, other, f"posts/{name}.{other.lang}.md", front)
                continue
            suffix = other.lang or "2"
            other_name = _unique(f"{name}-{suffix}", taken)
            _emit(result, other, f"posts/{other_name}.md", other.mapped.front)


def _unique(name: str, taken: set[str]) -> str:
    unique, counter = name, 2
    while unique in taken:
        unique = f"{name}-{counter}"
        counter += 1
    taken.add(unique)
    return unique


def _emit(result: ImportResult, post: SourcePost, key: str, front: dict[str, Any]) -> None:
    for name in post.mapped.dropped:
        result.drop_field(name)
    result.posts.append(
        ConvertedPost(key, post.source, dict(front), post.body, post.mapped.notes + post.notes)
    )


def attach_images(mapped: Mapped, resolve: Resolve, notes: list[str]) -> None:
    """The front matter's pictures that are local files become ``images``; others are named."""
    images: list[str] = []
    for ref in mapped.image_refs:
        new = resolve(ref) if is_local(ref) else None
        if new is None:
            where = "a web address" if not is_local(ref) else "not found beside the post"
            notes.append(f"picture '{ref}' is {where}: not in images (they must be under /assets/)")
        elif new not in images:
            images.append(new)
    if images:
        mapped.front["images"] = images


def key_for(prefix: str, relative: str) -> str:
    """``assets/...`` key for a file at ``relative`` (any folders), every part made URL-safe."""
    parts = [p for p in relative.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if not parts:
        return f"{prefix}/file"
    folders = [slugify(p) or "folder" for p in parts[:-1]]
    return "/".join([prefix, *folders, safe_name(parts[-1])])
