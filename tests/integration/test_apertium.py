"""Apertium: the real command on the real example post, and its failure modes."""

from __future__ import annotations

import shutil
import stat
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from polypub.content.markdown import render_body
from polypub.content.post import Post, parse_post
from polypub.translate.engine import TranslationEngine
from polypub.translate.errors import ProviderRejected, ProviderUnavailable, TranslationError
from polypub.translate.memory import DictMemory
from polypub.translate.providers.apertium import ApertiumTranslator

EXAMPLE = Path("/work/shared/examples/erasmus-etwinning-experience.md")

needs_apertium = pytest.mark.skipif(
    shutil.which("apertium") is None, reason="apertium is not installed"
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str | None] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"/{tag}")


def parsed(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every command line the Apertium adapter runs."""
    calls: list[list[str]] = []
    real_run: Callable[..., Any] = subprocess.run

    def spy(args: list[str], **kwargs: Any) -> Any:
        calls.append(list(args))
        return real_run(args, **kwargs)

    # The adapter calls subprocess.run through the module; restored after the test.
    monkeypatch.setattr(subprocess, "run", spy)
    return calls


def _modes() -> set[str]:
    listing = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return {line.strip() for line in listing.stdout.splitlines()}


@pytest.fixture
def example() -> Post:
    if not EXAMPLE.exists():
        pytest.skip("shared example post not present")
    return parse_post("posts/erasmus-etwinning-experience.md", EXAMPLE.read_bytes())


@pytest.mark.apertium
@needs_apertium
def test_example_post_in_spanish_with_one_process(example: Post, runs: list[list[str]]) -> None:
    if "eng-spa" not in _modes():
        pytest.skip("apertium-eng-spa is not installed")
    runs.clear()  # _modes() above ran `apertium -l` itself
    result = TranslationEngine(ApertiumTranslator(), DictMemory()).translate_post(
        example, "en", "es"
    )

    # One process in all: the installed modes are read from the data directory.
    assert runs == [["apertium", "-u", "-f", "html", "eng-spa"]]
    assert result.provider == "apertium"
    assert result.from_memory == 0
    assert result.chars_sent > 2000

    html = result.body_html
    for word in ("proyecto", "experiencia", "colaboración", "profesores", "herramientas"):
        assert word in html
    assert "Erasmus+" in result.title
    assert "eTwinning" in result.title
    assert "eTwinning" in (result.description or "")
    source_html = render_body(example.body)
    # Same markup, same links, same protected terms; only words changed.
    assert parsed(html).tags == parsed(source_html).tags
    assert parsed(html).hrefs == parsed(source_html).hrefs
    assert html.count("eTwinning") == source_html.count("eTwinning")
    assert html.count("Erasmus+") == source_html.count("Erasmus+")
    assert "Today I want" not in html


@pytest.mark.apertium
@needs_apertium
def test_a_second_run_comes_from_memory(example: Post, runs: list[list[str]]) -> None:
    if "eng-spa" not in _modes():
        pytest.skip("apertium-eng-spa is not installed")
    memory = DictMemory()
    engine = TranslationEngine(ApertiumTranslator(), memory)
    first = engine.translate_post(example, "en", "es")
    runs.clear()
    second = engine.translate_post(example, "en", "es")
    assert runs == []
    assert second.chars_sent == 0
    assert second.body_html == first.body_html


@pytest.mark.apertium
@needs_apertium
def test_words_after_placeholders_keep_their_case() -> None:
    if not {"eng-spa", "spa-eng"} <= _modes():
        pytest.skip("apertium-eng-spa is not installed")
    text = "We work <g1>with all</g1> the students and <g2>sometimes</g2> with <x1/> too."
    # The problem: with unknown inline tags, some Apertium builds (Debian's 3.8.3 before
    # its rebuild) capitalise the word after them. Newer ones do not; either way our
    # translator must keep the case, so only its output is asserted.
    (spanish,) = ApertiumTranslator().translate([text], "en", "es")
    assert "<g1>con todo</g1>" in spanish
    assert "<g2>a veces</g2>" in spanish
    assert "con <x1/>" in spanish

    source = "Trabajamos <g1>con todos</g1> los alumnos y <g2>a veces</g2> con <x1/> también."
    (english,) = ApertiumTranslator().translate([source], "es", "en")
    assert (
        english == "We work <g1>with all</g1> the students and <g2>sometimes</g2> with <x1/> also."
    )


@pytest.mark.apertium
@needs_apertium
@pytest.mark.parametrize(
    ("source", "target", "text", "expected"),
    [
        # Apertium 3.8 ends the sentence at a <br>: "The students of <x1/> They travelled".
        (
            "es",
            "en",
            "Los alumnos de <x1/> viajaron a Roma.",
            "The students of <x1/> travelled to Rome.",
        ),
        # An empty <span> is nothing to it: "It has <x1/> organised it a merienda".
        ("es", "en", "La <x1/> ha organizado una fiesta.", "The <x1/> has organised a party."),
        ("en", "es", "This is my <x1/> experience.", "Esto es mi <x1/> experiencia."),
    ],
)
def test_standalone_placeholders_read_as_names_inside_one_sentence(
    source: str, target: str, text: str, expected: str
) -> None:
    if not {"eng-spa", "spa-eng"} <= _modes():
        pytest.skip("apertium-eng-spa is not installed")
    assert ApertiumTranslator().translate([text], source, target) == [expected]


def test_a_text_that_contains_the_stand_in_word_keeps_it_as_written(tmp_path: Path) -> None:
    # "Zqxb" in a post is the post's own word, never a placeholder: the batch falls back
    # to <br> placeholders. The stand-in command echoes the blocks it gets back.
    echo = tmp_path / "apertium"
    echo.write_text('#!/bin/sh\n[ "$1" = -l ] && { echo eng-spa; exit 0; }\ncat\n')
    echo.chmod(echo.stat().st_mode | stat.S_IEXEC)
    translator = ApertiumTranslator(command=str(echo))
    assert translator.translate(["Zqxb and <x1/>"], "en", "es") == ["Zqxb and <x1/>"]
    assert translator.translate(["Plain <x1/> words"], "en", "es") == ["Plain <x1/> words"]


@pytest.mark.apertium
@needs_apertium
def test_spanish_post_into_english() -> None:
    if "spa-eng" not in _modes():
        pytest.skip("apertium-eng-spa is not installed")
    post = Post(
        source_key="posts/roma.md",
        name="roma",
        slug="roma",
        title="Nuestro viaje a Roma",
        body=(
            "Los alumnos **leen** un [libro](https://example.org/libro) en `clase`.\n\n"
            "- mejoré mis habilidades digitales\n"
        ),
        content_hash="x",
    )
    result = TranslationEngine(ApertiumTranslator(), DictMemory()).translate_post(post, "es", "en")
    assert result.title == "Our trip to Rome"
    assert result.body_html == (
        '<p>The students <strong>read</strong> a <a href="https://example.org/libro">book</a> '
        "in <code>clase</code>.</p>\n<ul>\n<li>I improved my digital skills</li>\n</ul>\n"
    )


@pytest.mark.apertium
@needs_apertium
@pytest.mark.parametrize(
    ("source", "target", "text", "wanted", "unwanted"),
    [
        (
            "es",
            "en",
            "Los alumnos de 3.º A y de 2.º de ESO viajaron a Valencia y a Oporto.",
            ["3.º A", "Year 2 of ESO", "Valencia", "Porto"],
            ["3rd To", "THIS", "Valency", "Port wine"],
        ),
        (
            "en",
            "es",
            "Year 3 of ESO visited the school garden in Porto with the AMPA.",
            ["3.º de ESO", "huerto escolar", "Oporto", "AMPA"],
            ["Año 3", "jardín escolar"],
        ),
    ],
)
def test_the_built_in_school_glossary_with_the_real_apertium(
    source: str, target: str, text: str, wanted: list[str], unwanted: list[str]
) -> None:
    if MODES_NEEDED[(source, target)] not in _modes():
        pytest.skip("apertium-eng-spa is not installed")
    post = Post(source_key="posts/x.md", name="x", slug="x", title=text, body="", content_hash="x")
    title = (
        TranslationEngine(ApertiumTranslator(), DictMemory())
        .translate_post(post, source, target)
        .title
    )
    assert all(word in title for word in wanted), title
    assert not any(word in title for word in unwanted), title


MODES_NEEDED = {("es", "en"): "spa-eng", ("en", "es"): "eng-spa"}


# ------------------------------------------------- failure modes, with a stand-in command


@pytest.mark.parametrize(
    ("source", "target", "package"),
    [("es", "ca", "apertium-spa-cat"), ("en", "ca", "apertium-eng-cat")],
)
def test_a_missing_pair_names_the_debian_package(
    tmp_path: Path, source: str, target: str, package: str
) -> None:
    # An installation with only the English-Spanish pair.
    command = fake_apertium(tmp_path, 'echo "  eng-spa"; echo "  spa-eng"')
    with pytest.raises(ProviderRejected, match=f"apt-get install {package}"):
        ApertiumTranslator(command=command).translate(["Hola"], source, target)


def fake_apertium(tmp_path: Path, script: str) -> str:
    path = tmp_path / "apertium"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_an_unknown_language_pair_is_rejected_without_running_anything(tmp_path: Path) -> None:
    translator = ApertiumTranslator(command=str(tmp_path / "missing"))
    with pytest.raises(ProviderRejected, match="cannot translate en->de"):
        translator.translate(["Hello"], "en", "de")


def test_modes_are_listed_once_and_a_missing_mode_is_rejected(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    command = fake_apertium(tmp_path, f'echo "$@" >> {log}\necho "  spa-eng"')
    translator = ApertiumTranslator(command=command)
    for _ in range(2):
        with pytest.raises(ProviderRejected, match="install the Debian package apertium-eng-spa"):
            translator.translate(["Hello"], "en", "es")
    assert log.read_text(encoding="utf-8").splitlines() == ["-l"]


def test_a_missing_command_is_rejected_with_an_install_hint(tmp_path: Path) -> None:
    translator = ApertiumTranslator(command=str(tmp_path / "no-such-apertium"))
    with pytest.raises(ProviderRejected, match="apertium apertium-eng-spa"):
        translator.translate(["Hello"], "en", "es")


def test_a_slow_process_times_out_as_unavailable(tmp_path: Path) -> None:
    command = fake_apertium(
        tmp_path, 'if [ "$1" = "-l" ]; then echo eng-spa; exit 0; fi\nexec sleep 5'
    )
    translator = ApertiumTranslator(command=command, timeout=0.1)
    with pytest.raises(ProviderUnavailable, match=r"longer than 0\.1s"):
        translator.translate(["Hello"], "en", "es")


def test_a_crash_is_unavailable_with_the_last_stderr_line(tmp_path: Path) -> None:
    command = fake_apertium(
        tmp_path, 'if [ "$1" = "-l" ]; then echo eng-spa; exit 0; fi\necho "boom" >&2\nexit 3'
    )
    with pytest.raises(ProviderUnavailable, match=r"exit 3\): boom"):
        ApertiumTranslator(command=command).translate(["Hello"], "en", "es")


def test_lost_blocks_are_an_error_not_a_misaligned_page(tmp_path: Path) -> None:
    command = fake_apertium(
        tmp_path,
        'if [ "$1" = "-l" ]; then echo eng-spa; exit 0; fi\necho "<p id=\\"s0\\">Hola</p>"',
    )
    with pytest.raises(TranslationError, match="1 blocks for 2 texts"):
        ApertiumTranslator(command=command).translate(["Hello", "World"], "en", "es")


def test_split_pairs_are_joined_and_block_starts_keep_the_source_case(tmp_path: Path) -> None:
    # What Apertium does to reordered words: the tag is copied onto each of them.
    answer = (
        '<p id="s0">En <span id="g1">[País</span> de <span id="g1">Proyecto]</span></p>\n'
        '<p id="s1">Mejorado mi <span id="g1">red</span></p>'
    )
    command = fake_apertium(
        tmp_path, f'if [ "$1" = "-l" ]; then echo eng-spa; exit 0; fi\ncat <<\'EOF\'\n{answer}\nEOF'
    )
    out = ApertiumTranslator(command=command).translate(
        ["In <g1>[Project Country]</g1>", "improved my <g1>network</g1>"], "en", "es"
    )
    assert out == ["En <g1>[País de Proyecto]</g1>", "mejorado mi <g1>red</g1>"]


# ------------------------------------------------- installed modes, from the mode files


def fake_install(prefix: Path, modes: list[str], log: Path) -> str:
    """An `apertium` under `prefix`/bin with its data in `prefix`/share/apertium."""
    (prefix / "bin").mkdir(parents=True)
    command = fake_apertium(prefix / "bin", f'echo "$@" >> {log}\necho "  spa-eng"')
    modes_dir = prefix / "share" / "apertium" / "modes"
    modes_dir.mkdir(parents=True)
    for mode in modes:
        (modes_dir / f"{mode}.mode").write_text("lt-proc x.bin\n", encoding="utf-8")
    return command


def test_modes_come_from_the_data_directory_without_a_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APERTIUM_DATADIR", raising=False)
    log = tmp_path / "calls"
    command = fake_install(tmp_path / "usr", ["eng-spa", "spa-eng", "eng-cat_valencia"], log)
    translator = ApertiumTranslator(command=command)
    assert translator.available_modes() == {"eng-spa", "spa-eng", "eng-cat_valencia"}
    with pytest.raises(ProviderRejected, match="apt-get install apertium-spa-cat"):
        translator.translate(["Hola"], "es", "ca")
    assert not log.exists()


def test_apertium_datadir_is_where_the_modes_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls"
    command = fake_install(tmp_path / "usr", ["eng-spa"], log)
    other = tmp_path / "data"
    (other / "modes").mkdir(parents=True)
    (other / "modes" / "spa-cat.mode").write_text("lt-proc x.bin\n", encoding="utf-8")
    monkeypatch.setenv("APERTIUM_DATADIR", str(other))
    assert ApertiumTranslator(command=command).available_modes() == {"spa-cat"}
    assert not log.exists()


@needs_apertium
def test_the_installed_modes_are_the_ones_apertium_lists() -> None:
    assert ApertiumTranslator().available_modes() == _modes()
