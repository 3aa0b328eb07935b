"""Order never matters: any order, batching or duplication of uploads gives the same site.

A property test (Hypothesis) over a small school: posts in both languages, people's
translations (one named after the original's own language), a draft, a post that is
not translated, the glossary, the design and an asset. Each example uploads, overwrites
and deletes them in a random order, delivers the events in random batches (shuffled,
some twice, as S3 and SQS may), runs translation jobs at random points, and then
compares the site with what `polypub build` makes from scratch of the final files,
byte for byte, and every file's status and report with the build's.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polypub import pipeline
from polypub.local.build import run_build
from polypub.model import TranslationJob
from polypub.settings import Settings
from polypub.site import urls
from polypub.steps.context import Outcome, Services
from polypub.wiring import local_services
from support.sites import site_files
from support.translators import FakeTranslator
from support.translators import echo as echo_translator

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e7d2d0d90000000049454e44ae426082"
)

# Every version a file can have; None deletes it.
FILES: dict[str, list[bytes | None]] = {
    "posts/viaje.md": [
        "---\ntitle: Viaje a Roma\nlang: es\nproject: proyecto-1\nauthor: Ana\n"
        "date: 2024-05-22\n---\nEl grupo viajó a Roma con Erasmus+.\n".encode(),
        "---\ntitle: Viaje a Roma\nlang: es\nproject: proyecto-1\nauthor: Ana\n"
        "date: 2024-06-02\n---\nEl grupo viajó a Roma y a Nápoles.\n".encode(),
        b"---\ntitle: Viaje (borrador)\nlang: es\ndraft: true\n---\nSin terminar.\n",
        None,
    ],
    "posts/viaje.en.md": [
        b"---\ntitle: Our trip to Rome\n---\nA person translated this.\n",
        b"---\ntitle: A trip to Rome\n---\nA person translated this again.\n",
        None,
    ],
    # Named after the original's own language: refused, whatever came first.
    "posts/viaje.es.md": [b"---\ntitle: Otra\n---\nMal nombre.\n", None],
    "posts/garden.md": [
        b"---\ntitle: Our school garden\nlang: en\nproject: proyecto-1\n---\n"
        b"We planted tomatoes.\n\n![Tomatoes](/assets/tomato.png)\n",
        b"---\ntitle: Our school garden\nlang: en\ntranslate: false\n---\nEnglish only.\n",
        None,
    ],
    "posts/garden.es.md": [b"---\ntitle: Nuestro huerto\n---\nLo tradujo una persona.\n", None],
    "config/glossary.yml": [
        b"do_not_translate:\n  - Erasmus+\n  - Roma\n",
        b"translations:\n  - es: huerto\n    en: garden\n",
        None,
    ],
    "config/site.yml": [b"name: IES Abastos\n", b"name: Escola Oberta\n", None],
    "assets/tomato.png": [PNG, None],
}

# A person's translation of an older original says so; only history knows (below).
_STALE = re.compile(rb'[ \t]*<p class="note note-stale".*?</p>\n?', re.S)


def _states(services: Services, keys: Sequence[str]) -> dict[str, tuple[str, str | None] | None]:
    """Each present file's state and error code (what `polypub status` says of it)."""
    out = {}
    for key in keys:
        status = services.catalog.get_status(key)
        out[key] = None if status is None else (status.state, status.error_code)
    return out


def _reports(services: Services, keys: Sequence[str]) -> set[str]:
    return {key for key in keys if services.source.head(key + ".error.txt") is not None}


class School:
    """The incremental side: events as S3 and SQS deliver them, to the real steps."""

    def __init__(self, root: Path, translator: FakeTranslator) -> None:
        self.content = root / "content"
        self.content.mkdir(parents=True)
        services, queue, _ = local_services(
            Settings(translators=("echo",)), self.content, root / "site", root / "state"
        )
        self.services = replace(services, translator=translator)
        self.jobs: list[TranslationJob] = queue.jobs

    def put(self, key: str, data: bytes | None) -> None:
        if data is None:
            self.services.source.delete(key)
        else:
            self.services.source.put(key, data, "application/octet-stream")

    def render_batch(self, keys: Sequence[str]) -> None:
        outcomes = [pipeline.process_source_key(key, self.services) for key in keys]
        pipeline.finish(outcomes, self.services)

    def translate_batch(self, count: int) -> None:
        batch, self.jobs[:] = self.jobs[:count], self.jobs[count:]
        outcomes: list[Outcome] = [pipeline.run_translation(job, self.services) for job in batch]
        pipeline.finish(outcomes, self.services)


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[list[tuple[str, bytes | None]], list[str], int]]:
    """Batches of (uploads, the events delivered for them in order, jobs run after)."""
    batches = []
    for _ in range(draw(st.integers(1, 5))):
        keys = draw(st.lists(st.sampled_from(sorted(FILES)), min_size=1, max_size=6))
        uploads = [(key, draw(st.sampled_from(FILES[key]))) for key in keys]
        # S3 delivers each event at least once, in any order within a batch.
        events = keys + draw(st.lists(st.sampled_from(keys), max_size=2))
        events = draw(st.permutations(events))
        batches.append((uploads, events, draw(st.integers(0, 3))))
    return batches


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> FakeTranslator:
    translator = echo_translator()
    monkeypatch.setattr("polypub.wiring.build_translator", lambda *args, **kw: translator)
    return translator


@settings(
    max_examples=max(12, settings.default.max_examples // 10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories())
def test_any_history_of_uploads_gives_the_site_a_build_gives(
    history: list[tuple[list[tuple[str, bytes | None]], list[str], int]],
    tmp_path: Path,
    echo: FakeTranslator,
) -> None:
    root = tmp_path / "example"
    shutil.rmtree(root, ignore_errors=True)
    school = School(root / "incremental", echo)
    for uploads, events, jobs in history:
        for key, data in uploads:
            school.put(key, data)
        school.render_batch(events)
        school.translate_batch(jobs)
    while school.jobs:
        school.translate_batch(len(school.jobs))

    present = sorted(school.services.source.list_keys())
    present = [key for key in present if not key.endswith(".error.txt")]
    build = run_build(
        Settings(translators=("echo",)), school.content, root / "built", root / "built-state"
    )
    built, _, _ = local_services(
        Settings(translators=("echo",)), school.content, root / "built", root / "built-state"
    )
    incremental, scratch = (
        site_files(root / "incremental" / "site", _STALE),
        site_files(root / "built", _STALE),
    )
    if not built.catalog.list_posts():
        # A site with no post has its homes and 404 pages once anything was published
        # (a design, a post since deleted), which only history knows: the rest must agree.
        incremental = {k: v for k, v in incremental.items() if k.startswith("assets/")}
        scratch = {k: v for k, v in scratch.items() if k.startswith("assets/")}
    assert incremental == scratch
    assert _states(school.services, present) == _states(built, present)
    assert _reports(school.services, present) == _reports(built, present)
    assert {f.key for f in build.failures} == {
        key for key, state in _states(built, present).items() if state and state[0] == "failed"
    }
    # Nothing links to a page that is gone: every post page a listing names exists.
    site = root / "incremental" / "site"
    for page in site.rglob("index.html"):
        for href in re.findall(rb'href="(/[a-z]{2}/posts/[^"#]+/)"', page.read_bytes()):
            assert (site / urls.object_key(href.decode())).exists(), (page, href)
