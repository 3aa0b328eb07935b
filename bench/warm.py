"""Fill a `polypub build` translation memory for a content folder, in a few large batches.

`polypub build` asks the translator once per post and target; with Apertium that is a
process start (about a second here) per post, so warming 1,000 posts the ordinary way
takes longer than the whole suite may. The memory keys do not depend on how the text got
translated, so this fills exactly the keys a build looks up:

1. a recording pass runs the real TranslationEngine over every post with a translator
   that only notes what it is asked (and a memory that only reads), so the texts are
   exactly those the engine sends, after segmenting, glossary and memory lookups;
2. the noted texts go to the real translator in chunks of a few hundred, on a few
   threads (each Apertium call is its own process);
3. a filling pass runs the engine again with those answers and a memory that keeps
   what it is given; anything the engine asks for that was not noted (a provider that
   mangled placeholders makes it ask for pieces) goes to the real translator.

The memory is written to `state_dir/memory.json` in JsonMemory's format, with one save.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from polypub.adapters.localfs import JsonMemory
from polypub.content.keys import classify_key
from polypub.content.post import parse_post
from polypub.ports import Translator
from polypub.settings import Settings
from polypub.steps.sources import source_language, translation_engine
from polypub.translate.errors import TranslationError
from polypub.translate.memory import DictMemory
from polypub.wiring import local_services

Pair = tuple[str, str]


class _ReadOnly:
    """A memory that answers from another and forgets what it is given."""

    def __init__(self, inner: DictMemory) -> None:
        self.inner = inner

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return self.inner.get_many(keys)

    def put_many(self, items: Mapping[str, str]) -> None:
        return None


class _Recorder:
    """A translator that notes each text and answers it unchanged (placeholders intact)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.asked: dict[Pair, dict[str, None]] = {}

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.asked.setdefault((source, target), {}).update(dict.fromkeys(texts))
        return list(texts)


class _Answers:
    """A translator answering from a prepared map; what it lacks goes to `fallback`."""

    def __init__(self, name: str, answers: Mapping[Pair, Mapping[str, str]], fallback: Translator):
        self.name = name
        self.answers = answers
        self.fallback = fallback
        self.fallback_texts = 0

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        known = self.answers.get((source, target), {})
        missing = [text for text in texts if text not in known]
        extra: dict[str, str] = {}
        if missing:
            self.fallback_texts += len(missing)
            extra = dict(
                zip(missing, self.fallback.translate(missing, source, target), strict=True)
            )
        return [known[text] if text in known else extra[text] for text in texts]


@dataclass
class WarmReport:
    posts: int = 0
    already: int = 0  # memory entries found before warming
    texts_sent: int = 0
    chars_sent: int = 0
    added: int = 0
    fallback_texts: int = 0
    skipped: list[str] = field(default_factory=list)  # posts published untranslated

    def to_dict(self) -> dict[str, object]:
        return {
            "posts": self.posts,
            "memory_entries_before": self.already,
            "texts_sent": self.texts_sent,
            "chars_sent": self.chars_sent,
            "memory_entries_added": self.added,
            "fallback_texts": self.fallback_texts,
            "untranslated_posts": len(self.skipped),
        }


def _translate_chunk(translator: Translator, texts: list[str], pair: Pair) -> dict[str, str]:
    """Translate a chunk; a chunk the provider fails on is split until the bad text is alone."""
    try:
        return dict(zip(texts, translator.translate(texts, *pair), strict=True))
    except TranslationError:
        if len(texts) == 1:
            raise
        half = len(texts) // 2
        return {
            **_translate_chunk(translator, texts[:half], pair),
            **_translate_chunk(translator, texts[half:], pair),
        }


def warm_memory(
    settings: Settings,
    content_dir: Path,
    state_dir: Path,
    translator: Translator,
    *,
    workers: int = 2,
    chunk: int = 300,
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> WarmReport:
    """Make `state_dir/memory.json` answer every segment of every post in `content_dir`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    scratch = state_dir / "warm-scratch"
    services, _, _ = local_services(settings, content_dir, scratch / "out", scratch)
    existing = JsonMemory(state_dir / "memory.json")
    # JsonMemory has no "all items" call: read its file's section (the format it saves).
    before = _memory_items(existing)
    seeded = DictMemory(before)
    report = WarmReport(already=len(seeded.items))

    jobs: list[tuple[object, str, str]] = []
    for key in sorted(services.source.list_keys("posts/")):
        if classify_key(key, settings.languages).kind != "post":
            continue
        data = services.source.get(key)
        if data is None:
            continue
        post = parse_post(key, data, languages=settings.languages)
        if post.draft or not post.translate:
            continue
        source, note = source_language(post, settings)
        if note:
            report.skipped.append(key)
            continue
        report.posts += 1
        jobs += [(post, source, target) for target in settings.languages if target != source]

    recorder = _Recorder(translator.name)
    engine = translation_engine(replace(services, translator=recorder, memory=_ReadOnly(seeded)))
    for post, source, target in jobs:
        engine.translate_post(post, source, target)  # type: ignore[arg-type]

    answers: dict[Pair, dict[str, str]] = {}
    work = [
        (pair, texts[start : start + chunk])
        for pair, asked in recorder.asked.items()
        for texts in [list(asked)]
        for start in range(0, len(texts), chunk)
    ]
    report.texts_sent = sum(len(texts) for _, texts in work)
    report.chars_sent = sum(len(text) for _, texts in work for text in texts)
    if work:
        say(
            f"  warming translation memory: {report.texts_sent} texts, "
            f"{report.chars_sent} characters to {translator.name} in {len(work)} calls"
        )
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        done = pool.map(
            lambda item: (item[0], _translate_chunk(translator, item[1], item[0])), work
        )
        for pair, translated in done:
            answers.setdefault(pair, {}).update(translated)

    filler = _Answers(translator.name, answers, translator)
    engine = translation_engine(replace(services, translator=filler, memory=seeded))
    for post, source, target in jobs:
        engine.translate_post(post, source, target)  # type: ignore[arg-type]
    report.fallback_texts = filler.fallback_texts
    new = {k: v for k, v in seeded.items.items() if k not in before}
    existing.put_many(new)
    existing.flush()
    report.added = len(new)
    return report


def _memory_items(memory: JsonMemory) -> dict[str, str]:
    return dict(memory._file.section("segments"))
