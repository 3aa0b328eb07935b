"""`make bench`: measure issue 6's budgets; print a table and write bench-results/bench.json.

    python bench/run.py [--quick] [--only 1,2,...] [--out bench-results] [--profile]

Items (issue 6, "Fast and cheap at any size"):
  1 full rebuild of 1,000 generated bilingual posts, warm memory, beside Hugo
  2 incremental republish of one edited post at 1,000 and 10,000 posts (local and moto)
  3 upload to live in `polypub dev` (polypub.local.timing)
  4 cold start: handler imports beside `import boto3`; deployment package size
  5 translation spend for the example post: cold, unchanged re-run, one edited paragraph
  6 peak RSS of each handler on a 200 KB post
  7 machine translation quality: chrF and BLEU (sacrebleu) before and after the built-in
    glossary, Apertium both ways, on bench/mt's reference sentences (python -m bench.mt)

--quick runs every item at toy sizes (a smoke test of the harness, not a measurement).
Wall times depend on what else the machine runs: the load average is recorded in the
JSON; CPU times are the steadier figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python bench/run.py` imports bench.* from the checkout

from bench.generate import (  # noqa: E402 - after the sys.path line above
    edit_one_paragraph,
    generate_posts,
    write_hugo_site,
    write_polypub_content,
)

EXAMPLE = ROOT / "content" / "posts" / "erasmus-etwinning-experience.md"
BUDGET_RATIO_HUGO = 2.0
BUDGET_REPUBLISH_SHARE = 0.01
BUDGET_GROWTH = 2.0
BUDGET_LIVE_APERTIUM = 1.5
BUDGET_LIVE_WARM = 0.5
BUDGET_IMPORT_RATIO = 1.5
BUDGET_PACKAGE_MB = 15.0
BUDGET_RSS_MB = 128.0


@dataclass
class Row:
    """One line of the table: a figure, its budget, pass/fail and how to reproduce it."""

    id: str
    what: str
    figure: str
    budget: str = "-"
    ok: bool | None = None  # None: informational, or not measured
    command: str = ""
    note: str = ""


@dataclass
class Config:
    quick: bool
    out: Path
    python: str
    polypub: str
    full_posts: int = 1000
    republish_sizes: tuple[int, int] = (1000, 10000)
    rss_post_bytes: int = 200_000
    import_runs: int = 5
    upload_rounds: int = 3
    hugo_runs: int = 3
    build_timeout: float = 900.0
    profile: bool = False
    rows: list[Row] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def work(self) -> Path:
        return self.out / "work"

    @property
    def cache(self) -> Path:
        return self.out / "cache"


def _rel(path: Path | str) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["POLYPUB_TRANSLATOR"] = "apertium"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


@dataclass
class Run:
    wall: float
    cpu: float
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


def timed(
    command: Sequence[str], *, env: dict[str, str] | None = None, timeout: float | None = None
) -> Run:
    """Run a command; wall time, and CPU time (user + system, its children included) from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, env=env, cwd=ROOT)
        timed_out = False
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                timed_out = True
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=timed_out,
        )


