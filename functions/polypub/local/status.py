"""`polypub status`: statuses, posts and republish progress from a build, `polypub dev` or AWS."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from polypub.local.devinfo import find_running, info_paths
from polypub.model import PostEntry, RepublishRun, SourceStatus
from polypub.ports import Catalog
from polypub.settings import Settings


class StatusUnavailable(Exception):
    """The statuses cannot be read; the message says why and what to do, in one line."""


HOW_TO_POINT = (
    "run it from the folder where `make demo` (or `polypub dev`) is running, or pass "
    "--info-file FILE (`polypub dev --info-file FILE`) or --state DIR, or set "
    "POLYPUB_CATALOG_TABLE (and AWS_REGION) for a deployed stack"
)


def load_statuses(
    *,
    state_dir: Path | None,
    info_file: Path | None,
    settings: Settings,
    env: Mapping[str, str] | None = None,
    dev_info: list[Path] | None = None,
) -> tuple[list[SourceStatus], list[PostEntry]]:
    """From a build state folder, from a `polypub dev` (its info file, given or found in
    the well-known places of `local/devinfo.py`), or from the catalog table that the
    environment names (a deployed stack). Raises StatusUnavailable, never a botocore
    error: no credentials, a refused endpoint and a missing table are one line each."""
    catalog, what, hint = open_catalog(
        state_dir=state_dir, info_file=info_file, settings=settings, env=env, dev_info=dev_info
    )
    return _read(catalog, what, hint)


def load_runs(
    *,
    state_dir: Path | None,
    info_file: Path | None,
    settings: Settings,
    env: Mapping[str, str] | None = None,
    dev_info: list[Path] | None = None,
) -> list[RepublishRun]:
    """The site-wide republishes and their progress, from the same places as load_statuses."""
    catalog, what, hint = open_catalog(
        state_dir=state_dir, info_file=info_file, settings=settings, env=env, dev_info=dev_info
    )
    return _guarded(lambda: sorted(catalog.list_runs(), key=lambda r: r.started), what, hint)


def open_catalog(
    *,
    state_dir: Path | None,
    info_file: Path | None,
    settings: Settings,
    env: Mapping[str, str] | None = None,
    dev_info: list[Path] | None = None,
) -> tuple[Catalog, str, str]:
    """The catalog load_statuses reads, what to call it, and a hint for when it fails."""
    env = os.environ if env is None else env
    if state_dir is not None:
        path = state_dir / "catalog.json"
        if not path.exists():
            raise StatusUnavailable(f"no build state at {state_dir} (run `polypub build` first)")
        from polypub.adapters.localfs import JsonCatalog

        return JsonCatalog(path), f"the build state {state_dir}", ""
    info: dict[str, Any] | None = None
    where = ""
    if info_file is not None:
        info = read_info(info_file)
        where = str(info_file)
    elif not env.get("POLYPUB_CATALOG_TABLE"):
        # No stack named: a `polypub dev` running from here (`make demo`) is meant.
        found = find_running(dev_info if dev_info is not None else info_paths(env=env))
        if found is None:
            raise StatusUnavailable(
                f"no running `polypub dev` found (in .polypub/dev.json here): {HOW_TO_POINT}"
            )
        where, info = str(found[0]), found[1]
    from polypub.adapters.dynamodb import DynamoCatalog

    if info is not None:
        try:
            endpoint, region, table = info["endpoint_url"], info["region"], info["catalog_table"]
        except (KeyError, TypeError):
            raise StatusUnavailable(f"{where} is not the JSON `polypub dev` writes") from None
        return (
            DynamoCatalog(dev_client("dynamodb", endpoint, region), table),
            f"the `polypub dev` at {endpoint} ({where})",
            "is it still running? Start it again with `make demo`",
        )
    from polypub.wiring import aws_client

    return (
        DynamoCatalog(aws_client("dynamodb", settings), settings.catalog_table),
        f"the catalog table {settings.catalog_table} (region {settings.region})",
        "check POLYPUB_CATALOG_TABLE, AWS_REGION and your AWS credentials",
    )


def read_info(info_file: Path) -> dict[str, Any]:
    """The JSON `polypub dev --info-file` wrote, or StatusUnavailable saying why not."""
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StatusUnavailable(f"cannot read {info_file}: {exc.strerror}") from None
    except ValueError:
        raise StatusUnavailable(f"{info_file} is not the JSON `polypub dev` writes") from None
    if not isinstance(info, dict):
        raise StatusUnavailable(f"{info_file} is not the JSON `polypub dev` writes")
    return info


def dev_client(service: str, endpoint: str, region: str) -> Any:
    """A client of a `polypub dev`'s embedded AWS, which takes any key: a teacher's
    machine may have none."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
        region_name=region,
    )
    # The service name is a variable on purpose (as in wiring.aws_client).
    return session.client(service, endpoint_url=endpoint)  # type: ignore[call-overload]


def _guarded[T](read: Callable[[], T], what: str, hint: str) -> T:
    from botocore.exceptions import BotoCoreError, ClientError

    from polypub.adapters.errors import InfrastructureError

    try:
        return read()
    except (BotoCoreError, ClientError, InfrastructureError) as exc:
        raise StatusUnavailable(
            f"cannot read {what}: {_reason(exc)}" + (f"; {hint}" if hint else "")
        ) from None


def _read(
    catalog: Catalog, what: str, hint: str = ""
) -> tuple[list[SourceStatus], list[PostEntry]]:
    return _guarded(
        lambda: (
            sorted(catalog.list_statuses(), key=lambda s: s.key),
            sorted(catalog.list_posts(), key=lambda e: e.slug),
        ),
        what,
        hint,
    )


def _reason(exc: BaseException) -> str:
    """What went wrong, for a person: the adapters' InfrastructureError keeps the
    botocore error as its cause, whose own sentence names no secret; a ClientError is
    reduced to its code (AWS messages may quote the request)."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    cause = exc.__cause__ if exc.__cause__ is not None else exc
    if isinstance(cause, NoCredentialsError):
        return "no AWS credentials on this machine (Unable to locate credentials)"
    if isinstance(cause, EndpointConnectionError):
        return f"nothing answers there ({cause})"
    if isinstance(cause, ClientError):
        code = _code(cause)
        if code == "ResourceNotFoundException":
            return "the table does not exist (ResourceNotFoundException)"
        return code
    if isinstance(cause, BotoCoreError):
        return str(cause)
    return str(exc)


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))


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


def render_progress(runs: list[RepublishRun], *, recent: int = 5) -> str:
    """One line per recent site-wide republish: jobs done, left and failed."""
    if not runs:
        return ""
    lines = ["REPUBLISH (jobs: done / left / failed)"]
    for run in runs[-recent:]:
        scope = ", ".join(f"{k} {v}" for k, v in sorted(run.scope.items())) or "all"
        state = "complete" if run.left == 0 and not run.failed else "running" if run.left else ""
        if run.failed:
            state = "FAILED jobs wait in the render DLQ: `polypub replay --queue render`"
        lines.append(
            f"  {run.run}  {run.reason} ({run.kind}, {scope}): "
            f"{run.done} / {run.left} / {run.failed} of {run.total}  {state}".rstrip()
        )
    return "\n".join(lines)
