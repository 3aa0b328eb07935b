"""The arrows between packages: content/ at the bottom, the language table beside it, pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "polypub"


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def modules(*parts: str) -> list[Path]:
    target = PACKAGE.joinpath(*parts)
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


@pytest.mark.parametrize("path", modules("content"), ids=lambda p: p.name)
def test_content_imports_nothing_above_it(path: Path) -> None:
    ours = {name for name in imports_of(path) if name.startswith("polypub")}
    allowed = {"polypub.languages"}
    assert {n for n in ours if not n.startswith("polypub.content") and n not in allowed} == set()


def test_the_language_table_is_a_leaf_and_pure() -> None:
    names = imports_of(PACKAGE / "languages.py")
    assert not [name for name in names if name.startswith(("polypub", "boto3", "botocore"))]


@pytest.mark.parametrize("path", [*modules("content"), *modules("site")], ids=lambda p: p.name)
def test_the_core_never_imports_boto3(path: Path) -> None:
    assert not [n for n in imports_of(path) if n.split(".")[0] in {"boto3", "botocore"}]
