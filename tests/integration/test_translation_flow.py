"""Translation through embedded AWS: outages, throttling, refused keys, people's translations,
the glossary, posts in no site language, and the cost metric, with the real handlers and queues.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from polypub import cli
from polypub.content.keys import report_key
from polypub.handlers import runtime
from polypub.local.dev import DevSession
from polypub.ports import Translator
from polypub.site.i18n import ui
from polypub.translate.providers.deepl import DeeplTranslator
from polypub.translate.providers.google import GoogleTranslator
from support.posts import post_builder
from support.provider_stubs import Stub
from support.stack import fetch, upload

KEY = "sk-test-9d2e-SECRET-KEY:fx"

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or shutil.which("node") is None,
    reason="needs apertium (apertium-eng-spa) and node: run scripts/install-system-deps",
)


post = post_builder(date="2024-05-22T21:12:00.000Z")


@contextmanager
def translator(translator: Translator) -> Iterator[None]:
    """The handlers use ``translator`` within the block (as if the stack were configured so)."""
    before = runtime.services()
    runtime.install(replace(before, translator=translator))
    try:
        yield
    finally:
        runtime.install(before)


def source_object(stack: DevSession, key: str) -> str | None:
    assert stack.aws is not None
    s3 = stack.aws.client("s3")
    try:
        return str(s3.get_object(Bucket=stack.aws.source_bucket, Key=key)["Body"].read().decode())
    except s3.exceptions.NoSuchKey:
        return None


def queue_counts(stack: DevSession, url: str) -> tuple[int, int]:
    assert stack.aws is not None
    attributes = stack.aws.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


def status_of(key: str) -> Any:
    return runtime.services().catalog.get_status(key)


def fast_google(stub: Stub) -> GoogleTranslator:
    return GoogleTranslator(base_url=stub.base_url, sleep=lambda _: None, jitter=lambda: 1.0)


# ----------------------------------------------------------------------------- outages


def test_provider_down_publishes_the_source_page_and_retries_the_translation_later(
    stack: DevSession, google_stub: Stub
) -> None:
    assert stack.aws is not None
    sqs = stack.aws.client("sqs")
    queue = stack.aws.translate_queue_url
    # Lambda keeps a failed message invisible for the queue's visibility timeout (30 min
    # in template.yaml); a short one lets this test see the redelivery.
    original = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["VisibilityTimeout"])
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "2"})
    try:
        google_stub.script = [503] * 4  # every attempt of the first delivery
        with translator(fast_google(google_stub)):
            result = upload(
                stack,
                "posts/outage.md",
                post("Outage day", "The translator is down today.", lang="en"),
            )
            assert result.failed == 1
            # The source-language page is online; the translation is not lost but waiting.
            assert fetch(stack, "/en/posts/outage/")[0] == 200
            assert fetch(stack, "/es/posts/outage/")[0] == 404
            assert queue_counts(stack, queue) == (0, 1)
            pending = status_of("posts/outage.md")
            assert pending.state == "published"
            assert pending.error_code == "translation-pending"
            assert "google answered HTTP 503" in pending.message

            time.sleep(2.5)  # the visibility timeout passes; the provider is back
            stack.drain()
    finally:
        sqs.set_queue_attributes(
            QueueUrl=queue,
            Attributes={"VisibilityTimeout": original["Attributes"]["VisibilityTimeout"]},
        )

    status, spanish = fetch(stack, "/es/posts/outage/")
    assert status == 200
    assert "THE TRANSLATOR IS DOWN TODAY." in spanish
    assert queue_counts(stack, queue) == (0, 0)
    assert queue_counts(stack, stack.aws.translate_dlq_url) == (0, 0)
    done = status_of("posts/outage.md")
    assert done.error_code is None
    assert done.message is None


def test_429_three_times_then_success_publishes_the_translation(
    stack: DevSession, google_stub: Stub
) -> None:
    google_stub.script = [429, 429, 429]
    with translator(fast_google(google_stub)):
        result = upload(
            stack, "posts/throttled.md", post("Busy day", "The translator is busy.", lang="en")
        )
    assert result.failed == 0
    assert len(google_stub.requests) == 4
    status, spanish = fetch(stack, "/es/posts/throttled/")
    assert status == 200
    assert "THE TRANSLATOR IS BUSY." in spanish


def test_403_fails_fast_and_the_key_is_in_no_log_status_or_report(
    stack: DevSession,
    deepl_stub: Stub,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert stack.aws is not None
    caplog.set_level(logging.DEBUG)
    deepl_stub.script = [403]
    sleeps: list[float] = []
    deepl = DeeplTranslator(base_url=deepl_stub.base_url, api_key=lambda: KEY, sleep=sleeps.append)
    with translator(deepl):
        result = upload(
            stack, "posts/refused.md", post("Refused", "Nobody translates this.", lang="en")
        )
    assert result.failed == 1
    assert len(deepl_stub.requests) == 1  # no retries for a refusal
    assert sleeps == []
    assert deepl_stub.requests[0].headers["authorization"] == f"DeepL-Auth-Key {KEY}"
    assert fetch(stack, "/en/posts/refused/")[0] == 200

    pending = status_of("posts/refused.md")
    assert "deepl refused the request (HTTP 403)" in pending.message
    statuses = json.dumps([s.to_dict() for s in runtime.services().catalog.list_statuses()])
    output = capfd.readouterr()
    cli.main(["status", "--info-file", str(write_info(stack))])
    table = capfd.readouterr().out
    assert "[translation-pending]" in table
    reports = [
        source_object(stack, o["Key"]) or ""
        for o in stack.aws.client("s3").list_objects_v2(Bucket=stack.aws.source_bucket)["Contents"]
        if o["Key"].endswith(".error.txt")
    ]
    for text in (caplog.text, output.out, output.err, statuses, table, *reports):
        assert KEY not in text
        assert "SECRET" not in text
    # The failure was logged (Powertools, JSON on stdout) with its reason, just not the key.
    assert "HTTP 403" in output.out + caplog.text


def write_info(stack: DevSession) -> Path:
    path = Path(stack.options.content_dir) / ".." / "dev-info.json"
    path.write_text(json.dumps(stack.info), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- people win


def test_a_human_translation_goes_stale_when_the_original_changes(
    stack: DevSession, capfd: pytest.CaptureFixture[str]
) -> None:
    upload(stack, "posts/visit.md", post("Our visit", "We visited the museum.", lang="en"))
    upload(
        stack, "posts/visit.es.md", post("Nuestra visita", "Visitamos el museo, escrito a mano.")
    )
    stale_note = ui("es")["stale_note"]

    _, spanish = fetch(stack, "/es/posts/visit/")
    assert "Visitamos el museo, escrito a mano." in spanish
    assert stale_note not in spanish
    capfd.readouterr()
    cli.main(["status", "--info-file", str(write_info(stack))])
    assert "STALE" not in capfd.readouterr().out

    upload(
        stack, "posts/visit.md", post("Our visit", "We visited the museum and the zoo.", lang="en")
    )

    _, english = fetch(stack, "/en/posts/visit/")
    assert "the zoo" in english
    _, spanish = fetch(stack, "/es/posts/visit/")
    # The person's words stay (never overwritten by the machine), marked as maybe outdated.
    assert "Visitamos el museo, escrito a mano." in spanish
    assert stale_note in spanish
    assert runtime.services().catalog.get_post("visit").is_stale("es")
    cli.main(["status", "--info-file", str(write_info(stack))])
    table = capfd.readouterr().out
    assert "es:human (STALE: the original changed after this translation)" in table

    # The person updates the translation: no longer stale.
    upload(stack, "posts/visit.es.md", post("Nuestra visita", "Visitamos el museo y el zoo."))
    _, spanish = fetch(stack, "/es/posts/visit/")
    assert "el zoo" in spanish
    assert stale_note not in spanish


# ----------------------------------------------------------------------------- glossary


def test_a_glossary_upload_retranslates_only_the_affected_segments(
    stack: DevSession, google_stub: Stub
) -> None:
    body = (
        "We plan the culture week every Monday.\n\n"
        "Our partners in Porto send photos of the school garden.\n\n"
        "Nothing else happens here."
    )
    with translator(fast_google(google_stub)):
        upload(stack, "posts/garden.md", post("Garden news", body, lang="en"))
        first = list(google_stub.texts)
        assert any("culture week" in text for text in first)
        # The built-in school glossary applies before any file is uploaded.
        assert "Our partners in <x1/> send photos of the <x2/>." in "\n".join(first)

        glossary = (
            b"do_not_translate: [Erasmus+, eTwinning]\n"
            b"translations:\n  - en: culture week\n    es: semana cultural\n"
        )
        upload(stack, "config/glossary.yml", glossary)
        sent = google_stub.texts[len(first) :]

    # The file extends the built-in glossary: the sentence with built-in terms only
    # keeps its memory key and is not sent again.
    assert sent == ["We plan the <x1/> every Monday."]
    _, spanish = fetch(stack, "/es/posts/garden/")
    assert "WE PLAN THE semana cultural EVERY MONDAY." in spanish
    assert "OUR PARTNERS IN Oporto SEND PHOTOS OF THE huerto escolar." in spanish
    status = status_of("config/glossary.yml")
    assert status.state == "published"

    # The same glossary again (an S3 event delivered twice) changes nothing.
    before = len(google_stub.requests)
    with translator(fast_google(google_stub)):
        upload(stack, "config/glossary.yml", b"# same entries\n" + glossary)
    assert len(google_stub.requests) == before


def test_an_invalid_glossary_is_reported_to_the_teacher(stack: DevSession) -> None:
    upload(stack, "config/glossary.yml", b"translations:\n  - es: huerto\n    fr: potager\n")
    status = status_of("config/glossary.yml")
    assert (status.state, status.error_code) == ("failed", "glossary-term")
    report = source_object(stack, report_key("config/glossary.yml"))
    assert report is not None
    assert "glossary-term" in report
    assert "'fr'" in report
    upload(stack, "config/glossary.yml", b"do_not_translate: [Erasmus+, eTwinning]\n")
    assert source_object(stack, report_key("config/glossary.yml")) is None


# ----------------------------------------------------------------------------- source language


def test_a_post_in_no_site_language_is_published_as_is_with_a_report(stack: DevSession) -> None:
    french = (
        "Aujourd'hui nous avons visité le musée avec nos partenaires européens. "
        "Les élèves ont beaucoup appris sur l'histoire de la ville et de ses habitants."
    )
    upload(stack, "posts/musee.md", post("Visite du musée", french))
    status, page = fetch(stack, "/es/posts/musee/")
    assert status == 200
    assert "Aujourd&#39;hui nous avons visité le musée" in page or "Aujourd'hui nous" in page
    assert fetch(stack, "/en/posts/musee/")[0] == 404  # not machine-translated
    recorded = status_of("posts/musee.md")
    assert (recorded.state, recorded.error_code) == ("published", "language-unknown")
    report = source_object(stack, report_key("posts/musee.md"))
    assert report is not None
    assert "published posts/musee.md as is" in report
    assert "'lang: es' or 'lang: en'" in report

    # Declaring a site language has it translated, and the report goes away.
    upload(stack, "posts/musee.md", post("Visite du musée", french, lang="es"))
    assert fetch(stack, "/en/posts/musee/")[0] == 200
    assert source_object(stack, report_key("posts/musee.md")) is None


# ----------------------------------------------------------------------------- cost metric


def test_the_translate_function_emits_characters_sent_per_provider_as_emf(
    stack: DevSession, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `polypub dev` keeps the metric off its console; Lambda has it on.
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capfd.readouterr()
    upload(stack, "posts/metric.md", post("Metric day", "We count every character.", lang="en"))
    lines = [line for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    documents = [json.loads(line) for line in lines]
    (document,) = [d for d in documents if "CharactersSent" in d]
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "PolyglotPress"
    assert directive["Metrics"] == [{"Name": "CharactersSent", "Unit": "Count"}]
    assert set(directive["Dimensions"][0]) == {"service", "Provider"}
    assert document["Provider"] == "apertium"
    assert document["service"] == "polypub-translate"
    entry = runtime.services().catalog.get_post("metric")
    assert document["CharactersSent"] == [entry.versions["es"].chars_sent]  # EMF: a list of values
    assert entry.versions["es"].chars_sent > 0
    assert entry.versions["es"].chars_by_provider == {"apertium": entry.versions["es"].chars_sent}
