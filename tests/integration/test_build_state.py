"""polypub build's state belongs to its output: DIR always ends complete and correct."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from polypub.local.build import run_build
from polypub.local.buildstate import default_state_dir
from polypub.settings import Settings
from support.posts import post
from support.sites import site_files
from support.translators import echo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    translator = echo()
    monkeypatch.setattr("polypub.wiring.build_translator", lambda *args, **kw: translator)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


def _build(content: Path, out: Path) -> None:
    summary = run_build(Settings(translators=("echo",)), content, out, default_state_dir(out))
    assert summary.ok, summary.failures


def test_two_outputs_built_from_one_folder_are_the_same_site(tmp_path: Path) -> None:
    content = ROOT / "content"
    _build(content, tmp_path / "one")
    _build(content, tmp_path / "two")
    assert default_state_dir(tmp_path / "one") != default_state_dir(tmp_path / "two")
    assert site_files(tmp_path / "two") == site_files(tmp_path / "one")
    assert not (tmp_path / ".polypub").exists()  # nothing in the working folder


def test_files_deleted_by_hand_come_back_on_the_next_build(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(ROOT / "content", out)
    before = site_files(out)
    for name in ("es/index.html", "static/site.css", "en/posts"):
        target = out / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    _build(ROOT / "content", out)
    assert site_files(out) == before


def test_a_state_made_for_other_content_leaves_nothing_of_it(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(ROOT / "content", out)
    other = tmp_path / "other"
    (other / "posts").mkdir(parents=True)
    (other / "posts" / "otra.md").write_bytes(
        post("Otra escuela", "Un texto de otra escuela, en español.", lang="es")
    )
    (out / "mine.txt").write_text("not Polyglot Press's")  # a file of the user's stays
    _build(other, out)
    fresh = tmp_path / "fresh"
    _build(other, fresh)
    assert site_files(out) == {**site_files(fresh), "mine.txt": b"not Polyglot Press's"}


def test_an_unchanged_output_is_trusted_and_skips_everything(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _build(ROOT / "content", out)
    summary = run_build(
        Settings(translators=("echo",)), ROOT / "content", out, default_state_dir(out)
    )
    assert summary.written == 0
    assert summary.unchanged > 0
    assert summary.removed == 0


def test_one_state_shared_by_two_outputs_still_completes_each(tmp_path: Path) -> None:
    """The old default: one state in the working folder for every --out."""
    state = tmp_path / "shared-state"
    settings = Settings(translators=("echo",))
    assert run_build(settings, ROOT / "content", tmp_path / "one", state).ok
    second = run_build(settings, ROOT / "content", tmp_path / "two", state)
    assert second.ok
    assert second.removed == 0  # nothing was published in "two" to remove
    assert site_files(tmp_path / "two") == site_files(tmp_path / "one")


def test_a_crash_on_one_post_is_reported_and_the_others_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polypub.steps import publish

    real = publish.entry_for

    def broken(post, *args, **kwargs):  # type: ignore[no-untyped-def]
        if post.slug == "b":
            raise RuntimeError("a bug in a step")
        return real(post, *args, **kwargs)

    monkeypatch.setattr(publish, "entry_for", broken)
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (content / "posts" / f"{name}.md").write_bytes(post(name.upper(), "Text.", lang="en"))
    out = tmp_path / "site"
    summary = run_build(Settings(translators=("echo",)), content, out, default_state_dir(out))
    assert [(f.key, f.code) for f in summary.failures] == [("posts/b.md", "internal-error")]
    assert "RuntimeError" in summary.failures[0].message
    assert (out / "en/posts/a/index.html").exists()
    assert (out / "en/posts/c/index.html").exists()
    assert not (out / "en/posts/b/index.html").exists()
    report = default_state_dir(out) / "reports" / "posts" / "b.md.error.txt"
    assert "internal-error" in report.read_text()
