"""pyproject ranges, functions/requirements.in, the lock files and the runtime stay in step."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from polypub.local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "functions"))
import lambda_build  # noqa: E402  (functions/ is sam build's directory, not a package)

# The Lambda Python runtime ships boto3 (and botocore); packaging them would only add weight.
PROVIDED_BY_LAMBDA = {"boto3", "botocore"}
LAMBDA_LOCK = ROOT / "functions" / "requirements.txt"
DEV_LOCK = ROOT / "requirements-dev.lock"
SAM_LOCK = ROOT / "requirements-sam.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
# How the Lambda runtime evaluates environment markers (python3.13 on arm64 Linux).
LAMBDA_MARKERS = {
    "python_version": lambda_build.PYTHON_VERSION,
    "python_full_version": f"{lambda_build.PYTHON_VERSION}.0",
    "platform_machine": "aarch64",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def requirements_of(path: Path) -> dict[str, Requirement]:
    """A requirements file's ranges by canonical name (comments and blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(req.name): req for req in parsed}


def pins_of(path: Path) -> dict[str, str]:
    """A lock's version per canonical name; every pin must carry its hashes."""
    text = path.read_text(encoding="utf-8")
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{path.name}: {match[1]} has no hash"
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def closure(roots: list[Requirement], markers: dict[str, str]) -> set[str]:
    """Every distribution the roots need under these markers, by the installed metadata."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if (req.marker and not req.marker.evaluate(markers)) or name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            dependency = Requirement(line)
            extras = req.extras or {""}
            if not dependency.marker or any(
                dependency.marker.evaluate({**markers, "extra": extra}) for extra in extras
            ):
                todo.append(dependency)
    return seen


def test_lambda_inputs_are_the_runtime_dependencies_minus_boto3() -> None:
    wanted = {
        canonicalize_name(Requirement(dep).name): str(Requirement(dep))
        for dep in pyproject()["project"]["dependencies"]
        if canonicalize_name(Requirement(dep).name) not in PROVIDED_BY_LAMBDA
    }
    listed = {
        name: str(req) for name, req in requirements_of(LAMBDA_LOCK.with_suffix(".in")).items()
    }
    assert listed == wanted


def test_lambda_lock_is_exactly_what_the_inputs_need_in_the_lambda_runtime() -> None:
    inputs = list(requirements_of(LAMBDA_LOCK.with_suffix(".in")).values())
    pins = pins_of(LAMBDA_LOCK)
    assert set(pins) == closure(inputs, LAMBDA_MARKERS)
    assert not PROVIDED_BY_LAMBDA & set(pins)
    for req in inputs:
        assert req.specifier.contains(pins[canonicalize_name(req.name)]), str(req)


def test_what_ships_is_what_the_tests_run_with() -> None:
    dev = pins_of(DEV_LOCK)
    for name, version in pins_of(LAMBDA_LOCK).items():
        assert dev.get(name) == version, f"{name}: Lambda lock {version}, dev lock {dev.get(name)}"
        installed = metadata.version(name)
        assert installed == version, f"{name} {installed} installed, {version} locked: make setup"


def test_dev_lock_pins_every_range_of_pyproject_within_it() -> None:
    project = pyproject()["project"]
    ranges = [Requirement(dep) for dep in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        ranges += [Requirement(dep) for dep in extra]
    pins = pins_of(DEV_LOCK)
    for req in ranges:
        if canonicalize_name(req.name) == canonicalize_name(project["name"]):
            continue  # the dev extra names the local one
        version = pins.get(canonicalize_name(req.name))
        assert version is not None, f"{req.name} is not in {DEV_LOCK.name}: make lock"
        assert req.specifier.contains(version), f"{req} but {DEV_LOCK.name} pins {version}"


def test_sam_lock_pins_its_inputs() -> None:
    pins = pins_of(SAM_LOCK)
    for name, req in requirements_of(SAM_LOCK.with_suffix(".in")).items():
        assert req.specifier.contains(pins[name]), f"{req} but {SAM_LOCK.name} pins {pins[name]}"


def test_one_python_version_everywhere() -> None:
    """The template's runtime is the version the venv, mypy, ruff and the locks target."""
    function = load_template(ROOT / "template.yaml")["Globals"]["Function"]
    version = lambda_build.PYTHON_VERSION
    assert function["Runtime"] == f"python{version}"
    assert function["Architectures"] == ["arm64"]
    assert all(platform.endswith("_aarch64") for platform in lambda_build.PLATFORMS)
    config = pyproject()
    assert config["tool"]["mypy"]["python_version"] == version
    assert config["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")
    assert config["project"]["requires-python"] == f">={version}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^LAMBDA_PYTHON\s*=\s*{re.escape(version)}$", makefile, re.M)
    assert re.search(r"^LAMBDA_PLATFORM\s*=\s*aarch64-", makefile, re.M)
    assert sys.version_info[:2] == tuple(int(part) for part in version.split("."))


@pytest.mark.parametrize("lock", [LAMBDA_LOCK, DEV_LOCK, SAM_LOCK], ids=lambda path: path.name)
def test_locks_say_how_to_regenerate_them(lock: Path) -> None:
    assert "make lock" in lock.read_text(encoding="utf-8").splitlines()[1]
