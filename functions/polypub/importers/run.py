"""Pick the reader for a source, write the posts/ + assets/ tree and the import report."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from polypub.importers.hugo import hugo_content, import_hugo
from polypub.importers.jekyll import import_jekyll, jekyll_root
from polypub.importers.model import (
    ConvertedPost,
    ImportResult,
    ImportSourceError,
    OutputNotEmptyError,
    UnknownSourceError,
)
from polypub.importers.wordpress import import_wordpress

REPORT_MD = "IMPORT-REPORT.md"
REPORT_JSON = "import-report.json"


def convert(source: Path, languages: tuple[str, ...]) -> ImportResult:
    """Read a Jekyll site, a Hugo site or a WordPress export; ImportSourceError if none."""
    if source.is_file():
        if source.suffix.lower() != ".xml":
            raise UnknownSourceError(
                f"{source} is a file but not a WordPress export (.xml). Give a Jekyll site "
                "(with _posts/), a Hugo site (with content/) or a WordPress export."
            )
        return import_wordpress(source, languages)
    if not source.is_dir():
        raise UnknownSourceError(f"{source} does not exist.")
    if jekyll_root(source) is not None:
        return import_jekyll(source, languages)
    if hugo_content(source) is not None:
        return import_hugo(source, languages)
    raise UnknownSourceError(
        f"{source} is neither a Jekyll site (no _posts/ folder) nor a Hugo site (no content/ "
        "folder). For WordPress, give the export file (Tools > Export > All content)."
    )


def write_tree(result: ImportResult, out: Path) -> None:
    """posts/, assets/ and the report in ``out``, which must be new or empty."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputNotEmptyError(
            f"{out} already exists and is not empty; give a new folder so that nothing of "
            "yours is overwritten."
        )
    try:
        (out / "posts").mkdir(parents=True, exist_ok=True)
        for post in result.posts:
            path = out / post.key
            path.write_text(render_post(post), encoding="utf-8")
        for asset in result.assets:
            target = out / asset.key
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset.source, target)
        (out / REPORT_MD).write_text(render_report(result), encoding="utf-8")
        (out / REPORT_JSON).write_text(
            json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    except OSError as exc:
        raise ImportSourceError(f"Cannot write into {out}: {exc.strerror}.") from None


def render_post(post: ConvertedPost) -> str:
    head = yaml.safe_dump(
        post.front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=4096
    )
    return f"---\n{head}---\n\n{post.body.lstrip()}"


def report_dict(result: ImportResult) -> dict[str, Any]:
    return {
        "kind": result.kind,
        "source": result.source,
        "posts": [
            {
                "key": p.key,
                "source": p.source,
                "title": p.front.get("title"),
                "author": p.front.get("author"),
                "date": p.front.get("date"),
                "notes": p.notes,
            }
            for p in result.posts
        ],
        "assets": [{"key": a.key, "source": str(a.source)} for a in result.assets],
        "skipped": [s.__dict__ for s in result.skipped],
        "dropped_fields": dict(sorted(result.dropped_fields.items())),
        "notes": result.notes,
    }


def summary_lines(result: ImportResult) -> list[str]:
    """The few lines printed after an import."""
    reasons = Counter(s.code for s in result.skipped)
    lines = [
        f"Imported {len(result.posts)} posts and {len(result.assets)} files from a "
        f"{result.kind} blog ({result.source}).",
    ]
    if reasons:
        lines.append(
            "Not imported: " + ", ".join(f"{n} {code}" for code, n in sorted(reasons.items())) + "."
        )
    if result.dropped_fields:
        shown = ", ".join(f"{k} ({n})" for k, n in sorted(result.dropped_fields.items())[:12])
        lines.append(f"Fields with no place in the site's format, left out: {shown}.")
    noted = sum(1 for p in result.posts if p.notes)
    if noted:
        lines.append(
            f"{noted} posts have notes (pictures not found, languages...): see the report."
        )
    lines.extend(result.notes)
    return lines


def render_report(result: ImportResult) -> str:
    out = ["# Import report", "", *summary_lines(result), ""]
    out += ["## Converted", "", "| file | from | notes |", "| --- | --- | --- |"]
    for post in result.posts:
        notes = "; ".join(post.notes).replace("|", "\\|") or "-"
        out.append(f"| {post.key} | {post.source} | {notes} |")
    if result.skipped:
        out += ["", "## Not imported", "", "| from | why |", "| --- | --- |"]
        out += [f"| {s.source} | {s.reason} [{s.code}] |" for s in result.skipped]
    if result.assets:
        out += ["", "## Files copied", ""]
        out += [f"- {a.key} (from {a.source})" for a in result.assets]
    out += [
        "",
        "Upload the posts/ and assets/ folders to the site's source bucket as they are "
        "(README: Moving an existing blog).",
        "",
    ]
    return "\n".join(out)
