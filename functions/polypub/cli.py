"""polypub: build | dev | status | replay | republish | import. Parsing and printing only."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from polypub.settings import Settings, SettingsError

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    extra: dict[str, Any] = dict(overrides)
    if getattr(args, "translator", None):
        extra["translators"] = tuple(p.strip() for p in args.translator.split(",") if p.strip())
    if getattr(args, "languages", None):
        extra["languages"] = tuple(p.strip() for p in args.languages.split(",") if p.strip())
    if getattr(args, "site_url", None):
        extra["site_url"] = args.site_url.rstrip("/")
    env = dict(os.environ)
    # Local runs default to the offline provider: no account, no network.
    env.setdefault("POLYPUB_TRANSLATOR", "apertium")
    return Settings.from_env(env, **extra)


def _progress(stream: Any) -> Any:
    interactive = stream.isatty()

    def report(index: int, total: int, label: str) -> None:
        if interactive:
            stream.write(f"\r\033[K[{index}/{total}] {label[:70]}")
            if index == total:
                stream.write("\n")
        elif total >= 20 and (index % max(1, total // 10) == 0 or index == total):
            stream.write(f"[{index}/{total}] {label}\n")
        stream.flush()

    return report


def cmd_build(args: argparse.Namespace) -> int:
    from polypub.local.build import run_build
    from polypub.local.buildstate import default_state_dir

    content = Path(args.content_dir)
    if not content.is_dir():
        print(f"polypub build: {content} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    state = Path(args.state) if args.state else default_state_dir(out)
    settings = _settings(args)
    summary = run_build(
        settings, content, out, state, progress=None if args.quiet else _progress(sys.stderr)
    )
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(
            f"Built {out}: {summary.posts} posts, {summary.pages} pages in "
            f"{len(summary.languages)} languages ({', '.join(sorted(summary.languages)) or '-'}), "
            f"{summary.assets} assets, {summary.removed} removed, "
            f"{summary.unchanged} unchanged (skipped), "
            f"{summary.written} files changed, in {summary.seconds:.2f} s."
        )
        print(f"State: {state} (polypub status --out {out})")
        providers = ", ".join(f"{k}: {v}" for k, v in sorted(summary.chars_by_provider.items()))
        print(
            f"Characters sent for translation: {summary.chars_sent}"
            + (f" ({providers})" if providers else "")
        )
        for note in summary.notes:
            print(f"note: {note}")
        for failure in summary.failures:
            print(f"FAILED {failure.key}: [{failure.code}] {failure.message}", file=sys.stderr)
    return EXIT_OK if summary.ok else EXIT_FAILURES


def cmd_dev(args: argparse.Namespace) -> int:
    from polypub.local.dev import DevOptions, run_dev

    content = Path(args.content_dir)
    if not content.is_dir():
        print(f"polypub dev: {content} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    options = DevOptions(
        content_dir=content,
        aws_port=args.aws_port,
        port=args.port,
        once=args.once,
        watch=not args.no_watch,
        info_file=Path(args.info_file) if args.info_file else None,
        template=Path(args.template),
        site_url=args.site_url,
    )
    return run_dev(options, _settings(args))


def cmd_status(args: argparse.Namespace) -> int:
    from polypub.local.buildstate import default_state_dir
    from polypub.local.status import (
        StatusUnavailable,
        load_runs,
        load_statuses,
        render_progress,
        render_status,
    )

    where: dict[str, Any] = {
        "state_dir": Path(args.state)
        if args.state
        else default_state_dir(Path(args.out))
        if args.out
        else None,
        "info_file": Path(args.info_file) if args.info_file else None,
        "settings": _settings(args),
    }
    try:
        statuses, entries = load_statuses(**where)
        runs = load_runs(**where)
    except StatusUnavailable as exc:
        print(f"polypub status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(
            json.dumps(
                {
                    "sources": [s.to_dict() for s in statuses],
                    "posts": [e.to_dict() for e in entries],
                    "republish": [run.progress() for run in runs],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(render_status(statuses, entries))
        if runs:
            print("\n" + render_progress(runs))
    failed = any(s.state == "failed" for s in statuses) or any(run.failed for run in runs)
    return EXIT_FAILURES if failed else EXIT_OK


def cmd_republish(args: argparse.Namespace) -> int:
    from polypub.local.republish import RepublishError, request_republish
    from polypub.steps.jobs import Scope
    from polypub.wiring import aws_client

    settings = _settings(args)
    if args.lang is not None and args.lang not in settings.languages:
        print(
            f"polypub republish: --lang {args.lang} is not a site language "
            f"({', '.join(settings.languages)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    scope = Scope(project=args.project, author=args.author, lang=args.lang)
    try:
        requested = request_republish(
            scope,
            info_file=Path(args.info_file) if args.info_file else None,
            stack=args.stack,
            settings=settings,
            cloudformation=lambda: aws_client("cloudformation", settings),
        )
    except RepublishError as exc:
        print(f"polypub republish: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"Republish {requested.run} ({scope.describe()}) sent to {requested.where}; "
        "`polypub status` shows its jobs done / left / failed."
    )
    return EXIT_OK


def cmd_replay(args: argparse.Namespace) -> int:
    from polypub.local.replay import QUEUES, Method, ReplayError, queue_pairs, replay
    from polypub.wiring import aws_client

    names = QUEUES if args.queue == "all" else (args.queue,)
    settings = _settings(args)
    try:
        pairs, settings = queue_pairs(
            names,
            info_file=Path(args.info_file) if args.info_file else None,
            stack=args.stack,
            settings=settings,
            cloudformation=lambda: aws_client("cloudformation", settings),
        )
        sqs = aws_client("sqs", settings)
        # Local endpoints (moto) have no move tasks: copy at once instead of retrying.
        method: Method = "copy" if args.method == "auto" and settings.endpoint_url else args.method
        results = [replay(sqs, pair, method=method, limit=args.max) for pair in pairs]
    except (ReplayError, FileNotFoundError, KeyError) as exc:
        print(f"polypub replay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        for result in results:
            print(
                f"{result.name}: moved {result.moved} message(s) from the dead-letter queue "
                f"back to the queue ({result.method}); {result.left} left in the dead-letter queue."
            )
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from polypub.importers.model import ImportSourceError
    from polypub.importers.run import REPORT_MD, convert, report_dict, summary_lines, write_tree

    settings = _settings(args)
    out = Path(args.out)
    try:
        result = convert(Path(args.source), settings.languages)
        write_tree(result, out)
    except ImportSourceError as exc:
        print(f"polypub import: [{exc.code}] {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(report_dict(result), indent=2, ensure_ascii=False))
    else:
        print("\n".join(summary_lines(result)))
        print(f"Report: {out / REPORT_MD}. Next: upload {out}/posts and {out}/assets.")
    unreadable = [s for s in result.skipped if s.code == "front-matter-unreadable"]
    return EXIT_FAILURES if unreadable else EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="polypub", description="Polyglot Press: Markdown posts in, a bilingual site out."
    )
    sub = root.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--translator", help="provider chain, e.g. apertium or google,apertium")
        p.add_argument("--languages", help="site languages, first is the default (es,en)")
        p.add_argument("--site-url", help="absolute base URL used in canonical links")

    build = sub.add_parser("build", help="publish a content folder into a site folder")
    build.add_argument("content_dir")
    build.add_argument("--out", required=True, help="the site folder to write")
    build.add_argument(
        "--state",
        help="catalog and translation memory (default: a state of the --out folder's own, "
        "in ~/.cache/polypub/builds/; shown by the summary)",
    )
    build.add_argument("--json", action="store_true", help="print the summary as JSON")
    build.add_argument("--quiet", action="store_true", help="no progress lines")
    common(build)
    build.set_defaults(func=cmd_build)

    dev = sub.add_parser("dev", help="embedded AWS + real handlers + preview server + watcher")
    dev.add_argument("content_dir")
    dev.add_argument("--aws-port", type=int, default=5000, help="moto server port (0: any free)")
    dev.add_argument("--port", type=int, default=8000, help="preview site port (0: any free)")
    dev.add_argument("--once", action="store_true", help="process the content, then exit")
    dev.add_argument("--no-watch", action="store_true", help="do not watch the folder")
    dev.add_argument("--info-file", help="write endpoint, buckets, queues and URLs as JSON")
    dev.add_argument("--template", default="template.yaml", help="the SAM template to read")
    common(dev)
    dev.set_defaults(func=cmd_dev)

    status = sub.add_parser("status", help="what happened to every uploaded file")
    status.add_argument("--state", help="a `polypub build` state folder")
    status.add_argument("--out", help="the --out folder of a `polypub build` (its own state)")
    status.add_argument(
        "--info-file",
        help="the JSON written by `polypub dev --info-file` (default: the `polypub dev` "
        "running from this folder, found in .polypub/dev.json)",
    )
    status.add_argument("--json", action="store_true")
    common(status)
    status.set_defaults(func=cmd_status)

    replay = sub.add_parser(
        "replay",
        help="move dead-letter messages back to their queue after fixing the cause",
        description=(
            "Redrive a dead-letter queue: its messages go back to the queue they came from "
            "and are processed again (the handlers are idempotent). Queues come from "
            "--info-file (polypub dev), --stack (a deployed stack's outputs) or the "
            "variables POLYPUB_{RENDER,TRANSLATE}_{DLQ,QUEUE}_URL."
        ),
    )
    replay.add_argument(
        "--queue", choices=["render", "translate", "all"], default="all", help="which queue"
    )
    replay.add_argument("--info-file", help="the JSON written by `polypub dev --info-file`")
    replay.add_argument("--stack", help="a deployed CloudFormation stack's name")
    replay.add_argument(
        "--method",
        choices=["auto", "move-task", "copy"],
        default="auto",
        help="move-task: SQS's own redrive; copy: receive, re-send, delete (default: auto)",
    )
    replay.add_argument("--max", type=int, help="move at most this many messages per queue")
    replay.add_argument("--json", action="store_true")
    replay.set_defaults(func=cmd_replay)

    imp = sub.add_parser(
        "import",
        help="convert a Jekyll or Hugo site or a WordPress export into posts/ and assets/",
        description=(
            "SOURCE is a Jekyll site (or its _posts/ folder), a Hugo site (or its content/ "
            "folder) or a WordPress export (.xml). Writes posts/, assets/ and IMPORT-REPORT.md "
            "into --out, ready to upload. No network: remote pictures keep their addresses."
        ),
    )
    imp.add_argument("source")
    imp.add_argument("--out", required=True, help="a new or empty folder to write")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    imp.add_argument("--languages", help="site languages, first is the default (es,en)")
    imp.set_defaults(func=cmd_import)
    republish = sub.add_parser(
        "republish",
        help="rewrite every page (or a project's, author's or language's) with the current design",
        description=(
            "Ask the render function to republish the site's pages in bounded jobs (as a "
            "design change does); `polypub status` shows the progress. The render queue "
            "comes from --info-file or the running `polypub dev`, --stack (a deployed "
            "stack's outputs) or POLYPUB_RENDER_QUEUE_URL."
        ),
    )
    chosen = republish.add_mutually_exclusive_group()
    chosen.add_argument("--project", help="only this project's pages")
    chosen.add_argument("--author", help="only this author's pages")
    chosen.add_argument("--lang", help="only the pages in this language")
    republish.add_argument("--info-file", help="the JSON written by `polypub dev --info-file`")
    republish.add_argument("--stack", help="a deployed CloudFormation stack's name")
    republish.set_defaults(func=cmd_republish)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code = int(args.func(args))
    except SettingsError as exc:
        print(f"polypub: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
