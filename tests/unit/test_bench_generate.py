"""The benchmark harness (bench/): its generator, its parsers, and one tiny run of its paths."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.counting import Calls, CountingProxy  # noqa: E402
from bench.generate import (  # noqa: E402
    edit_one_paragraph,
    generate_posts,
    write_hugo_site,
    write_polypub_content,
)
from bench.importtime import by_package, parse, third_party_from, total_us  # noqa: E402

from polypub.content.post import parse_post  # noqa: E402
from polypub.settings import Settings  # noqa: E402
from support.translators import FakeTranslator  # noqa: E402


def test_generator_is_deterministic_bilingual_and_realistic() -> None:
    posts = generate_posts(40)
    assert [p.markdown() for p in posts] == [p.markdown() for p in generate_posts(40)]
    assert {p.lang for p in posts} == {"es", "en"}
    assert sum(p.lang == "es" for p in posts) == 20
    assert len({p.project for p in posts}) > 3
    sizes = [len(p.markdown().encode()) for p in posts]
    assert 3000 < sum(sizes) / len(sizes) < 5000
    for post in posts[:8]:
        parsed = parse_post(f"posts/{post.name}.md", post.markdown().encode())
        assert parsed.title == post.title
        assert parsed.project == post.project
        assert parsed.lang == (post.lang if post.declare_lang else None)
        assert "## " in parsed.body
        assert "\n- " in parsed.body
    text = "".join(p.body for p in posts)
    assert "](https://" in text
    assert "`" in text


def test_written_sites_have_every_post_in_each_form(tmp_path: Path) -> None:
    posts = generate_posts(6)
    content = write_polypub_content(posts, tmp_path / "content", template_content=ROOT / "content")
    hugo = write_hugo_site(posts, tmp_path / "hugo")
    assert len(list((content / "posts").glob("*.md"))) == 6
    assert (content / "config" / "site.yml").exists()
    assert len(list((hugo / "content" / "posts").glob("*.es.md"))) == 6
    assert len(list((hugo / "content" / "posts").glob("*.en.md"))) == 6
    assert "[languages.en]" in (hugo / "config.toml").read_text()


def test_edit_one_paragraph_extends_a_prose_paragraph() -> None:
    example = (ROOT / "content" / "posts" / "erasmus-etwinning-experience.md").read_text()
    edited, paragraph = edit_one_paragraph(example)
    assert paragraph.startswith("Today I want to share")
    assert paragraph.endswith("It was a great success.")
    assert len(edited) == len(example) + len(" It was a great success.")
    assert edited.split("\n---\n", 1)[0] == example.split("\n---\n", 1)[0]


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |   _io
import time:       300 |        400 | site
import time:        50 |         50 |       markupsafe._speedups
import time:       200 |        250 |     markupsafe
import time:       500 |        750 |   jinja2
import time:        20 |         20 |   polypub.settings
import time:       100 |        870 | polypub.site.render
"""


def test_importtime_parsing_totals_and_attribution() -> None:
    entries = parse(IMPORTTIME)
    assert [(e.name, e.depth) for e in entries][:3] == [
        ("_io", 1),
        ("site", 0),
        ("markupsafe._speedups", 3),
    ]
    assert total_us(entries) == 1270
    assert total_us(entries, {"site"}) == 870
    assert by_package(entries, {"site"}) == {"polypub": 0.9, "jinja2": 0.8, "markupsafe": 0.2}
    assert third_party_from(entries) == [
        {"module": "jinja2", "imported_by": "polypub.site.render", "ms": 0.8}
    ]


def test_counting_proxy_counts_calls_and_listed_items() -> None:
    calls = Calls()

    class Store:
        def list_keys(self) -> object:
            return iter(["a", "b", "c"])

        def put(self, key: str, data: bytes, content_type: str) -> None:
            return None

    store = CountingProxy(Store(), "site", calls)
    assert list(store.list_keys()) == ["a", "b", "c"]
    store.put("k", b"12345", "text/plain")
    assert calls.calls == {"site.list_keys": 1, "site.put": 1}
    assert calls.items["site.list_keys"] == 3
    assert calls.bytes_written["site"] == 5


def test_tiny_warm_build_and_republish(tmp_path: Path) -> None:
    """The harness's own path at toy size: warm the memory, rebuild, republish one edit."""
    from bench.republish import prefill, run_local
    from bench.warm import warm_memory

    from polypub.local.build import run_build

    settings = Settings(translators=("apertium",))
    posts = generate_posts(4)
    content = write_polypub_content(posts, tmp_path / "content", template_content=ROOT / "content")
    translator = FakeTranslator("apertium")  # named like the offline provider it stands in for
    report = warm_memory(
        settings, content, tmp_path / "warm", translator, workers=1, say=lambda line: None
    )
    assert report.posts == 4
    assert report.added > 0
    assert not report.skipped
    # With the memory warm, a from-scratch build sends nothing (Apertium is never run).
    state = tmp_path / "state"
    state.mkdir()
    (state / "memory.json").write_bytes((tmp_path / "warm" / "memory.json").read_bytes())
    summary = run_build(settings, content, tmp_path / "site", state)
    assert summary.ok
    assert summary.posts == 4
    assert summary.chars_sent == 0
    assert (tmp_path / "site" / "en" / "posts" / posts[0].name / "index.html").exists()

    data = prefill(
        posts,
        settings.with_(translators=("apertium",)),
        template_content=ROOT / "content",
        memory_file=tmp_path / "warm" / "memory.json",
        scratch=tmp_path / "scratch",
        translator=translator,
    )
    assert len(data.entries) == 4
    assert len(data.pages) == 8
    # The republish sends the edited paragraph: stand in for Apertium, in process.
    result = run_local(data, settings, tmp_path / "republish", translator=translator)
    assert result["outcomes"]["render"] == "published"
    assert result["outcomes"]["translate"] == "translated"
    assert 0 < result["outcomes"]["chars_sent"] <= result["edited_paragraph_chars"] + 40
    assert result["summary"]["render"]["site_objects_written"] >= 1
