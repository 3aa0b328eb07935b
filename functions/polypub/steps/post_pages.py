"""A post's pages: rendered from its entry and bodies, each body sanitized on the way in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from polypub.content.keys import classify_key, translation_key
from polypub.model import PostEntry
from polypub.site import urls
from polypub.site.images import ImageSize
from polypub.site.pages import render_post_page
from polypub.steps.context import Services
from polypub.steps.prepared import page_key
from polypub.steps.site_writing import HTML, SiteObject, write_site_objects
from polypub.steps.sources import (
    clean_body,
    image_sizes,
    machine_translation,
    parse_source,
    rendered_body,
    translation_engine,
)
from polypub.translate.engine import TranslationEngine


def write_post_pages(entry: PostEntry, bodies: Mapping[str, str], services: Services) -> list[str]:
    """Render each given language's page of one post; write only what changed.

    Every body passes the sanitizer here, whoever made it (our renderer, a translator,
    a person's translation), just before it becomes part of a page.
    """
    site = services.site_config
    sizes = (
        {src: ImageSize(*size) for src, size in entry.image_sizes.items()}
        if entry.image_sizes or not entry.images
        else image_sizes(entry.images, services)  # an entry from before sizes were kept
    )
    pages = {}
    for lang, body_html in bodies.items():
        body = clean_body(body_html, services)
        html = services.work.pages.get(
            page_key(entry, lang, body_html),
            lambda lang=lang, body=body: render_post_page(site, entry, lang, body, sizes),  # type: ignore[misc]
        )
        pages[urls.object_key(urls.post_url(lang, entry.slug))] = SiteObject(
            html.encode("utf-8"), HTML
        )
    return write_site_objects(pages, services)


def rewrite_existing_pages(
    entry: PostEntry, services: Services, *, skip: Iterable[str] = ()
) -> list[str]:
    """Re-render the post's other language pages around their current bodies.

    The source is read only if an original or machine page is among them (a person's
    page needs only its own file); with nothing left to render, nothing is read.
    """
    skipped = set(skip)
    todo = {lang: v for lang, v in entry.versions.items() if lang not in skipped}
    bodies: dict[str, str] = {}
    post = None
    if any(version.kind != "human" for version in todo.values()):
        post_data = services.source.get(entry.source_key)
        # Parsed once, and one engine (one glossary read) for all machine languages.
        if post_data is not None:
            post = parse_source(entry.source_key, post_data, services)
    engine: TranslationEngine | None = None
    for lang, version in todo.items():
        if version.kind == "original" and post is not None:
            bodies[lang] = rendered_body(post, services)
        elif version.kind == "human":
            key = human_translation_key(entry.source_key, lang, services)
            data = services.source.get(key)
            if data is not None:
                bodies[lang] = rendered_body(parse_source(key, data, services), services)
        elif version.kind == "machine" and post is not None:
            # Comes from translation memory: no characters are sent again.
            engine = engine or translation_engine(services)
            result = machine_translation(engine, post, entry.source_lang, lang, services)
            bodies[lang] = result.body_html
    return write_post_pages(entry, bodies, services) if bodies else []


def human_translation_key(source_key: str, lang: str, services: Services) -> str:
    """Where a person's translation of `source_key` into `lang` is uploaded."""
    return translation_key(classify_key(source_key, services.settings.languages).base, lang)