def _fmt_s(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


# --------------------------------------------------------------------------- 1. full rebuild


def item_full_rebuild(cfg: Config) -> None:
    from bench.warm import warm_memory
    from polypub.settings import Settings
    from polypub.translate.providers import build_translator

    n = cfg.full_posts
    work = cfg.work / f"full-{n}"
    if work.exists():
        shutil.rmtree(work)
    posts = generate_posts(n)
    content = write_polypub_content(posts, work / "content", template_content=ROOT / "content")
    hugo_dir = write_hugo_site(posts, work / "hugo", template_content=ROOT / "content")
    pages_md = sum(len(p.markdown().encode()) for p in posts)
    _say(f"[1] generated {n} posts ({pages_md / n / 1024:.1f} KB each on average)")

    # Warm: fill the memory for these posts with Apertium (kept in the cache between runs).
    settings = Settings(translators=("apertium",))
    warm_state = work / "warm-state"
    warm_state.mkdir(parents=True)
    cached = cfg.cache / "memory.json"
    if cached.exists():
        shutil.copyfile(cached, warm_state / "memory.json")
    started = time.perf_counter()
    warm = warm_memory(
        settings, content, warm_state, build_translator(("apertium",), settings), workers=3
    )
    cfg.cache.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warm_state / "memory.json", cached)
    warm_seconds = time.perf_counter() - started
    _say(f"[1] warm memory ready in {warm_seconds:.1f} s ({warm.to_dict()})")

    # Timed: a from-scratch build (fresh site folder and catalog) with the warm memory.
    state = work / "build-state"
    state.mkdir()
    shutil.copyfile(warm_state / "memory.json", state / "memory.json")
    site = work / "site"
    command = [cfg.polypub, "build", str(content), "--out", str(site), "--state", str(state)]
    command += ["--json", "--quiet"]
    shown = (
        f"polypub build {_rel(content)} --out {_rel(site)} --state {_rel(state)} --json --quiet"
        " (state holds only the warm memory.json)"
    )
    _say(f"[1] timing: {shown}")
    run = timed(command, env=_env(), timeout=cfg.build_timeout)
    summary: dict[str, Any] = {}
    if run.stdout.strip().startswith("{"):
        summary = json.loads(run.stdout)
    files = sum(1 for p in site.rglob("*") if p.is_file()) if site.exists() else 0
    result: dict[str, Any] = {
        "posts": n,
        "markdown_bytes": pages_md,
        "warm": {**warm.to_dict(), "seconds": round(warm_seconds, 1)},
        "polypub": {
            "wall": round(run.wall, 3),
            "cpu": round(run.cpu, 3),
            "returncode": run.returncode,
            "timed_out": run.timed_out,
            "files": files,
            "summary": {k: v for k, v in summary.items() if k not in ("failures", "notes")},
            "failures": len(summary.get("failures", [])),
        },
        "command": shown,
    }
    warm_ok = summary.get("chars_sent") == 0
    note = "" if warm_ok else "memory was not warm: characters were sent during the timed build"
    if run.timed_out:
        note = f"killed after {cfg.build_timeout:.0f} s"

    hugo = shutil.which("hugo")
    hugo_row: Row
    if hugo is None:
        result["hugo"] = None
        hugo_row = Row(
            "1b",
            "Hugo, same posts (hugo --quiet)",
            "not installed",
            note="skipped: no hugo (scripts/install-system-deps --bench installs Debian's hugo)",
        )
        ratio_row = Row("1c", "polypub / Hugo wall time", "n/a", f"<= {BUDGET_RATIO_HUGO}x", None)
    else:
        version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
        runs = []
        for _ in range(cfg.hugo_runs):
            out = work / "hugo-public"
            shutil.rmtree(out, ignore_errors=True)
            runs.append(timed([hugo, "--quiet", "-s", str(hugo_dir), "-d", str(out)]))
        hugo_files = sum(1 for p in (work / "hugo-public").rglob("*") if p.is_file())
        wall = statistics.median(r.wall for r in runs)
        cpu = statistics.median(r.cpu for r in runs)
        result["hugo"] = {
            "version": version,
            "wall": round(wall, 3),
            "cpu": round(cpu, 3),
            "runs_wall": [round(r.wall, 3) for r in runs],
            "files": hugo_files,
            "returncode": max(r.returncode for r in runs),
        }
        hugo_cmd = f"hugo --quiet -s {_rel(hugo_dir)} -d {_rel(work / 'hugo-public')}"
        hugo_row = Row(
            "1b",
            f"Hugo, same posts in es+en ({hugo_files} files)",
            f"{_fmt_s(wall)} wall, {_fmt_s(cpu)} CPU (median of {cfg.hugo_runs})",
            command=hugo_cmd,
            note=version.split(" ")[1] if " " in version else version,
        )
        ratio = run.wall / wall if wall else float("inf")
        result["ratio_wall"] = round(ratio, 2)
        result["ratio_cpu"] = round(run.cpu / cpu, 2) if cpu else None
        ratio_row = Row(
            "1c",
            "polypub / Hugo",
            f"{ratio:.1f}x wall ({run.cpu / cpu:.1f}x CPU)",
            f"<= {BUDGET_RATIO_HUGO:g}x wall",
            ratio <= BUDGET_RATIO_HUGO and not run.timed_out,
            command="1a / 1b",
        )
    cfg.results["1_full_rebuild"] = result
    cfg.rows += [
        Row(
            "1a",
            f"polypub build, {n} posts, warm memory ({files} files)",
            (f"> {cfg.build_timeout:.0f} s" if run.timed_out else _fmt_s(run.wall))
            + f" wall, {_fmt_s(run.cpu)} CPU",
            command=shown,
            note=note
            or f"{summary.get('pages', '?')} post pages, chars sent {summary.get('chars_sent')}",
            ok=None if warm_ok else False,
        ),
        hugo_row,
        ratio_row,
    ]
    if not run.timed_out and run.returncode in (0, 1):
        _rebuild_after_edit(cfg, posts[-1].name, content, command, shown, run.cpu)
    if cfg.profile:
        _profile_build(cfg, content, warm_state / "memory.json")


