"""Convert one Jekyll or Hugo source file: front matter mapped, local pictures copied."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from polypub.importers.common import (
    Assets,
    Resolve,
    SourcePost,
    attach_images,
    file_resolver,
    read_text,
    rewrite_refs,
)
from polypub.importers.fields import map_fields
from polypub.importers.frontmatter import read_front_matter
from polypub.importers.model import FrontMatterReadError, ImportResult, Skipped

# (slug, reference as written) -> where the file may be, with the assets key it gets.
Candidates = Callable[[str, str], Iterable[tuple[Path, str]]]
POST_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".html", ".htm"})


def convert_file(
    result: ImportResult,
    assets: Assets,
    path: Path,
    *,
    label: str,
    name: str,
    filename_date: str | None,
    languages: tuple[str, ...],
    lang: str | None,
    group: str,
    candidates: Candidates,
    root: Path,
    extra_images: Iterable[str] = (),
) -> SourcePost | None:
    """The converted post, or None with the reason in ``result.skipped``."""
    try:
        meta, body, fmt = read_front_matter(read_text(path))
    except FrontMatterReadError as exc:
        result.skipped.append(Skipped(label, exc.message, exc.code))
        return None
    mapped = map_fields(meta, name=name, filename_date=filename_date, languages=languages)
    if mapped.draft:
        result.skipped.append(Skipped(label, "a draft (draft: true / published: false)", "draft"))
        return None
    if "title" not in mapped.front:
        result.skipped.append(
            Skipped(
                label, "no title in its front matter: add 'title:' and import again", "no-title"
            )
        )
        return None
    if lang and "lang" not in mapped.front and lang in languages:
        mapped.front["lang"] = lang
    elif lang and lang not in languages and not any(lang in n for n in mapped.notes):
        mapped.notes.append(
            f"in the '{lang}' folder, not a language of this site ({', '.join(languages)}): "
            "the site detects its language from the text"
        )
    notes: list[str] = []
    if fmt == "toml":
        notes.append("TOML front matter (+++) written as YAML")
    refused: list[str] = []
    resolve: Resolve = file_resolver(
        assets, lambda target: candidates(mapped.slug, target), refused, root
    )
    if not mapped.image_refs:
        mapped.image_refs.extend(extra_images)
    attach_images(mapped, resolve, notes)
    body, missing = rewrite_refs(body, resolve)
    for ref in dict.fromkeys(refused):
        notes.append(f"'{ref}' is a file the site refuses (by its type or its content): not copied")
    for ref in dict.fromkeys(missing):
        if ref not in refused:
            notes.append(f"'{ref}' is not in the source folder: link left as written")
    return SourcePost(label, mapped, body, lang, group, notes)
