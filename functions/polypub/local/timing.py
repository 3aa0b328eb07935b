"""Measure upload-to-live in `polypub dev`: PUT a post, wait until both language pages serve it."""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from polypub.content.post import parse_post
from polypub.local.dev import DevOptions, DevSession
from polypub.site.urls import post_url


def _serves(url: str, needle: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback preview
            return needle in response.read().decode("utf-8")
    except urllib.error.URLError:
        return False


# Published and removed before the first timed round, so that round finds the session
# as a developer does after `polypub dev content/` has processed a folder: templates
# compiled, Apertium's data read once. Its words are not the example post's, so the
# translation memory stays cold for the timed post.
WARM_UP_KEY = "posts/timing-warm-up.md"
WARM_UP_MARKER = "timing-warm-up"
WARM_UP_POST = b"""---
title: A short note
lang: en
---
This short note only gets the preview session going before the clock starts:
`timing-warm-up` is code, so it is never translated.

- It has a list
- and a [link](https://example.org)
"""


def measure(
    post_file: Path,
    template: Path,
    *,
    rounds: int = 3,
    timeout: float = 60,
    warm_up: bool = True,
) -> dict[str, object]:
    """Upload the post `rounds` times (the first with an empty translation memory, the
    others after deleting it, so the memory is warm) and time each until both pages serve.

    With `warm_up`, another post is published and deleted first (see WARM_UP_POST);
    without it, the first round also pays the process's first-use costs.
    """
    data = post_file.read_bytes()
    post = parse_post(f"posts/{post_file.name}", data)
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as empty:
        session = DevSession(
            DevOptions(content_dir=Path(empty), aws_port=0, port=0, watch=False, template=template),
            {"translators": ("apertium",)},
            out=io.StringIO(),
        )
        with session:
            worker = threading.Thread(target=session.serve, daemon=True)
            worker.start()
            if not session.ready.wait(30):
                raise TimeoutError("polypub dev did not start serving within 30 s")
            if warm_up:
                warm = parse_post(WARM_UP_KEY, WARM_UP_POST)
                publish(session, WARM_UP_KEY, WARM_UP_POST, warm.slug, WARM_UP_MARKER, timeout)
                unpublish(session, WARM_UP_KEY, warm.slug, WARM_UP_MARKER, timeout)
            key = f"posts/{post_file.name}"
            for index in range(rounds):
                marker = f"timing-round-{index}"
                body = data + f"\n\n`{marker}`\n".encode()  # code is never translated
                elapsed = publish(session, key, body, post.slug, marker, timeout)
                results.append(
                    {
                        "round": index + 1,
                        "memory": "cold" if index == 0 else "warm",
                        "seconds": round(elapsed, 3),
                    }
                )
                unpublish(session, key, post.slug, marker, timeout)
    return {
        "post": str(post_file),
        "provider": "apertium",
        "warm_up": warm_up,
        "rounds": results,
    }


def _urls(session: DevSession, slug: str) -> list[str]:
    assert session.preview is not None
    assert session.settings is not None
    return [session.preview.url + post_url(lang, slug) for lang in session.settings.languages]


def publish(
    session: DevSession, key: str, body: bytes, slug: str, marker: str, timeout: float
) -> float:
    """PUT the source; seconds until both language pages serve `marker`."""
    assert session.aws is not None
    urls = _urls(session, slug)
    started = time.perf_counter()
    session.aws.client("s3").put_object(Bucket=session.aws.source_bucket, Key=key, Body=body)
    while not all(_serves(url, marker) for url in urls):
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"pages not published within {timeout} s")
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    # The handlers finish (listings, invalidations) before the next step: a delete
    # racing this round's translation is not what is measured here.
    if not session.wait_idle(timeout):
        raise TimeoutError(f"handlers still busy after {timeout} s")
    return elapsed


def unpublish(session: DevSession, key: str, slug: str, marker: str, timeout: float) -> None:
    """DELETE the source and wait until neither page serves `marker` any more."""
    assert session.aws is not None
    urls = _urls(session, slug)
    session.aws.client("s3").delete_object(Bucket=session.aws.source_bucket, Key=key)
    deadline = time.perf_counter() + timeout
    while any(_serves(url, marker) for url in urls):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"pages not unpublished within {timeout} s")
        time.sleep(0.02)
    session.wait_idle(timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("post", type=Path)
    parser.add_argument("--template", type=Path, default=Path("template.yaml"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="time the first round in a fresh process (first-use costs included)",
    )
    args = parser.parse_args(argv)
    report = measure(args.post, args.template, rounds=args.rounds, warm_up=args.warm_up)
    if report["warm_up"]:
        print("(after a warm-up upload of another post; --no-warm-up times a fresh session)")
    for row in report["rounds"]:  # type: ignore[attr-defined]
        print(
            f"round {row['round']} ({row['memory']} memory): {row['seconds']:.3f} s from PUT "
            "to both language pages served"
        )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