def _rebuild_after_edit(
    cfg: Config, name: str, content: Path, command: list[str], shown: str, full_cpu: float
) -> None:
    """`polypub build` again on the same site and state: once with nothing changed, then
    after editing one paragraph of one post. The issue expects the second to take the
    republish path; what the edit adds to the unchanged run is its republish cost (the
    unchanged run is the process starting, importing and checking every post's hash)."""
    idle = timed(command, env=_env(), timeout=cfg.build_timeout)
    idle_summary = json.loads(idle.stdout) if idle.stdout.strip().startswith("{") else {}
    target = content / "posts" / f"{name}.md"
    edited, _ = edit_one_paragraph(target.read_text("utf-8"))
    target.write_text(edited, "utf-8")
    run = timed(command, env=_env(), timeout=cfg.build_timeout)
    summary = json.loads(run.stdout) if run.stdout.strip().startswith("{") else {}
    extra = max(0.0, run.cpu - idle.cpu)
    cfg.results["1_full_rebuild"]["rebuild_unchanged"] = {
        "wall": round(idle.wall, 3),
        "cpu": round(idle.cpu, 3),
        "files_written": idle_summary.get("files_written"),
        "unchanged": idle_summary.get("unchanged"),
    }
    cfg.results["1_full_rebuild"]["rebuild_after_edit"] = {
        "wall": round(run.wall, 3),
        "cpu": round(run.cpu, 3),
        "extra_cpu": round(extra, 3),
        "timed_out": run.timed_out,
        "files_written": summary.get("files_written"),
        "chars_sent": summary.get("chars_sent"),
        "unchanged": summary.get("unchanged"),
    }
    cmd = shown.split(" (state")[0]
    cfg.rows.append(
        Row(
            "1d",
            "polypub build again, nothing changed (same site and state)",
            f"{_fmt_s(idle.wall)} wall, {_fmt_s(idle.cpu)} CPU",
            command=cmd,
            note=f"{idle_summary.get('files_written')} files written, "
            f"{idle_summary.get('unchanged')} files unchanged (skipped)",
        )
    )
    share = extra / full_cpu if full_cpu else float("inf")
    cfg.rows.append(
        Row(
            "1e",
            "polypub build again after editing one post: CPU beyond 1d",
            (f"> {cfg.build_timeout:.0f} s" if run.timed_out else _fmt_s(run.wall))
            + f" wall, {_fmt_s(run.cpu)} CPU; {_fmt_s(extra)} beyond 1d"
            + f" = {100 * share:.2f}% of the full build",
            "- (the budget is 2a's: this includes Apertium's process)",
            None,
            cmd + f"  (after appending a sentence to posts/{name}.md)",
            note=f"{summary.get('files_written')} files written, "
            f"{summary.get('chars_sent')} chars sent; Apertium's CPU included",
        )
    )


def _profile_build(cfg: Config, content: Path, memory: Path) -> None:
    """cProfile of an in-process `polypub build` of the first 200 posts (O(n^2) parts show)."""
    import cProfile
    import pstats

    from polypub.local.build import run_build
    from polypub.settings import Settings

    n = min(cfg.full_posts, 200)
    work = cfg.work / f"profile-build-{n}"
    shutil.rmtree(work, ignore_errors=True)
    write_polypub_content(generate_posts(n), work / "content", template_content=ROOT / "content")
    (work / "state").mkdir(parents=True)
    shutil.copyfile(memory, work / "state" / "memory.json")
    target = cfg.out / "profiles" / f"build-{n}.prof"
    target.parent.mkdir(parents=True, exist_ok=True)
    settings = Settings(translators=("apertium",))
    profiler = cProfile.Profile()
    profiler.runcall(run_build, settings, work / "content", work / "site", work / "state")
    profiler.dump_stats(target)
    with open(target.with_suffix(".txt"), "w", encoding="utf-8") as handle:
        pstats.Stats(str(target), stream=handle).sort_stats("cumulative").print_stats(60)
    _say(f"[1] profile written to {_rel(target)} (.txt beside it)")


