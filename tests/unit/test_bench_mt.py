"""bench/mt.py: the reference sentences are well formed, and the harness scores what it should."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.mt import HELDOUT, REFS, Pair, load_refs, measure, translate_sentences  # noqa: E402

from polypub.translate.glossary import DEFAULT_GLOSSARY  # noqa: E402


@pytest.mark.parametrize(("path", "smallest"), [(REFS, 40), (HELDOUT, 10)])
def test_the_reference_sets_are_well_formed_and_say_where_they_come_from(
    path: Path, smallest: int
) -> None:
    pairs = load_refs(path)
    assert smallest <= len(pairs) <= 60
    assert len({p.id for p in pairs}) == len(pairs)
    assert {p.source_lang for p in pairs} == {"es", "en"}
    assert all(p.source != p.reference for p in pairs)
    assert "written by the Polyglot Press team" in path.read_text("utf-8")


class Answers:
    """A stand-in provider that answers each text from a table (the reference, or the source)."""

    name = "stand-in"

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.sent: list[str] = []

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.sent += texts
        return [self.table.get(text, text) for text in texts]


PAIRS = [
    Pair("a", "es", "El huerto escolar crece.", "The school garden grows."),
    Pair("b", "es", "Los alumnos cantan.", "The students sing."),
]


def test_a_perfect_provider_scores_100_and_an_echo_much_less() -> None:
    perfect = Answers(
        {"El <x1/> crece.": "The <x1/> grows.", "Los alumnos cantan.": "The students sing."}
    )
    (before, after), _ = (
        measure(
            ["stand-in"], sets={"t": PAIRS[:1]}, make_translator=lambda name: perfect, network=True
        )[0][:2],
        None,
    )
    # Without the school glossary the term is sent as words, which the table does not know.
    assert (before.glossary, after.glossary) == ("before", "after")
    assert before.chrf is not None
    assert before.chrf < 60
    assert (after.chrf, after.bleu) == (100.0, 100.0)


def test_sentences_go_through_the_engine_with_the_glossary_as_placeholders() -> None:
    provider = Answers({})
    out = translate_sentences(provider, [p.source for p in PAIRS], "es", "en", DEFAULT_GLOSSARY)
    assert provider.sent == ["El <x1/> crece.", "Los alumnos cantan."]
    assert out == ["El school garden crece.", "Los alumnos cantan."]


def test_providers_that_need_the_network_are_reported_not_run() -> None:
    scores, outputs = measure(["aws"], sets={"t": PAIRS}, make_translator=lambda name: None)
    assert all(s.skipped and "network" in s.error for s in scores)
    assert outputs == {}
