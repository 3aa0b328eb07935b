"""The Lambda package as functions/lambda_build.py lays it out runs the handlers' Powertools.

The package is assembled offline from this venv's copies of the lock's distributions
(the same versions: tests/unit/test_requirements.py), pruned like `sam build` prunes, and
imported in a fresh interpreter that sees only it, the standard library and the boto3
the Lambda runtime provides: nothing from the venv can hide a part that pruning removed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "functions"))
import lambda_build  # noqa: E402  (functions/ is sam build's directory, not a package)

# What the Lambda Python runtime has besides the standard library.
LAMBDA_RUNTIME = ["boto3"]

# Runs in the fresh interpreter: argv[1] is the package, argv[2] the runtime's boto3.
PROBE = r"""
import json, sys, types
sys.path[:0] = sys.argv[1:3]
import importlib.util
import aws_lambda_powertools
from aws_lambda_powertools.metrics import MetricUnit
from polypub.handlers import render, translate
import polypub.wiring  # what services() imports on a cold start: adapters, providers
from polypub.steps.context import Outcome

context = types.SimpleNamespace(
    function_name="TranslateFunction", memory_limit_in_mb=1024, aws_request_id="req-1",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:TranslateFunction",
)

@translate.logger.inject_lambda_context
def invoke(event, ctx):
    try:
        raise ValueError("boom")
    except ValueError:
        translate.logger.exception("record failed", message_id="m-1")
    render.logger.info("source processed", key="posts/a.md")
    return {}

invoke({}, context)
outcome = Outcome(key="posts/a.md", action="translated", chars_by_provider={"apertium": 42})
translate.emit_chars_sent(outcome)
print(json.dumps({
    "powertools": aws_lambda_powertools.__file__,
    "event_handler": importlib.util.find_spec("aws_lambda_powertools.event_handler") is not None,
}))
"""


def top_level_entries(dist: metadata.Distribution) -> set[str]:
    """What a distribution installs at the top of site-packages (packages, modules, .so)."""
    entries = set()
    for file in dist.files or []:
        first = file.parts[0]
        if first not in {"..", "__pycache__"} and not first.endswith((".dist-info", ".data")):
            entries.add(first)
    return entries


def lay_out(dists: list[str], into: Path, *, with_dependencies: bool) -> None:
    """Link the installed copies of these distributions (and, asked, all they need)."""
    into.mkdir(parents=True, exist_ok=True)
    todo, seen = list(dists), set()
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(name)
        site = Path(str(dist.locate_file("")))
        for entry in top_level_entries(dist):
            (into / entry).symlink_to(site / entry)
        if with_dependencies:
            requirements = [Requirement(line) for line in dist.requires or []]
            todo += [
                req.name
                for req in requirements
                if not req.marker or req.marker.evaluate({"extra": ""})
            ]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pruned package of functions/requirements.txt plus polypub, as sam build makes it."""
    target = tmp_path_factory.mktemp("lambda") / "package"
    lock = lambda_build.LOCK.read_text(encoding="utf-8").splitlines()
    pins = [line.split("==")[0] for line in lock if "==" in line]
    # The lock is the whole closure (tests/unit/test_requirements.py): nothing to follow.
    lay_out(
        [pin for pin in pins if pin != "aws-lambda-powertools"], target, with_dependencies=False
    )
    # Pruning deletes files: Powertools is copied, not linked to the venv's.
    powertools = metadata.distribution("aws-lambda-powertools")
    shutil.copytree(
        Path(str(powertools.locate_file("aws_lambda_powertools"))),
        target / "aws_lambda_powertools",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    lambda_build.prune_powertools(target)
    lambda_build.copy_polypub(target)
    return target


def size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def test_pruning_removes_most_of_powertools(package: Path, tmp_path: Path) -> None:
    installed = Path(str(metadata.distribution("aws-lambda-powertools").locate_file("")))
    whole = shutil.copytree(
        installed / "aws_lambda_powertools",
        tmp_path / "whole",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    pruned = package / "aws_lambda_powertools"
    assert not (pruned / "event_handler").exists()
    assert not (pruned / "utilities" / "parser").exists()
    # About 4.4 MB down to about 0.5 MB with Powertools 3.37.
    assert size(pruned) < size(whole) / 4


def test_pruned_package_runs_the_handlers_logger_and_metrics(package: Path, tmp_path: Path) -> None:
    runtime = tmp_path / "runtime"
    lay_out(LAMBDA_RUNTIME, runtime, with_dependencies=True)
    env = {"PATH": os.environ["PATH"], "POWERTOOLS_METRICS_NAMESPACE": "PolyglotPress"}
    # -I -S: no site-packages (so no venv), no PYTHON* variables, no user site.
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(package), str(runtime)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    summary = lines[-1]
    assert summary["powertools"].startswith(str(package))
    assert summary["event_handler"] is False
    failed = next(line for line in lines if line.get("message") == "record failed")
    assert failed["function_name"] == "TranslateFunction"
    assert "ValueError: boom" in failed["exception"]
    emf = next(line for line in lines if "_aws" in line)
    assert emf["CharactersSent"] == [42.0]
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "PolyglotPress"
    assert emf["Provider"] == "apertium"