# --------------------------------------------------------------------------- 2. republish


def item_republish(cfg: Config) -> None:
    from bench.republish import prefill, run_local, run_moto
    from polypub.settings import Settings

    settings = Settings(translators=("apertium",))
    memory = cfg.cache / "memory.json"
    out: dict[str, Any] = {"method": "see bench/republish.py: pre-filled site, one post edited"}
    for n in cfg.republish_sizes:
        _say(f"[2] pre-filling a {n}-post site")
        data = prefill(
            generate_posts(n),
            settings,
            template_content=ROOT / "content",
            memory_file=memory if memory.exists() else None,
            scratch=cfg.work / f"republish-{n}" / "scratch",
        )
        _say(f"[2] {n} posts: {len(data.pages)} post pages, {len(data.listings)} listing objects")
        local = run_local(data, settings, cfg.work / f"republish-{n}" / "local")
        _say(f"[2] local {n}: {local['cpu']:.3f} s CPU")
        if cfg.profile:
            # A second run under cProfile (its figures are not the ones reported).
            profile = cfg.out / "profiles" / f"republish-local-{n}.prof"
            run_local(data, settings, cfg.work / f"republish-{n}" / "profiled", profile=profile)
            _say(f"[2] profile written to {_rel(profile)} (.txt beside it)")
        moto = run_moto(data, settings)
        _say(f"[2] moto {n}: {moto['summary']}")
        out[str(n)] = {"local": local, "moto": moto, "listing_objects": len(data.listings)}
    cfg.results["2_republish"] = out

    small, large = (str(n) for n in cfg.republish_sizes)
    cpu_small = out[small]["local"]["cpu"]
    cpu_large = out[large]["local"]["cpu"]
    full = cfg.results.get("1_full_rebuild", {}).get("polypub", {})
    full_cpu = full.get("cpu") if full and not full.get("timed_out") else None
    command = (
        "python bench/run.py --only 2  "
        "(bench/republish.py: apply_source_change + apply_translation)"
    )
    share_ok = None if full_cpu is None else cpu_small <= BUDGET_REPUBLISH_SHARE * full_cpu
    cfg.rows += [
        Row(
            "2a",
            f"republish one edited post, {small} posts, local adapters",
            f"{_fmt_s(cpu_small)} CPU ({_fmt_s(out[small]['local']['wall'])} wall)"
            + (f" = {100 * cpu_small / full_cpu:.1f}% of full rebuild" if full_cpu else ""),
            "<= 1% of full rebuild CPU"
            + (f" ({_fmt_s(BUDGET_REPUBLISH_SHARE * full_cpu)})" if full_cpu else ""),
            share_ok,
            command,
            note="" if full_cpu else "needs item 1's CPU figure for the budget",
        ),
        Row(
            "2b",
            f"republish one edited post, {large} posts, local adapters",
            f"{_fmt_s(cpu_large)} CPU = {cpu_large / cpu_small:.1f}x the {small}-post figure",
            f"< {BUDGET_GROWTH:g}x",
            cpu_large < BUDGET_GROWTH * cpu_small,
            command,
        ),
    ]
    for n, row_id in ((small, "2c"), (large, "2d")):
        moto = out[n]["moto"]
        both = {
            key: moto["summary"]["render"][key] + moto["summary"]["translate"][key]
            for key in moto["summary"]["render"]
        }
        out[n]["moto"]["total"] = both
        cfg.rows.append(
            Row(
                row_id,
                f"republish under moto, {n} posts (render + translate Lambda)",
                f"{both['site_objects_written']} site objects written, "
                f"{both['catalog_reads']} catalog reads ({both['catalog_items_read']} items), "
                f"{both['s3_list_pages']} S3 listings ({both['s3_keys_listed']} keys), "
                f"{both['api_calls']} API calls",
                "nothing grows with the site",
                None,
                command,
            )
        )
    grow_small = out[small]["moto"]["total"]
    grow_large = out[large]["moto"]["total"]
    read_small = grow_small["catalog_items_read"] + grow_small["s3_keys_listed"]
    read_large = grow_large["catalog_items_read"] + grow_large["s3_keys_listed"]
    cfg.rows.append(
        Row(
            "2e",
            f"moto: items read (catalog items + keys listed), {large} vs {small} posts",
            f"{read_large} vs {read_small} = {read_large / max(1, read_small):.1f}x",
            f"< {BUDGET_GROWTH:g}x",
            read_large < BUDGET_GROWTH * read_small,
            command,
        )
    )


