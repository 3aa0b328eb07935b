"""Shared by every tier: pytest puts this folder on sys.path, so `html_safety` imports anywhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """With POLYPUB_IAM_EXERCISED=FILE: what each function's policy was used for, and not."""
    from polypub.local.iam import EXERCISED_VARIABLE, exercise_report

    path = os.environ.get(EXERCISED_VARIABLE)
    if path and Path(path).exists():
        terminalreporter.section("IAM actions exercised (least privilege both ways)")
        terminalreporter.write(exercise_report(Path(path)))
