"""polypub build's parallel preparation gives the very site the steps alone give."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from polypub.local import prefetch
from polypub.local.build import run_build
from polypub.settings import Settings
from support.sites import site_files
from support.translators import FakeTranslator, tag

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate_posts, write_polypub_content  # noqa: E402

POSTS = prefetch.MIN_POSTS + 6


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> FakeTranslator:
    translator = FakeTranslator("echo", tag)
    monkeypatch.setattr("polypub.wiring.build_translator", lambda *args, **kw: translator)
    return translator


def test_prepared_posts_build_the_same_site_as_the_steps_alone(
    tmp_path: Path, echo: FakeTranslator, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_polypub_content(
        generate_posts(POSTS), tmp_path / "content", template_content=ROOT / "content"
    )
    settings = Settings(translators=("echo",))

    # The steps alone (no workers): this also fills the translation memory.
    monkeypatch.setattr(prefetch, "MIN_POSTS", 10**6)
    alone = run_build(settings, content, tmp_path / "alone", tmp_path / "state-alone")
    assert alone.ok
    assert alone.chars_sent > 0

    # Workers prepare every post (from the memory the first build filled).
    monkeypatch.setattr(prefetch, "MIN_POSTS", 1)
    prepared: list[Any] = []
    remember = prefetch._remember

    used: list[Any] = []

    def counting(item: Any, services: Any, engine: Any) -> None:
        prepared.append(item)
        used.append(services)
        remember(item, services, engine)

    monkeypatch.setattr(prefetch, "_remember", counting)
    (tmp_path / "state-prepared").mkdir()
    shutil.copyfile(
        tmp_path / "state-alone" / "memory.json", tmp_path / "state-prepared" / "memory.json"
    )
    calls = echo.calls
    parallel = run_build(settings, content, tmp_path / "prepared", tmp_path / "state-prepared")
    assert parallel.ok
    assert parallel.chars_sent == 0
    assert echo.calls == calls  # every translation came from memory, in the workers
    assert len(prepared) == POSTS
    assert all(item.translations and item.pages for item in prepared)
    # The steps found every kind of prepared work under the keys they look up
    # (steps/prepared.py): none was made again, no translation looked for in vain.
    work = used[0].work
    assert {name: work.memos()[name].made for name in ("posts", "bodies", "languages")} == {
        "posts": 0,
        "bodies": 0,
        "languages": 0,
    }
    assert work.machine.missed == 0
    assert work.machine.reused == POSTS
    assert work.pages.reused >= POSTS

    assert site_files(tmp_path / "prepared") == site_files(tmp_path / "alone")