# --------------------------------------------------------------------------- 3. upload to live


def item_upload_to_live(cfg: Config) -> None:
    post = _rel(EXAMPLE)
    command = [cfg.python, "-m", "polypub.local.timing", post, "--rounds", str(cfg.upload_rounds)]
    shown = f"python -m polypub.local.timing {post} --rounds {cfg.upload_rounds}"
    run = timed(command, env=_env(), timeout=600)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode != 0 or not lines:
        raise RuntimeError(f"{shown} failed: {run.stderr[-2000:]}")
    report = json.loads(lines[-1])
    rounds = report["rounds"]
    cold = next(r["seconds"] for r in rounds if r["memory"] == "cold")
    warm = [r["seconds"] for r in rounds if r["memory"] == "warm"]
    warm_median = statistics.median(warm) if warm else None
    cfg.results["3_upload_to_live"] = {**report, "command": shown}
    cfg.rows += [
        Row(
            "3a",
            "upload to live, example post, Apertium (cold memory)",
            _fmt_s(cold),
            f"<= {BUDGET_LIVE_APERTIUM} s",
            cold <= BUDGET_LIVE_APERTIUM,
            shown,
            note="PUT until both language pages serve the new text",
        ),
        Row(
            "3b",
            "upload to live, example post, warm memory",
            "n/a" if warm_median is None else f"{_fmt_s(warm_median)} (median of {len(warm)})",
            f"<= {BUDGET_LIVE_WARM} s",
            None if warm_median is None else warm_median <= BUDGET_LIVE_WARM,
            shown,
        ),
    ]


# --------------------------------------------------------------------------- 4. cold start


COLD_INIT = """
import time
started = time.perf_counter()
import polypub.handlers.{name} as handler
from polypub.handlers.runtime import services
services()
print(time.perf_counter() - started)
"""


