"""Translate a post: segments, translation memory, one batched provider call, rendered HTML."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from polypub.content.segments import (
    PlaceholderMismatch,
    Segment,
    SegmentedBody,
    segment_body,
    segment_text,
)
from polypub.ports import TranslationMemory, Translator
from polypub.translate.answers import check_answers, tidy_spaces
from polypub.translate.errors import TranslationError
from polypub.translate.glossary import DEFAULT_GLOSSARY, Glossary
from polypub.translate.memory import PERSON, memory_key
from polypub.translate.postedit import Alignment, align, text_unit, units


class TranslatablePost(Protocol):
    """What the engine reads of a post (``polypub.content.post.Post`` has it all)."""

    @property
    def title(self) -> str: ...

    @property
    def description(self) -> str | None: ...

    @property
    def body(self) -> str: ...


@dataclass(frozen=True)
class TranslatedPost:
    """One post in the target language, ready for the page template."""

    title: str
    description: str | None
    body_html: str
    # Characters of the texts actually sent to providers (0 when memory had everything).
    chars_sent: int
    # Who made the text: the providers whose work it is (from memory or sent now),
    # comma-separated, e.g. "google" or "google,apertium" after a fallback.
    provider: str
    # Translatable segments in the post (title and description included) and how many
    # of them memory answered.
    segments: int
    from_memory: int
    # chars_sent split by the provider that answered (a fallback chain may use several).
    chars_by_provider: Mapping[str, int] = field(default_factory=dict)
    # The checked translation of each body segment (None: kept as in the source), for
    # the editable Markdown copy (TranslationEngine.segmented + segments.translated_tokens).
    body_translations: tuple[str | None, ...] = ()


def served_by(translator: Translator) -> str:
    """The provider that answered the translator's last call.

    A fallback chain keeps ``name`` fixed to its first provider but reports in
    ``last_served`` who actually answered, so that text made by a fallback is filed
    in memory under the fallback's name, never passed off as the first provider's.
    """
    last = getattr(translator, "last_served", None)
    return last if isinstance(last, str) and last else translator.name


def provider_names(translator: Translator) -> tuple[str, ...]:
    """Every provider behind ``translator``, its own name first (a chain lists its members)."""
    names = getattr(translator, "names", None)
    if isinstance(names, tuple) and names and all(isinstance(n, str) for n in names):
        return (translator.name, *(n for n in names if n != translator.name))
    return (translator.name,)


class TranslationEngine:
    """Memory first, then one batched call for the misses, then a piecewise fallback."""

    def __init__(
        self,
        translator: Translator,
        memory: TranslationMemory,
        *,
        glossary: Glossary = DEFAULT_GLOSSARY,
    ) -> None:
        self.translator = translator
        self.memory = memory
        self.glossary = glossary

    def translate_post(self, post: TranslatablePost, source: str, target: str) -> TranslatedPost:
        """Translate title, description and body of ``post`` from ``source`` to ``target``."""
        if source == target:
            raise ValueError(f"source and target language are both {source!r}")
        body = self.segmented(post, source, target)
        head = self._head(post, source, target)
        batch = self._translate([*head, *body.segments], source, target)
        title = head[0]
        description = head[1] if len(head) > 1 else None

        translated = batch.texts
        title_text = post.title if translated[0] is None else title.to_plain(translated[0])
        description_text = post.description
        if description is not None and translated[1] is not None:
            description_text = description.to_plain(translated[1])
        return TranslatedPost(
            title=title_text,
            description=description_text,
            body_html=body.render(translated[len(head) :]),
            chars_sent=batch.chars_sent,
            provider=",".join(batch.providers) or self.translator.name,
            segments=batch.segments,
            from_memory=batch.from_memory,
            chars_by_provider=dict(batch.chars_by_provider),
            body_translations=tuple(translated[len(head) :]),
        )

    def segmented(self, post: TranslatablePost, source: str, target: str) -> SegmentedBody:
        """The post's body cut into segments with the pair's glossary terms."""
        return segment_body(post.body, self.glossary.terms(source, target))

    def _head(self, post: TranslatablePost, source: str, target: str) -> list[Segment]:
        """The title's segment, and the description's when there is one."""
        terms = self.glossary.terms(source, target)
        title = segment_text(post.title, terms)
        return [title] if not post.description else [title, segment_text(post.description, terms)]

    def learn(
        self, original: TranslatablePost, person: TranslatablePost, source: str, target: str
    ) -> Alignment:
        """Keep in memory, under PERSON, the segments a person's translation corrects.

        ``person`` translates ``original`` from ``source`` into ``target`` (a teacher's
        edit of the machine's Markdown copy, or a translation of their own). Its
        segments are aligned with the original's (translate/postedit.py); those that
        differ from the machine's answer, with the same placeholders, are stored under
        the key the engine looks up first, so the same segment in a later post is
        translated as the person wrote it.
        """
        body = self.segmented(original, source, target)
        head = self._head(original, source, target)
        segments = [*head, *body.segments]
        original_units = [text_unit("") for _ in head] + units(body)
        # A description the person removed is an empty field: nothing to learn from it.
        fields = [person.title, person.description or ""][: len(head)]
        # Cut with the pair's glossary too: a block of do-not-translate terms alone
        # ("## eTwinning") is no segment on either side, so the structures still agree.
        edited = [text_unit(text) for text in fields] + units(
            segment_body(person.body, self.glossary.terms(source, target))
        )
        keys = {i: _key(PERSON, source, target, s) for i, s in enumerate(segments)}
        stored = self.memory.get_many(list(keys.values()))
        known = {i: stored[key] for i, key in keys.items() if key in stored}
        answers = self._recall(segments, source, target, provider_names(self.translator))
        alignment = align(
            segments,
            original_units,
            [tidy_spaces(a) if (a := answers.get(_identity(s))) else None for s in segments],
            edited,
            known,
        )
        if alignment.corrections:
            self.memory.put_many(
                {_key(PERSON, source, target, c.segment): c.text for c in alignment.corrections}
            )
        return alignment

    def _recall(
        self,
        segments: Sequence[Segment],
        source: str,
        target: str,
        names: Sequence[str],
        providers: list[str] | None = None,
    ) -> dict[str, str]:
        """What memory holds for the segments, by identity: the first of ``names`` that has it.

        ``providers`` collects the names whose answers were used.
        """
        unique: dict[str, Segment] = {}
        for segment in segments:
            if segment.translatable:
                unique.setdefault(_identity(segment), segment)
        done: dict[str, str] = {}
        for name in names:
            keys = {
                _key(name, source, target, unique[ident]): ident
                for ident in unique
                if ident not in done
            }
            if not keys:
                break
            for key, answer in self.memory.get_many(list(keys)).items():
                ident = keys.get(key)
                if ident is not None and _fits(unique[ident], answer):
                    done[ident] = answer
                    if providers is not None and name not in providers:
                        providers.append(name)
        return done

    def _translate(self, segments: Sequence[Segment], source: str, target: str) -> _Batch:
        """A checked translation per segment (None for segments with nothing to translate)."""
        # One entry per distinct (text, glossary entries): a repeated sentence is looked
        # up and sent once; the same text using other glossary entries is filed apart.
        unique: dict[str, Segment] = {}
        for segment in segments:
            if segment.translatable:
                unique.setdefault(_identity(segment), segment)

        batch = _Batch(texts=[])
        # A person's correction first; then the translator's own name; then, for a
        # fallback chain, what its fallbacks made earlier, so a re-render never pays
        # for the same text twice.
        names = (PERSON, *provider_names(self.translator))
        done = self._recall(segments, source, target, names, batch.providers)
        remembered = set(done)

        misses = [ident for ident in unique if ident not in done]
        if misses:
            done.update(self._send(misses, unique, source, target, batch))

        wanted = [_identity(s) if s.translatable else None for s in segments]
        batch.texts = [None if ident is None else tidy_spaces(done[ident]) for ident in wanted]
        batch.segments = sum(1 for ident in wanted if ident is not None)
        batch.from_memory = sum(1 for ident in wanted if ident in remembered)
        return batch

    def _send(
        self,
        misses: Sequence[str],
        unique: dict[str, Segment],
        source: str,
        target: str,
        batch: _Batch,
    ) -> dict[str, str]:
        """Translate the missing segments in one call, and the broken ones piece by piece."""
        results: dict[str, str] = {}
        to_remember: dict[str, str] = {}

        # Placeholders make a translation independent of what they stand for, so two
        # identities with the same text share one request.
        texts = list(dict.fromkeys(unique[ident].text for ident in misses))
        answers, provider = self._call(texts, source, target, batch)
        answer_of = dict(zip(texts, answers, strict=True))
        broken: list[str] = []
        for ident in misses:
            segment = unique[ident]
            answer = answer_of[segment.text]
            if _fits(segment, answer):
                results[ident] = answer
                to_remember[_key(provider, source, target, segment)] = answer
            else:
                broken.append(ident)

        if broken:
            # The provider lost or mangled placeholders: translate the text runs between
            # them on their own (one call for all broken segments) and put the
            # placeholders back where the source had them. Worse sentences, same markup.
            pieces = list(dict.fromkeys(p for ident in broken for p in unique[ident].pieces()))
            answers, provider = self._call(pieces, source, target, batch)
            translated = dict(zip(pieces, answers, strict=True))
            for ident in broken:
                segment = unique[ident]
                answer = segment.reassemble(translated)
                segment.check(answer)  # cannot fail: placeholders come from the source
                results[ident] = answer
                to_remember[_key(provider, source, target, segment)] = answer

        if to_remember:
            self.memory.put_many(to_remember)
        return results

    def _call(
        self, texts: list[str], source: str, target: str, batch: _Batch
    ) -> tuple[list[str], str]:
        answers = list(self.translator.translate(texts, source, target)) if texts else []
        if len(answers) != len(texts):
            raise TranslationError(
                f"{self.translator.name} returned {len(answers)} texts for {len(texts)}",
                provider=self.translator.name,
            )
        provider = served_by(self.translator)
        # A single provider's (a chain checks its members' itself, to move on): an
        # unusable answer fails the job, which the queue retries, and is never kept.
        answers = check_answers(provider, texts, answers)
        sent = sum(len(text) for text in texts)
        batch.chars_sent += sent
        if sent:
            batch.chars_by_provider[provider] = batch.chars_by_provider.get(provider, 0) + sent
        if provider not in batch.providers:
            batch.providers.append(provider)
        return answers, provider


def _identity(segment: Segment) -> str:
    return f"{segment.text}\x00{segment.glossary}" if segment.glossary else segment.text


def _key(provider: str, source: str, target: str, segment: Segment) -> str:
    return memory_key(provider, source, target, segment.text, segment.glossary)


@dataclass
class _Batch:
    texts: list[str | None]
    chars_sent: int = 0
    providers: list[str] = field(default_factory=list)
    segments: int = 0
    from_memory: int = 0
    chars_by_provider: dict[str, int] = field(default_factory=dict)


def _fits(segment: Segment, translated: str) -> bool:
    try:
        segment.check(translated)
    except PlaceholderMismatch:
        return False
    return True
