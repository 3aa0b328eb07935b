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


def _serves(url: str, needle: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback preview
            return needle in response.read().decode("utf-8")
    except urllib.error.URLError:
        return False


def measure(
    post_file: Path, template: Path, *, rounds: int = 3, timeout: float = 60
) -> dict[str, object]:
    """Upload the post `rounds` times (the first with an empty translation memory, the
    others after deleting it, so the memory is warm) and time each until both pages serve."""
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
            assert session.aws is not None
            assert session.preview is not None
            s3 = session.aws.client("s3")
            worker = threading.Thread(target=session.serve, daemon=True)
            worker.start()
            base = session.preview.url
            urls = [f"{base}/{lang}/posts/{post.slug}/" for lang in ("es", "en")]
            for index in range(rounds):
                key = f"posts/{post_file.name}"
                marker = f"timing-round-{index}"
                body = data + f"\n\n`{marker}`\n".encode()  # code is never translated
                started = time.perf_counter()
                s3.put_object(Bucket=session.aws.source_bucket, Key=key, Body=body)
                while not all(_serves(url, marker) for url in urls):
                    if time.perf_counter() - started > timeout:
                        raise TimeoutError(f"pages not published within {timeout} s")
                    time.sleep(0.02)
                elapsed = time.perf_counter() - started
                results.append(
                    {
                        "round": index + 1,
                        "memory": "cold" if index == 0 else "warm",
                        "seconds": round(elapsed, 3),
                    }
                )
                s3.delete_object(Bucket=session.aws.source_bucket, Key=key)
                while any(_serves(url, marker) for url in urls):
                    time.sleep(0.02)
    return {"post": str(post_file), "provider": "apertium", "rounds": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("post", type=Path)
    parser.add_argument("--template", type=Path, default=Path("template.yaml"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    report = measure(args.post, args.template, rounds=args.rounds)
    for row in report["rounds"]:  # type: ignore[attr-defined]
        print(
            f"round {row['round']} ({row['memory']} memory): {row['seconds']:.3f} s from PUT "
            "to both language pages served"
        )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