def item_cold_start(cfg: Config) -> None:
    from bench.importtime import measure_imports, package_size

    statements = {
        "import boto3": "import boto3",
        "render handler": "import polypub.handlers.render",
        "translate handler": "import polypub.handlers.translate",
    }
    measured = measure_imports(
        cfg.python, statements, runs=cfg.import_runs, pycache=cfg.out / "pycache"
    )
    # Module import plus the first services() (boto3 and its clients), no network.
    env = _env(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's documented dummy value
        AWS_DEFAULT_REGION="us-east-1",
        POLYPUB_TRANSLATE_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/q",
        POLYPUB_DISTRIBUTION_ID="E123",
        PYTHONPYCACHEPREFIX=str(cfg.out / "pycache"),
    )
    init: dict[str, float] = {}
    for name in ("render", "translate"):
        values = []
        for _ in range(cfg.import_runs):
            done = subprocess.run(
                [cfg.python, "-c", COLD_INIT.format(name=name)],
                capture_output=True, text=True, env=env, check=True, cwd=ROOT,
            )  # fmt: skip
            values.append(float(done.stdout.strip().splitlines()[-1]))
        init[name] = round(statistics.median(values) * 1000, 1)
    measured["cold_init_ms"] = init
    cfg.results["4_cold_start"] = measured
    boto = measured["import boto3"]["median_ms"]
    shown = (
        "python -X importtime -c '{stmt}'  (fresh interpreter, median of "
        + str(cfg.import_runs)
        + ", byte-code precompiled)"
    )
    cfg.rows.append(
        Row(
            "4a",
            "import boto3 (reference)",
            f"{boto:.0f} ms",
            command=shown.format(stmt="import boto3"),
        )
    )
    for row_id, label in (("4b", "render handler"), ("4c", "translate handler")):
        value = measured[label]["median_ms"]
        top = ", ".join(
            f"{k} {v:.0f}" for k, v in list(measured[label]["by_package_ms"].items())[:6]
        )
        cfg.rows.append(
            Row(
                row_id,
                f"import {label} module",
                f"{value:.0f} ms = {value / boto:.2f}x boto3",
                f"<= {BUDGET_IMPORT_RATIO}x ({BUDGET_IMPORT_RATIO * boto:.0f} ms)",
                value <= BUDGET_IMPORT_RATIO * boto,
                shown.format(stmt=statements[label]),
                note=f"ms by package: {top}; +services(): {init[label.split()[0]]:.0f} ms in all",
            )
        )
    _say("[4] measuring the deployment package (pip install --target)")
    try:
        size = package_size(cfg.python, ROOT, workdir=cfg.work)
    except subprocess.CalledProcessError as error:
        cfg.rows.append(
            Row(
                "4d",
                "deployment package without boto3",
                "not measured",
                f"< {BUDGET_PACKAGE_MB} MB",
                None,
                note=f"pip failed: {(error.stderr or '')[-300:]}",
            )
        )
        return
    cfg.results["4_package"] = size
    largest = ", ".join(f"{k} {v}" for k, v in list(size["largest"].items())[:6])
    cfg.rows.append(
        Row(
            "4d",
            "deployment package without boto3/botocore",
            f"{size['mb']:.1f} MB",
            f"< {BUDGET_PACKAGE_MB:g} MB",
            size["mb"] < BUDGET_PACKAGE_MB,
            size["command"],
            note=f"largest (MB): {largest}",
        )
    )


# --------------------------------------------------------------------------- 5. translation spend


def item_translation_spend(cfg: Config) -> None:
    work = cfg.work / "spend"
    shutil.rmtree(work, ignore_errors=True)
    content = work / "content"
    (content / "posts").mkdir(parents=True)
    for folder in ("assets", "config"):
        shutil.copytree(ROOT / "content" / folder, content / folder)
    target = content / "posts" / EXAMPLE.name
    original = EXAMPLE.read_text("utf-8")
    target.write_text(original, "utf-8")
    state, site = work / "state", work / "site"
    command = [cfg.polypub, "build", str(content), "--out", str(site), "--state", str(state)]
    command += ["--json", "--quiet"]
    shown = f"polypub build {_rel(content)} --out {_rel(site)} --state {_rel(state)} --json"

    def chars() -> int:
        run = timed(command, env=_env(), timeout=300)
        if not run.stdout.strip().startswith("{"):
            raise RuntimeError(f"{shown} failed: {run.stderr[-2000:]}")
        return int(json.loads(run.stdout)["chars_sent"])

    cold = chars()
    again = chars()
    edited, paragraph = edit_one_paragraph(original)
    target.write_text(edited, "utf-8")
    after_edit = chars()
    body = original.split("\n---\n", 1)[1]
    cfg.results["5_translation_spend"] = {
        "post": _rel(EXAMPLE),
        "post_chars": len(original),
        "body_chars": len(body),
        "cold": cold,
        "unchanged_rerun": again,
        "one_paragraph_edit": after_edit,
        "edited_paragraph_chars": len(paragraph),
        "edited_paragraph": paragraph,
        "command": shown,
    }
    cfg.rows += [
        Row(
            "5a",
            "chars sent, example post, cold memory",
            f"{cold}",
            command=shown,
            note=f"post body is {len(body)} chars of Markdown",
        ),
        Row("5b", "chars sent, re-run with nothing changed", f"{again}", "0", again == 0, shown),
        Row(
            "5c",
            "chars sent after editing one paragraph",
            f"{after_edit} (the paragraph: {len(paragraph)} chars of Markdown)",
            "about the paragraph's length",
            after_edit <= len(paragraph) + 40,
            shown + "  (after appending one sentence to the first paragraph)",
        ),
    ]


# --------------------------------------------------------------------------- 6. memory


