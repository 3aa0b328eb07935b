"""Jekyll: a site root with _posts/ (or the _posts/ folder itself) -> converted posts."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from polypub.importers.common import IMPORTED_ASSETS, Assets, SourcePost, finish, key_for
from polypub.importers.fields import FILENAME_DATE_RE
from polypub.importers.files import POST_SUFFIXES, convert_file
from polypub.importers.model import ImportResult, Skipped, UnknownSourceError


def jekyll_root(source: Path) -> Path | None:
    """The site root if ``source`` is a Jekyll site or its _posts/ folder."""
    if source.name == "_posts" and source.is_dir():
        return source.parent
    return source if (source / "_posts").is_dir() else None


def import_jekyll(source: Path, languages: tuple[str, ...]) -> ImportResult:
    root = jekyll_root(source)
    if root is None:
        raise UnknownSourceError(f"{source} has no _posts/ folder: it is not a Jekyll site.")
    result = ImportResult("jekyll", str(source))
    assets = Assets(result)
    posts: list[SourcePost] = []
    for path in sorted((root / "_posts").rglob("*")):
        label = path.relative_to(root).as_posix()
        if not path.is_file() or _hidden(path, root) or path.suffix.lower() not in POST_SUFFIXES:
            continue
        dated = FILENAME_DATE_RE.match(path.stem)
        name, filename_date = (dated.group(2), dated.group(1)) if dated else (path.stem, None)

        def candidates(
            slug: str, target: str, post_dir: Path = path.parent
        ) -> Iterable[tuple[Path, str]]:
            if target.startswith("/"):
                inside = target.lstrip("/")
                # /assets/x stays /assets/x; /images/x becomes /assets/images/x.
                key = key_for("assets", inside.removeprefix("assets/"))
                return [(root / inside, key)]
            return [(post_dir / target, key_for(f"{IMPORTED_ASSETS}/{slug}", target))]

        post = convert_file(
            result,
            assets,
            path,
            label=label,
            name=name,
            filename_date=filename_date,
            languages=languages,
            lang=None,
            group=label,
            candidates=candidates,
            root=root,
        )
        if post is not None:
            if filename_date is None:
                post.notes.append("no date in the file name (Jekyll skips such posts)")
            posts.append(post)
    drafts = root / "_drafts"
    if drafts.is_dir():
        for path in sorted(drafts.rglob("*")):
            if path.is_file() and path.suffix.lower() in POST_SUFFIXES:
                label = path.relative_to(root).as_posix()
                result.skipped.append(Skipped(label, "a draft (in _drafts/)", "draft"))
    finish(result, posts, languages)
    return result


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
