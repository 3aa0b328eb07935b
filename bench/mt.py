"""Machine translation quality: chrF and BLEU per provider and direction, before/after the glossary.

    python -m bench.mt [--providers apertium,aws] [--json FILE]

The sentences and their reference translations are bench/mt/refs.tsv and
bench/mt/heldout.tsv (written by us; see their headers; the held-out set was written
after the built-in glossary was fixed, to show how much of the gain is fitting). Each
direction's sentences go through the real TranslationEngine as one post with one
paragraph per sentence, as a teacher's post would, once with the glossary of old
(Erasmus+ and eTwinning only) and once with the built-in school glossary. sacrebleu
scores each set as a whole (corpus chrF and BLEU, its default settings). A provider
that cannot run here (no binary, no network, no key) is reported as such.
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REFS = Path(__file__).resolve().parent / "mt" / "refs.tsv"
HELDOUT = REFS.with_name("heldout.tsv")
DIRECTIONS = (("es", "en"), ("en", "es"))
# Providers that answer from this machine; the others need the network (and a key or
# an account), which benchmarks and tests here never use unless asked (--network).
OFFLINE = frozenset({"apertium"})


@dataclass(frozen=True)
class Pair:
    id: str
    source_lang: str
    source: str
    reference: str


@dataclass
class Score:
    set: str  # "refs" or "heldout"
    provider: str
    source: str
    target: str
    glossary: str  # "before" (Erasmus+, eTwinning) or "after" (the built-in school glossary)
    sentences: int
    chrf: float | None = None
    bleu: float | None = None
    seconds: float = 0.0
    error: str = ""
    skipped: bool = False  # a provider that needs the network, not asked for


def load_refs(path: Path = REFS) -> list[Pair]:
    """The reference set: tab-separated id, source language, sentence, reference."""
    pairs = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4 or not all(field.strip() for field in fields):
            raise ValueError(f"{path.name} line {number}: expected 4 tab-separated fields")
        pairs.append(Pair(*(field.strip() for field in fields)))
    return pairs


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self._depth += 1
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.texts[-1] += data


@dataclass(frozen=True)
class _Post:
    title: str
    description: str | None
    body: str


def translate_sentences(
    translator: Any, sentences: Sequence[str], source: str, target: str, glossary: Any
) -> list[str]:
    """The engine's translation of each sentence, each its own paragraph of one post."""
    from polypub.translate.engine import TranslationEngine
    from polypub.translate.memory import DictMemory

    post = _Post(title=sentences[0], description=None, body="\n\n".join(sentences[1:]))
    result = TranslationEngine(translator, DictMemory(), glossary=glossary).translate_post(
        post, source, target
    )
    parser = _Paragraphs()
    parser.feed(result.body_html)
    parser.close()
    out = [result.title, *(" ".join(html.unescape(t).split()) for t in parser.texts)]
    if len(out) != len(sentences):
        raise RuntimeError(f"{len(out)} paragraphs came back for {len(sentences)} sentences")
    return out


def score(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[float, float]:
    """Corpus chrF and BLEU (sacrebleu's defaults: chrF2, BLEU-4 with 13a tokens)."""
    import sacrebleu

    refs = [list(references)]
    return (
        round(sacrebleu.corpus_chrf(list(hypotheses), refs).score, 1),
        round(sacrebleu.corpus_bleu(list(hypotheses), refs).score, 1),
    )


def glossaries() -> dict[str, Any]:
    from polypub.translate.glossary import DEFAULT_GLOSSARY, Glossary

    # "before": what every site had until the built-in school glossary (Erasmus+, eTwinning).
    return {"before": Glossary(), "after": DEFAULT_GLOSSARY}


def measure(
    providers: Sequence[str],
    *,
    sets: dict[str, Sequence[Pair]] | None = None,
    make_translator: Callable[[str], Any] | None = None,
    network: bool = False,
) -> tuple[list[Score], dict[str, Any]]:
    """Scores for each set, provider, direction and glossary; and every hypothesis."""
    if sets is None:
        sets = {"refs": load_refs(REFS), "heldout": load_refs(HELDOUT)}
    if make_translator is None:
        from polypub.settings import Settings
        from polypub.translate.providers import build_translator

        settings = Settings(translators=tuple(providers))

        def make_translator(name: str) -> Any:
            return build_translator((name,), settings)

    scores: list[Score] = []
    outputs: dict[str, Any] = {}
    for provider in providers:
        translator = make_translator(provider)
        for (name, pairs), (source, target) in itertools.product(sets.items(), DIRECTIONS):
            chosen = [p for p in pairs if p.source_lang == source]
            if not chosen:
                continue
            for label, glossary in glossaries().items():
                row = Score(name, provider, source, target, label, len(chosen))
                started = time.perf_counter()
                if provider not in OFFLINE and not network:
                    row.error = "needs the network (run with --network where it is allowed)"
                    row.skipped = True
                    scores.append(row)
                    continue
                try:
                    hypotheses = translate_sentences(
                        translator, [p.source for p in chosen], source, target, glossary
                    )
                except Exception as error:  # a provider that cannot run here: say why
                    row.error = f"{type(error).__name__}: {error}"[:300]
                else:
                    row.chrf, row.bleu = score(hypotheses, [p.reference for p in chosen])
                    outputs[f"{name} {provider} {source}->{target} {label}"] = [
                        {"id": p.id, "hypothesis": h, "reference": p.reference}
                        for p, h in zip(chosen, hypotheses, strict=True)
                    ]
                row.seconds = round(time.perf_counter() - started, 2)
                scores.append(row)
    return scores, outputs


def table(scores: Sequence[Score]) -> str:
    lines = [
        f"{'set':<8} {'provider':<10} {'pair':<7} {'glossary':<8} {'n':>3} {'chrF':>6} {'BLEU':>6}"
    ]
    for s in scores:
        figures = f"not run: {s.error}" if s.error else f"{s.chrf:>6.1f} {s.bleu:>6.1f}"
        pair = f"{s.source}->{s.target}"
        lines.append(
            f"{s.set:<8} {s.provider:<10} {pair:<7} {s.glossary:<8} {s.sentences:>3} {figures}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--providers",
        default="apertium",
        help="comma-separated providers (default apertium: the one that runs offline)",
    )
    parser.add_argument("--json", type=Path, help="write scores and every translation here")
    parser.add_argument(
        "--network",
        action="store_true",
        help="also run providers that need the network (aws needs AWS credentials)",
    )
    args = parser.parse_args(argv)
    providers = [p.strip() for p in args.providers.split(",") if p.strip()]
    scores, outputs = measure(providers, network=args.network)
    print(table(scores))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {"scores": [asdict(s) for s in scores], "translations": outputs}
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    return 1 if any(s.error and not s.skipped for s in scores) else 0


if __name__ == "__main__":
    sys.exit(main())
