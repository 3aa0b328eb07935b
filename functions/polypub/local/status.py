"""`polypub status`: read source statuses and posts from a build state, `polypub dev` or AWS."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from polypub.model import PostEntry, SourceStatus
from polypub.ports import Catalog
from polypub.settings import Settings


def load_statuses(
    *, state_dir: Path | None, info_file: Path | None, settings: Settings
) -> tuple[list[SourceStatus], list[PostEntry]]:
    """From a build state folder, from a running `polypub dev` (its info file), or from the
    catalog table that the environment names (a deployed stack)."""
    if state_dir is not None:
        path = state_dir / "catalog.json"
        if not path.exists():
            raise FileNotFoundError(f"no build state at {state_dir} (run `polypub build` first)")
        from polypub.adapters.localfs import JsonCatalog

        catalog: Catalog = JsonCatalog(path)
    else:
        from polypub.adapters.dynamodb import DynamoCatalog
        from polypub.wiring import aws_client

        if info_file is not None:
            info = json.loads(info_file.read_text(encoding="utf-8"))
            # The embedded AWS of `polypub dev` takes any key: a teacher's machine may have none.
            import boto3

            client = boto3.session.Session(
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
                region_name=info["region"],
            ).client("dynamodb", endpoint_url=info["endpoint_url"])
            catalog = DynamoCatalog(client, info["catalog_table"])
        else:
            catalog = DynamoCatalog(aws_client("dynamodb", settings), settings.catalog_table)
    statuses = sorted(catalog.list_statuses(), key=lambda s: s.key)
    entries = sorted(catalog.list_posts(), key=lambda e: e.slug)
    return statuses, entries


def render_status(statuses: list[SourceStatus], entries: list[PostEntry]) -> str:
    """A table for people: one line per uploaded file, then one per published post."""
    lines = []
    if not statuses:
        lines.append("No uploads yet.")
    else:
        width = max(len(s.key) for s in statuses)
        lines.append(f"{'FILE':<{width}}  {'STATE':<9}  {'UPDATED':<20}  DETAIL")
        for status in statuses:
            detail = status.message or ""
            if status.state == "failed":
                detail = f"[{status.error_code}] {detail}"
            elif status.slug and status.state == "published":
                # Published with a notice: a pending translation, or no site language.
                if status.error_code:
                    detail = f"[{status.error_code}] {detail}"
                detail = f"/{status.slug}/" + (f"  {detail}" if detail else "")
            if status.chars_sent:
                detail += f"  ({status.chars_sent} characters translated)"
            lines.append(
                f"{status.key:<{width}}  {status.state:<9}  {status.updated:<20}  {detail}"
            )
    if entries:
        lines.append("")
        lines.append("POSTS")
        for entry in entries:
            versions = []
            for lang, version in sorted(entry.versions.items()):
                label = f"{lang}:{version.kind}"
                if version.kind == "machine":
                    label += f" by {version.provider}, {version.chars_sent} chars sent"
                if entry.is_stale(lang):
                    label += " (STALE: the original changed after this translation)"
                versions.append(label)
            lines.append(f"  {entry.slug}  [{', '.join(versions)}]  from {entry.source_key}")
        lines.append("")
        lines.append(characters_line(entries))
    return "\n".join(lines)


def characters_line(entries: list[PostEntry]) -> str:
    """Characters sent to providers for the current machine translations, by provider."""
    by_provider: Counter[str] = Counter()
    for entry in entries:
        for version in entry.versions.values():
            if version.kind != "machine":
                continue
            if version.chars_by_provider:
                by_provider.update(version.chars_by_provider)
            elif version.chars_sent:  # an entry written before the split by provider
                by_provider[version.provider or "unknown"] += version.chars_sent
    detail = ", ".join(f"{name}: {count}" for name, count in sorted(by_provider.items()))
    total = sum(by_provider.values())
    suffix = f" ({detail})" if detail else ""
    return f"Characters sent for the current translations: {total}{suffix}"
