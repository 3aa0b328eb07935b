"""Hugo: a content/ folder (files or page bundles, one folder per language or not) -> posts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from polypub.importers.common import (
    ASSET_EXTENSIONS,
    IMPORTED_ASSETS,
    Assets,
    SourcePost,
    extension,
    finish,
    key_for,
)
from polypub.importers.fields import FILENAME_DATE_RE
from polypub.importers.files import POST_SUFFIXES, convert_file
from polypub.importers.model import ImportResult, Skipped, UnknownSourceError

# Sections that hold a blog's posts; the rest of content/ is pages (about, contact...).
POST_SECTIONS = frozenset(
    {
        "post",
        "posts",
        "blog",
        "blogs",
        "news",
        "noticias",
        "noticies",
        "articles",
        "articulos",
        "entradas",
        "entrades",
    }
)
# The picture Hugo themes take from a bundle when the front matter names none.
_FEATURED = re.compile(r"^(featured|cover|thumbnail)\.[A-Za-z0-9]+$")
_LANG = re.compile(r"^[a-z]{2,3}$")


def hugo_content(source: Path) -> Path | None:
    """The content/ folder if ``source`` is a Hugo site or its content/ folder."""
    if (source / "content").is_dir() and not (source / "_posts").is_dir():
        return source / "content"
    if source.name == "content" and source.is_dir():
        return source
    return None


def import_hugo(source: Path, languages: tuple[str, ...]) -> ImportResult:
    content = hugo_content(source)
    if content is None:
        raise UnknownSourceError(f"{source} has no content/ folder: it is not a Hugo site.")
    root = content.parent
    result = ImportResult("hugo", str(source))
    assets = Assets(result)
    files = [
        p
        for p in sorted(content.rglob("*"))
        if p.is_file()
        and p.suffix.lower() in POST_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(content).parts)
    ]
    top = {p.relative_to(content).parts[0] for p in files if len(p.relative_to(content).parts) > 1}
    lang_dirs = {d for d in top if _LANG.match(d)}
    # One two-letter folder alone is a section (like "en" of a one-language site) only
    # when it is not a site language.
    if len(lang_dirs) < 2:
        lang_dirs &= set(languages)
    entries = [_entry(p, content, lang_dirs) for p in files]
    has_sections = any(section in POST_SECTIONS for *_, section in entries)
    posts: list[SourcePost] = []
    for path, rel, lang, section in entries:
        label = path.relative_to(root).as_posix()
        stem, file_lang = _split_lang(path.stem)
        lang = lang or file_lang
        if stem == "_index":
            result.skipped.append(Skipped(label, "a section's list page (_index)", "page"))
            continue
        if has_sections and section not in POST_SECTIONS:
            result.skipped.append(Skipped(label, "a page, not in a posts section", "page"))
            continue
        bundle = stem == "index"
        name = path.parent.name if bundle else stem
        dated = FILENAME_DATE_RE.match(name)
        name, filename_date = (dated.group(2), dated.group(1)) if dated else (name, None)
        group = (rel.parent if bundle else rel.parent / stem).as_posix()
        extra = (
            [f.name for f in sorted(path.parent.iterdir()) if _FEATURED.match(f.name)]
            if bundle
            else []
        )

        def candidates(
            slug: str, target: str, post_dir: Path = path.parent
        ) -> Iterable[tuple[Path, str]]:
            if target.startswith("/"):
                inside = target.lstrip("/")
                key = key_for("assets", inside.removeprefix("assets/"))
                return [(root / "static" / inside, key), (root / "assets" / inside, key)]
            return [(post_dir / target, key_for(f"{IMPORTED_ASSETS}/{slug}", target))]

        post = convert_file(
            result,
            assets,
            path,
            label=label,
            name=name,
            filename_date=filename_date,
            languages=languages,
            lang=lang,
            group=group,
            candidates=candidates,
            root=root,
            extra_images=[e for e in extra if extension(e) in ASSET_EXTENSIONS],
        )
        if post is not None:
            posts.append(post)
    finish(result, posts, languages)
    return result


def _entry(path: Path, content: Path, lang_dirs: set[str]) -> tuple[Path, Path, str | None, str]:
    rel = path.relative_to(content)
    lang = None
    if len(rel.parts) > 1 and rel.parts[0] in lang_dirs:
        lang, rel = rel.parts[0], Path(*rel.parts[1:])
    section = rel.parts[0] if len(rel.parts) > 1 else ""
    return path, rel, lang, section.lower()


def _split_lang(stem: str) -> tuple[str, str | None]:
    """``index.ca`` -> (``index``, ``ca``); Hugo's translation by file name."""
    base, dot, suffix = stem.rpartition(".")
    if dot and base and _LANG.match(suffix):
        return base, suffix
    return stem, None
