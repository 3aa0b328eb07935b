"""Prepare a build's posts on every CPU: parse, render, detect, translate from memory.

`polypub build` runs the pipeline's steps one after another, as the Lambdas do, because
they share the catalog. Most of their time is pure work on one post: YAML, Markdown,
language detection and putting translations together from memory. That part is done
here first, in worker processes, and handed to the steps through the batch's memos
(steps/prepared.py: BatchWork), under the keys the steps look up. The steps then find
it and skip it; anything not prepared (an invalid post, a segment missing
from memory) is done by the steps as usual, so the result is the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from polypub.content.errors import ContentError
from polypub.content.keys import classify_key
from polypub.content.markdown import render_body
from polypub.content.post import Post, parse_post
from polypub.content.sanitize import sanitize_html
from polypub.site.images import ImageSize
from polypub.site.pages import render_post_page
from polypub.steps.context import Services
from polypub.steps.entries import expected_entry
from polypub.steps.prepared import html_key, page_key, post_key, version_key
from polypub.steps.sources import load_glossary, machine_memo_key, machine_version, source_language
from polypub.translate.engine import TranslatedPost, TranslationEngine, provider_names

# Below this many posts, starting workers costs more than it saves.
MIN_POSTS = 40
# Posts handed to a worker at a time: small, so publishing can start almost at once.
CHUNK = 8


@dataclass
class Prepared:
    """One post's pure work, as the steps would have done it."""

    key: str
    data: bytes
    post: Post
    html: str
    language: tuple[str, str | None]
    translations: dict[str, TranslatedPost] = field(default_factory=dict)
    # Every body above through the sanitizer, by HTML (what pages insert).
    clean: dict[str, str] = field(default_factory=dict)
    # The post's pages as they will be once it is published and translated, by
    # prepared.page_key (a page for any other entry is rendered by the steps).
    pages: dict[str, str] = field(default_factory=dict)


class _MemoryMiss(Exception):
    """A segment is not in memory: the translate step will send it, and count it."""


class _MemoryOnly:
    """A Translator that never translates: only answers from memory are prepared."""

    def __init__(self, names: Sequence[str]) -> None:
        self.name = names[0]
        self.names = tuple(names)

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        raise _MemoryMiss


# Set in the parent before the workers fork; each worker reads its own copy.
_SERVICES: Services | None = None
_ENGINE: TranslationEngine | None = None


def _prepare(item: tuple[str, bytes | None]) -> Prepared | None:
    key, data = item
    services, engine = _SERVICES, _ENGINE
    if services is None or engine is None:
        raise RuntimeError("prefetch workers need the services set before they start")
    if data is None:
        return None
    settings = services.settings
    try:
        post = parse_post(
            key, data, languages=settings.languages, max_bytes=settings.max_post_bytes
        )
    except ContentError:
        return None  # the step reports it
    language = source_language(post, settings)
    prepared = Prepared(key, data, post, render_body(post.body), language)
    source, note = language
    if note is None and post.translate and post.translation_lang is None:
        for target in settings.languages:
            if target == source:
                continue
            try:
                prepared.translations[target] = engine.translate_post(post, source, target)
            except _MemoryMiss:
                continue
    for html in [prepared.html, *(t.body_html for t in prepared.translations.values())]:
        prepared.clean[html] = sanitize_html(html)
    if note is None and post.translation_lang is None:
        _prepare_pages(prepared, services)
    return prepared


def _prepare_pages(prepared: Prepared, services: Services) -> None:
    """Render the pages a new post gets once its translations are in."""
    source = prepared.language[0]
    entry = expected_entry(prepared.post, source, services)
    final = replace(
        entry,
        versions={
            **entry.versions,
            **{
                target: machine_version(result, entry)
                for target, result in prepared.translations.items()
            },
        },
    )
    site = services.site_config
    sizes = {src: ImageSize(*size) for src, size in final.image_sizes.items()}
    bodies = {source: prepared.html}
    bodies.update({t: result.body_html for t, result in prepared.translations.items()})
    for lang, html in bodies.items():
        page = render_post_page(site, final, lang, prepared.clean[html], sizes)
        prepared.pages[page_key(final, lang, html)] = page


def prefetched(
    keys: Sequence[str], services: Services, *, workers: int | None = None
) -> Iterator[str]:
    """Yield `keys` in order, each once its post is prepared in `services`' batch cache.

    Workers prepare the posts ahead while the caller publishes the ones yielded, so
    publishing and preparing overlap. Keys are simply yielded, with nothing prepared,
    for a few posts, on one CPU, or where processes cannot fork.
    """
    global _SERVICES, _ENGINE
    languages = services.settings.languages
    posts = sum(1 for k in keys if classify_key(k, languages).kind in ("post", "translation"))
    count = workers or os.cpu_count() or 1
    if posts < MIN_POSTS or count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from keys
        return
    items = [
        (key, services.source.get(key))
        if classify_key(key, languages).kind in ("post", "translation")
        else (key, None)
        for key in keys
    ]
    engine = TranslationEngine(
        services.translator, services.memory, glossary=load_glossary(services)
    )
    _SERVICES = services
    _ENGINE = TranslationEngine(
        _MemoryOnly(provider_names(services.translator)), services.memory, glossary=engine.glossary
    )
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            # Workers fork as tasks are submitted, each with its own copy of these.
            results = pool.map(_prepare, items, chunksize=CHUNK)
            for (key, _), prepared in zip(items, results, strict=True):
                if prepared is not None:
                    _remember(prepared, services, engine)
                yield key
    finally:
        _SERVICES = _ENGINE = None


def _remember(prepared: Prepared, services: Services, engine: TranslationEngine) -> None:
    post, work = prepared.post, services.work
    work.posts.put(post_key(prepared.key, prepared.data), post)
    work.bodies.put(version_key(post), prepared.html)
    work.languages.put(version_key(post), prepared.language)
    for html, clean in prepared.clean.items():
        work.clean.put(html_key(html), clean)
    for name, page in prepared.pages.items():
        work.pages.put(name, page)
    source = prepared.language[0]
    for target, translated in prepared.translations.items():
        work.machine.put(machine_memo_key(post, source, target, engine), translated)