def big_post(size: int) -> bytes:
    """An English post of at least `size` bytes: the generator's bodies one after another."""
    posts = [p for p in generate_posts(max(4, size // 1500), seed=66) if p.lang == "en"]
    head = (
        "---\ntitle: A whole year of our Erasmus+ project\nauthor: Equipo Erasmus+\n"
        "description: Every activity of the year, month by month.\n"
        "date: 2024-06-20T10:00:00.000Z\nproject: proyecto-2\nlang: en\n---\n"
    )
    parts = [head]
    total = len(head.encode())
    for post in posts:
        if total >= size:
            break
        parts.append(post.body + "\n")
        total += len(parts[-1].encode())
    return "".join(parts).encode("utf-8")


def _sqs_event(messages: list[dict[str, Any]], arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def _wait_message(sqs: Any, url: str, want: Callable[[str], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
        ).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if want(message["Body"]):
                return dict(message)
    raise TimeoutError(f"no message on {url}")


def item_memory(cfg: Config) -> None:
    from polypub.local.aws import start_embedded_aws

    work = cfg.work / "memory"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    aws = start_embedded_aws(0, template=ROOT / "template.yaml")
    try:
        env = _env(
            **aws.env(site_url="http://localhost:8000"),
            POWERTOOLS_METRICS_DISABLED="true",
            POWERTOOLS_LOG_LEVEL="WARNING",
        )
        # The template's default provider is a network one; locally, as `polypub dev` does.
        env["POLYPUB_TRANSLATOR"] = "apertium"
        s3, sqs = aws.client("s3"), aws.client("sqs")
        post = big_post(cfg.rss_post_bytes)
        key = "posts/a-whole-year.md"
        s3.put_object(Bucket=aws.source_bucket, Key=key, Body=post)
        results: dict[str, Any] = {"post_bytes": len(post)}
        queues = {
            "render": (aws.render_queue_url, lambda body: "a-whole-year" in body),
            "translate": (aws.translate_queue_url, lambda body: "a-whole-year" in body),
        }
        for name, (url, want) in queues.items():
            message = _wait_message(sqs, url, want)
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            event_file = work / f"{name}-event.json"
            event_file.write_text(json.dumps(_sqs_event([message], arn, aws.region)), "utf-8")
            run = timed([cfg.python, "-m", "bench.handler_rss", name, str(event_file)], env=env)
            (work / f"{name}.log").write_text(run.stdout + run.stderr, "utf-8")
            lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
            if run.returncode != 0 or not lines:
                raise RuntimeError(f"{name} handler failed: {run.stderr[-2000:]}")
            results[name] = json.loads(lines[-1])
        cfg.results["6_memory"] = results
    finally:
        aws.stop()
    for row_id, name in (("6a", "render"), ("6b", "translate")):
        r = results[name]
        cfg.rows.append(
            Row(
                row_id,
                f"peak RSS, {name} handler, {len(post) // 1000} KB post",
                f"{r['peak_rss_mb']:.0f} MB ({r['rss_after_import_mb']:.0f} MB after import)",
                f"<= {BUDGET_RSS_MB:g} MB",
                r["peak_rss_mb"] <= BUDGET_RSS_MB and not r["failures"],
                f"python -m bench.handler_rss {name} {_rel(work / (name + '-event.json'))}"
                " (env: embedded AWS from template.yaml)",
                note=f"handler {r['handler_seconds']:.1f} s"
                + (f", {r['failures']} FAILED records" if r["failures"] else ""),
            )
        )


# --------------------------------------------------------------------------- 7. translation quality


def item_translation_quality(cfg: Config) -> None:
    from bench.mt import measure

    # Apertium only: the other providers need the network (python -m bench.mt --network).
    scores, outputs = measure(["apertium"])
    cfg.results["7_translation_quality"] = {
        "scores": [asdict(s) for s in scores],
        "translations": outputs,
    }
    shown = "python -m bench.mt --providers apertium"
    for index, s in enumerate(scores):
        figure = s.error or f"chrF {s.chrf:.1f}, BLEU {s.bleu:.1f}"
        cfg.rows.append(
            Row(
                f"7{chr(ord('a') + index)}",
                f"{s.set}: apertium {s.source}->{s.target}, {s.glossary} glossary, "
                f"{s.sentences} sentences",
                figure,
                command=shown if index == 0 else "",
            )
        )


# --------------------------------------------------------------------------- report

ITEMS: dict[str, tuple[str, Callable[[Config], None]]] = {
    "1": ("full rebuild beside Hugo", item_full_rebuild),
    "2": ("incremental republish", item_republish),
    "3": ("upload to live", item_upload_to_live),
    "4": ("cold start and package size", item_cold_start),
    "5": ("translation spend", item_translation_spend),
    "6": ("memory", item_memory),
    "7": ("translation quality", item_translation_quality),
}


def table(rows: Sequence[Row]) -> str:
    """The rows as a text table (long cells wrapped), then each row's command and notes."""
    import textwrap

    header = ("#", "measurement", "figure", "budget", "result")
    limits = (4, 44, 52, 30, 6)
    cells = [
        (r.id, r.what, r.figure, r.budget, {True: "pass", False: "FAIL", None: "-"}[r.ok])
        for r in rows
    ]
    widths = [
        min(limit, max([len(h)] + [len(c[i]) for c in cells]))
        for i, (h, limit) in enumerate(zip(header, limits, strict=True))
    ]

    def line(values: Sequence[str]) -> list[str]:
        wrapped = [textwrap.wrap(v, w) or [""] for v, w in zip(values, widths, strict=True)]
        return [
            "  ".join(
                (col[n] if n < len(col) else "").ljust(w)
                for col, w in zip(wrapped, widths, strict=True)
            ).rstrip()
            for n in range(max(len(col) for col in wrapped))
        ]

    out = [*line(header), "  ".join("-" * w for w in widths)]
    for cell in cells:
        out += line(cell)
    out.append("")
    for r in rows:
        if r.command or r.note:
            out.append(f"[{r.id}] {r.command}")
            if r.note:
                out.append(f"      {r.note}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="toy sizes: a smoke test of the harness"
    )
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="comma-separated items (1-7)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    parser.add_argument("--profile", action="store_true", help="also write cProfile reports")
    parser.add_argument(
        "--build-timeout", type=float, default=900.0, help="seconds for item 1's build"
    )
    args = parser.parse_args(argv)
    python = sys.executable
    polypub = str(Path(python).parent / "polypub")
    if not Path(polypub).exists():
        polypub = shutil.which("polypub") or polypub
    cfg = Config(
        quick=args.quick,
        out=args.out.resolve(),
        python=python,
        polypub=polypub,
        build_timeout=args.build_timeout,
        profile=args.profile,
    )
    if args.quick:
        cfg.full_posts = 24
        cfg.republish_sizes = (20, 200)
        cfg.rss_post_bytes = 20_000
        cfg.import_runs = 2
        cfg.upload_rounds = 2
        cfg.hugo_runs = 1
    cfg.out.mkdir(parents=True, exist_ok=True)
    chosen = [item.strip() for item in args.only.split(",") if item.strip()]
    meta = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "items": chosen,
    }
    errors: dict[str, str] = {}
    started = time.perf_counter()
    for item in chosen:
        label, function = ITEMS[item]
        _say(f"== {item}. {label}")
        item_started = time.perf_counter()
        try:
            function(cfg)
        except Exception as error:  # one broken item must not hide the others' figures
            errors[item] = "".join(traceback.format_exception(error))[-4000:]
            cfg.rows.append(
                Row(f"{item}!", f"{label}: ERROR", f"{type(error).__name__}: {error}"[:200])
            )
            _say(errors[item])
        took = time.perf_counter() - item_started
        _say(f"== {item} took {took:.1f} s (load {os.getloadavg()[0]:.1f})")
    meta["seconds"] = round(time.perf_counter() - started, 1)
    meta["load_average_after"] = os.getloadavg()
    report = {
        "meta": meta,
        "rows": [asdict(r) for r in cfg.rows],
        "results": cfg.results,
        "errors": errors,
    }
    target = cfg.out / ("bench-quick.json" if args.quick else "bench.json")
    target.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), "utf-8")
    print(table(cfg.rows))
    load = meta["load_average_after"][0]
    print(f"\nJSON: {_rel(target)}  ({meta['seconds']} s, load average {load:.1f})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
