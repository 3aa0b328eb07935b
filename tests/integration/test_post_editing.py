"""Post-editing through embedded AWS and the real handlers: the machine's Markdown copy,
a teacher's correction published and learned, and a later post translated from it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from polypub.content.keys import report_key
from polypub.content.markdown import render_body
from polypub.content.post import parse_post
from polypub.content.post_markdown import markdown_of
from polypub.content.segments import translated_tokens
from polypub.handlers import runtime
from polypub.local.dev import DevSession
from polypub.settings import Settings
from polypub.translate.engine import TranslationEngine
from polypub.translate.memory import DictMemory
from polypub.translate.providers import build_translator
from support.posts import post_builder
from support.stack import ROOT, aws_of, delete, fetch, upload
from support.translators import FakeTranslator, upper

post = post_builder(date="2024-05-22", lang="es", author="Ana")

GARDEN = "Plantamos tomates en el huerto."
# What the teacher writes instead of the machine's upper-cased words.
CORRECTED = "We planted tomatoes in the school garden."


@contextmanager
def counting_translator() -> Iterator[FakeTranslator]:
    """The handlers translate with a FakeTranslator (upper-cases), which counts its calls."""
    fake = FakeTranslator("fake", lambda text, _: upper(text))
    before = runtime.services()
    runtime.install(replace(before, translator=fake))
    try:
        yield fake
    finally:
        runtime.install(before)


def source_text(stack: DevSession, key: str) -> str | None:
    aws = aws_of(stack)
    s3 = aws.client("s3")
    try:
        body = s3.get_object(Bucket=aws.source_bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return str(body.decode("utf-8"))


def test_a_teachers_correction_of_the_machine_draft_is_published_and_remembered(
    stack: DevSession,
) -> None:
    with counting_translator() as fake:
        upload(
            stack,
            "posts/huerto.md",
            post("El huerto", f"Hoy fue un buen día.\n\n{GARDEN}\n\n- Regamos.\n- Cantamos."),
        )
        # The machine's translation, as a post file, where the README says.
        draft = source_text(stack, "machine-translations/huerto.en.md")
        assert draft is not None
        parsed = parse_post("posts/huerto.en.md", draft.encode())
        assert parsed.title == "EL HUERTO"
        assert (parsed.author, parsed.translation_lang) == ("Ana", "en")
        assert "translation_of: posts/huerto.md" in draft
        assert "upload this file as posts/huerto.en.md" in draft
        assert "- REGAMOS.\n- CANTAMOS." in parsed.body
        _, machine_page = fetch(stack, "/en/posts/huerto/")
        assert "PLANTAMOS TOMATES EN EL HUERTO." in machine_page

        # The teacher fixes one sentence and uploads the file as the person's translation.
        result = upload(
            stack,
            "posts/huerto.en.md",
            draft.replace("PLANTAMOS TOMATES EN EL HUERTO.", CORRECTED).encode(),
        )
        assert result.failed == 0
        status, page = fetch(stack, "/en/posts/huerto/")
        assert status == 200
        assert CORRECTED in page
        assert "HOY FUE UN BUEN DÍA." in page  # the rest as the machine had it
        entry = runtime.services().catalog.get_post("huerto")
        assert entry is not None
        assert entry.versions["en"].kind == "human"

        # A new post with the same sentence: corrected, and never sent to the translator.
        sent = len(fake.sent)
        upload(stack, "posts/semillas.md", post("Semillas", f"{GARDEN}\n\nMañana, más."))
        _, later = fetch(stack, "/en/posts/semillas/")
        assert f"<p>{CORRECTED}</p>" in later
        assert "MAÑANA, MÁS." in later
        assert all(GARDEN not in text for text in fake.sent[sent:])
        assert fake.sent[sent:] == ["Semillas", "Mañana, más."]


def test_a_file_uploaded_among_the_machine_drafts_publishes_nothing(stack: DevSession) -> None:
    result = upload(
        stack,
        "machine-translations/intruso.en.md",
        post("Intruder", "Not a post.", lang="en"),
    )
    # No notification matches the prefix: no handler ever sees it.
    assert result.received == 0
    assert fetch(stack, "/en/posts/intruso/")[0] == 404
    assert runtime.services().catalog.get_status("machine-translations/intruso.en.md") is None


def test_deleting_the_original_still_reports_the_persons_translation(stack: DevSession) -> None:
    with counting_translator():
        upload(stack, "posts/visita.md", post("La visita", "Visitamos el museo."))
        draft = source_text(stack, "machine-translations/visita.en.md")
        assert draft is not None
        upload(stack, "posts/visita.en.md", draft.replace("VISITAMOS", "We visited").encode())
        assert "We visited" in fetch(stack, "/en/posts/visita/")[1]
        delete(stack, "posts/visita.md")
    assert fetch(stack, "/en/posts/visita/")[0] == 404
    report = source_text(stack, report_key("posts/visita.en.md"))
    assert report is not None
    assert "posts/visita.md" in report


@pytest.mark.skipif(shutil.which("apertium") is None, reason="needs apertium (apertium-eng-spa)")
def test_every_shipped_post_has_an_exact_markdown_copy_with_apertium() -> None:
    # The demo's posts and the translation fixtures, both directions, real answers.
    settings = Settings(translators=("apertium",))
    engine = TranslationEngine(build_translator(settings.translators, settings), DictMemory())
    files = [*ROOT.glob("content/posts/**/*.md"), *ROOT.glob("tests/fixtures/translation/*.md")]
    checked = 0
    for path in files:
        original = parse_post("posts/" + path.name, path.read_bytes())
        for source, target in (("es", "en"), ("en", "es")):
            result = engine.translate_post(original, source, target)
            tokens = translated_tokens(
                engine.segmented(original, source, target), result.body_translations
            )
            assert render_body(markdown_of(tokens)) == result.body_html, (path, source)
            checked += 1
    assert checked >= 8
