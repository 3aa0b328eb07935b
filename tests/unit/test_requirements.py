"""functions/requirements.txt (what `sam build` packages) matches pyproject's runtime deps."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The Lambda Python runtime ships boto3 (and botocore); packaging them would only add weight.
PROVIDED_BY_LAMBDA = {"boto3", "botocore"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower()


def test_lambda_requirements_are_the_runtime_dependencies_minus_boto3() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {
        _name(dep): dep.replace(" ", "")
        for dep in project["dependencies"]
        if _name(dep) not in PROVIDED_BY_LAMBDA
    }
    lines = (ROOT / "functions" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    listed = {
        _name(line): line.replace(" ", "")
        for line in lines
        if line.strip() and not line.lstrip().startswith("#")
    }
    assert listed == wanted
