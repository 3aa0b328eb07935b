"""What an uploaded file becomes: bytes, a Post, its HTML, its language, its translations.

Each is worked out once per batch (steps/prepared.py); every step reads sources here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from polypub.content import markdown
from polypub.content.errors import ContentError, PostTooLargeError
from polypub.content.language import identify_language, language_name
from polypub.content.post import Post, parse_post
from polypub.content.sanitize import sanitize_html
from polypub.model import PostEntry, VersionInfo
from polypub.settings import Settings
from polypub.site.images import ImageSize, measure_images
from polypub.steps.context import Services
from polypub.steps.prepared import html_key, machine_key, post_key, version_key
from polypub.translate.engine import TranslatedPost, TranslationEngine, provider_names
from polypub.translate.glossary import DEFAULT_GLOSSARY, GLOSSARY_KEY, Glossary, parse_glossary

log = logging.getLogger(__name__)


def read_source_post(key: str, services: Services) -> bytes | None:
    """A post's bytes, None when it is gone; PostTooLargeError, from its size alone, when too big.

    The size comes from a HEAD request, so a 50 MB upload costs no memory and no time.
    """
    info = services.source.head(key)
    if info is None:
        return None
    if info.size > services.settings.max_post_bytes:
        raise PostTooLargeError(info.size, services.settings.max_post_bytes)
    return services.source.get(key)


def parse_source(key: str, data: bytes, services: Services) -> Post:
    """parse_post with the site's languages and size limit: every step parses this way.

    Parsed once per batch for the same bytes; an invalid file raises every time.
    """
    settings = services.settings
    return services.work.posts.get(
        post_key(key, data),
        lambda: parse_post(
            key, data, languages=settings.languages, max_bytes=settings.max_post_bytes
        ),
    )


def rendered_body(post: Post, services: Services) -> str:
    """The post's Markdown as HTML, rendered once per batch."""
    return services.work.bodies.get(version_key(post), lambda: markdown.render_body(post.body))


def body_warnings(post: Post) -> tuple[ContentError, ...]:
    """What the post's page leaves out (HTML, template code): warnings for its report.

    Read from the same parse as its HTML (content/markdown.py keeps the last few).
    """
    return markdown.body_warnings(post.body)


def clean_body(body_html: str, services: Services) -> str:
    """sanitize_html, once per batch for the same HTML (a page re-rendered reuses it)."""
    return services.work.clean.get(html_key(body_html), lambda: sanitize_html(body_html))


def image_sizes(images: Sequence[str], services: Services) -> Mapping[str, ImageSize]:
    """The images' sizes, read from the source bucket once per batch."""
    return services.work.images.get(
        tuple(images), lambda: measure_images(images, services.source.get)
    )


def post_language(post: Post, services: Services) -> tuple[str, str | None]:
    """source_language, once per batch for the same version of a post."""
    return services.work.languages.get(
        version_key(post), lambda: source_language(post, services.settings)
    )


def source_language(post: Post, settings: Settings) -> tuple[str, str | None]:
    """The post's language: declared, else detected; else published as is (with a note).

    A note means the text is in none of the site's languages (or too short or too
    mixed to tell): the post is published untranslated at the default language's
    address, and the teacher gets a report saying how to have it translated.
    """
    if post.lang:
        return post.lang, None
    guess = identify_language(f"{post.title}\n\n{post.body}", settings.languages)
    if guess.lang:
        return guess.lang, None
    names = ", ".join(settings.languages)
    looks = f"; it looks like {language_name(guess.detected)}" if guess.detected else ""
    if guess.unsure == "other-language":
        why = f"it is in none of the site's languages ({names}){looks}"
    elif guess.unsure == "other-script":
        why = (
            "most of its letters are in a script (an alphabet) none of the site's "
            f"languages ({names}) is written in{looks}"
        )
    elif guess.unsure == "mixed":
        why = f"it mixes the site's languages ({names}) too evenly to tell which it is in"
    else:
        why = "it is too short to tell which of the site's languages it is in"
    hint = " or ".join(f"'lang: {lang}'" for lang in settings.languages)
    return settings.default_language, (
        f"published as is, without translations: {why}. If it is written in one of "
        f"them, add {hint} to its front matter to have it translated."
    )


def load_glossary(services: Services) -> Glossary:
    """The site's glossary; the built-in one when there is none or it is invalid.

    An invalid file was reported to the teacher when it was uploaded; meanwhile new
    translations protect the built-in terms rather than wait.
    """

    def load() -> Glossary:
        data = services.source.get(GLOSSARY_KEY)
        if data is None:
            return DEFAULT_GLOSSARY
        try:
            return parse_glossary(data)
        except ContentError as error:
            log.warning("%s is invalid (%s); using the built-in glossary", GLOSSARY_KEY, error.code)
            return DEFAULT_GLOSSARY

    return services.work.glossary.get("", load)


def translation_engine(services: Services) -> TranslationEngine:
    """The engine over the services' translator and memory, with the site's glossary."""
    return TranslationEngine(services.translator, services.memory, glossary=load_glossary(services))


def machine_translation(
    engine: TranslationEngine, post: Post, source: str, target: str, services: Services
) -> TranslatedPost:
    """engine.translate_post, unless this batch has the answer already made from memory."""
    made = services.work.machine.find(machine_memo_key(post, source, target, engine))
    if made is not None:
        return made
    return engine.translate_post(post, source, target)


def machine_memo_key(
    post: Post, source: str, target: str, engine: TranslationEngine
) -> tuple[str, str, str, str, str, str]:
    """Where a translation of this post by this engine is kept in the batch's memo."""
    return machine_key(
        post, source, target, engine.glossary.digest, provider_names(engine.translator)
    )


def machine_version(result: TranslatedPost, entry: PostEntry) -> VersionInfo:
    """The catalog's record of a machine translation of the entry's current text."""
    return VersionInfo(
        title=result.title,
        description=result.description,
        kind="machine",
        provider=result.provider,
        chars_sent=result.chars_sent,
        chars_by_provider=dict(result.chars_by_provider),
        source_hash=entry.content_hash,
    )
