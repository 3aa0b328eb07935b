"""Where upload-to-live time goes in `polypub dev`: a timeline of one upload, phase by phase.

    python -m bench.live_trace [POST.md] [--rounds 3] [--no-warm-up]

Runs the same session as polypub.local.timing (embedded AWS, real handlers, preview
server) and, for each upload, prints when each handler started and ended, how long its
listings refresh, its AWS calls (count and time waiting on moto) and Apertium took, and
when each language page first served the new text. A diagnostic for item 3 of bench/run.py.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Timeline:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.events: list[tuple[float, str]] = []
        self.totals: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def mark(self, what: str) -> None:
        with self.lock:
            self.events.append((time.perf_counter() - self.t0, what))

    def add(self, what: str, seconds: float) -> None:
        with self.lock:
            self.totals[what] += seconds
            self.counts[what] += 1

    def reset(self) -> None:
        with self.lock:
            self.t0 = time.perf_counter()
            self.events.clear()
            self.totals.clear()
            self.counts.clear()


def _timed(timeline: Timeline, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timeline.add(label, time.perf_counter() - started)

    return wrapper


def _serves(url: str, needle: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return needle in response.read().decode("utf-8")
    except urllib.error.URLError:
        return False


def trace(post_file: Path, rounds: int, *, warm_up: bool = True) -> list[dict[str, Any]]:
    import boto3

    from polypub import pipeline
    from polypub.content.post import parse_post
    from polypub.handlers import render, translate
    from polypub.local import timing
    from polypub.local.dev import DevOptions, DevSession
    from polypub.site.urls import post_url
    from polypub.steps import people, post_pages, publish
    from polypub.steps import translate as translate_step
    from polypub.translate.providers import apertium

    timeline = Timeline()
    current = threading.local()
    # Handlers and the steps worth seeing, wrapped before the session wires them up.
    for module, name in ((render, "render"), (translate, "translate")):
        original = module.handler

        def handler(event: Any, context: Any, _f: Any = original, _n: str = name) -> Any:
            timeline.mark(f"{_n} handler starts")
            started = time.perf_counter()
            current.name = _n
            try:
                return _f(event, context)
            finally:
                current.name = None
                timeline.add(f"{_n} handler", time.perf_counter() - started)
                timeline.mark(f"{_n} handler ends")

        module.handler = handler  # type: ignore[assignment]
    pipeline.refresh_listings = _timed(timeline, "refresh_listings", pipeline.refresh_listings)  # type: ignore[assignment]
    # Every step module that writes post pages calls its own imported name.
    timed_pages = _timed(timeline, "write_post_pages", post_pages.write_post_pages)
    for step in (post_pages, publish, people, translate_step):
        step.write_post_pages = timed_pages  # type: ignore[attr-defined]
    apertium.ApertiumTranslator._run = _timed(  # type: ignore[method-assign]
        timeline, "apertium process", apertium.ApertiumTranslator._run
    )
    # Every boto3 call the handlers make (their clients come from the default session).
    boto3.setup_default_session()
    starts: dict[int, float] = {}

    def before(context: dict[str, Any], **_: Any) -> None:
        starts[id(context)] = time.perf_counter()

    def after(event_name: str, context: dict[str, Any], **_: Any) -> None:
        started = starts.pop(id(context), None)
        if started is not None:
            _, service, operation = event_name.split(".", 2)
            who = getattr(current, "name", None) or "outside handlers"
            timeline.add(f"aws {service} calls", time.perf_counter() - started)
            timeline.add(f"  {who}: {service}:{operation}", time.perf_counter() - started)

    boto3.DEFAULT_SESSION.events.register("before-call", before)
    boto3.DEFAULT_SESSION.events.register("after-call", after)

    data = post_file.read_bytes()
    post = parse_post(f"posts/{post_file.name}", data)
    results = []
    with tempfile.TemporaryDirectory() as empty:
        session = DevSession(
            DevOptions(
                content_dir=Path(empty),
                aws_port=0,
                port=0,
                watch=False,
                template=ROOT / "template.yaml",
            ),
            {"translators": ("apertium",)},
            out=io.StringIO(),
        )
        with session:
            assert session.aws is not None
            assert session.preview is not None
            s3 = session.aws.client("s3")
            threading.Thread(target=session.serve, daemon=True).start()
            if not session.ready.wait(30):
                raise TimeoutError("polypub dev did not start serving within 30 s")
            if warm_up:  # as polypub.local.timing does: another post first
                warm = parse_post(timing.WARM_UP_KEY, timing.WARM_UP_POST)
                marker = timing.WARM_UP_MARKER
                timing.publish(
                    session, timing.WARM_UP_KEY, timing.WARM_UP_POST, warm.slug, marker, 60
                )
                timing.unpublish(session, timing.WARM_UP_KEY, warm.slug, marker, 60)
            assert session.settings is not None
            urls = {
                lang: session.preview.url + post_url(lang, post.slug)
                for lang in session.settings.languages
            }
            key = f"posts/{post_file.name}"
            for index in range(rounds):
                marker = f"trace-round-{index}"
                timeline.reset()
                timeline.mark("PUT")
                s3.put_object(
                    Bucket=session.aws.source_bucket,
                    Key=key,
                    Body=data + f"\n\n`{marker}`\n".encode(),
                )
                timeline.mark("PUT returned")
                pending = dict(urls)
                while pending:
                    for lang, url in list(pending.items()):
                        if _serves(url, marker):
                            timeline.mark(f"{lang} page serves the new text")
                            del pending[lang]
                    time.sleep(0.01)
                session.wait_idle(60)  # the last handler finishes its refresh
                results.append(
                    {
                        "round": index + 1,
                        "memory": "cold" if index == 0 else "warm",
                        "events": [(round(t, 3), what) for t, what in timeline.events],
                        "totals": {k: round(v, 3) for k, v in timeline.totals.items()},
                        "counts": dict(timeline.counts),
                    }
                )
                s3.delete_object(Bucket=session.aws.source_bucket, Key=key)
                while any(_serves(url, marker) for url in urls.values()):
                    time.sleep(0.02)
                session.wait_idle(60)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "post", type=Path, nargs="?", default=ROOT / "content/posts/erasmus-etwinning-experience.md"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false")
    args = parser.parse_args(argv)
    results = trace(args.post, args.rounds, warm_up=args.warm_up)
    for result in results:
        print(f"round {result['round']} ({result['memory']} memory)")
        for at, what in result["events"]:
            print(f"  {at:7.3f} s  {what}")
        for what, seconds in sorted(result["totals"].items(), key=lambda kv: -kv[1]):
            print(f"     {seconds:7.3f} s in {what} ({result['counts'][what]}x)")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
