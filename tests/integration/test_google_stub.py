"""The Google adapter against a loopback stub that answers like translate.google.com/m."""

from __future__ import annotations

import importlib.metadata
import time

import deep_translator.google
import pytest
from deep_translator import GoogleTranslator as LibraryGoogleTranslator

from polypub.content.post import Post
from polypub.translate.engine import TranslationEngine
from polypub.translate.errors import ProviderRejected, ProviderUnavailable
from polypub.translate.memory import DictMemory
from polypub.translate.providers.google import GoogleTranslator
from support.provider_stubs import Stub
from support.translators import upper


@pytest.fixture
def stub(google_stub: Stub) -> Stub:
    """The shared Google stub (support.provider_stubs), under this file's short name."""
    return google_stub


def google(stub: Stub, sleeps: list[float] | None = None, **options: object) -> GoogleTranslator:
    recorded = sleeps if sleeps is not None else []
    return GoogleTranslator(
        base_url=stub.base_url,
        sleep=recorded.append,
        jitter=lambda: 1.0,
        **options,  # type: ignore[arg-type]
    )


def test_happy_path_runs_the_librarys_parser_on_one_packed_request(stub: Stub) -> None:
    post = Post(
        source_key="posts/p.md",
        name="p",
        slug="p",
        title="Our eTwinning day",
        body="Hello **world**, see [the site](https://example.org/x) and `code`.\n\n- One item\n",
        content_hash="h",
    )
    result = TranslationEngine(google(stub), DictMemory()).translate_post(post, "en", "es")

    assert len(stub.requests) == 1
    (request,) = stub.requests
    assert (request.query["sl"], request.query["tl"]) == ("en", "es")
    assert request.query["q"] == (
        "Our <x1/> day\nHello <g1>world</g1>, see <g2>the site</g2> and <x1/>.\nOne item"
    )
    assert result.title == "OUR eTwinning DAY"
    assert result.body_html == (
        '<p>HELLO <strong>WORLD</strong>, SEE <a href="https://example.org/x">THE SITE</a> '
        "AND <code>code</code>.</p>\n<ul>\n<li>ONE ITEM</li>\n</ul>\n"
    )
    assert result.provider == "google"
    assert result.chars_sent == len(request.query["q"]) - 2  # the two separators are ours


def test_429_three_times_then_success_backs_off_exponentially(stub: Stub) -> None:
    stub.script = [429, 429, 429]
    sleeps: list[float] = []
    assert google(stub, sleeps).translate(["Good morning"], "en", "es") == ["GOOD MORNING"]
    assert len(stub.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_jitter_stays_within_half_and_full_delay(stub: Stub) -> None:
    stub.script = [503]
    sleeps: list[float] = []
    translator = GoogleTranslator(base_url=stub.base_url, sleep=sleeps.append, jitter=lambda: 0.0)
    assert translator.translate(["Hi there"], "en", "es") == ["HI THERE"]
    assert sleeps == [0.25]


def test_403_fails_fast_as_rejected(stub: Stub) -> None:
    stub.script = [403]
    sleeps: list[float] = []
    with pytest.raises(ProviderRejected, match=r"HTTP 403") as caught:
        google(stub, sleeps).translate(["Secret sentence"], "en", "es")
    assert len(stub.requests) == 1
    assert sleeps == []
    assert caught.value.status == 403
    assert "Secret" not in str(caught.value)
    assert "127.0.0.1" not in str(caught.value)


def test_5xx_until_the_attempts_run_out_is_unavailable(stub: Stub) -> None:
    stub.script = [500, 502, 503]
    sleeps: list[float] = []
    with pytest.raises(ProviderUnavailable, match="HTTP 503") as caught:
        google(stub, sleeps, max_attempts=3).translate(["Hello"], "en", "es")
    assert caught.value.status == 503
    assert len(stub.requests) == 3
    assert len(sleeps) == 2


def test_a_server_that_never_answers_times_out_as_unavailable(stub: Stub) -> None:
    stub.script = ["hang", "hang"]
    sleeps: list[float] = []
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match=r"did not answer within 0\.1s") as caught:
        google(stub, sleeps, timeout=0.1, max_attempts=2).translate(["Hello"], "en", "es")
    assert time.monotonic() - started < 2
    assert len(stub.requests) == 2
    assert len(sleeps) == 1
    assert "Hello" not in str(caught.value)


def test_a_refused_connection_is_unavailable_without_the_url(stub: Stub) -> None:
    translator = GoogleTranslator(base_url="http://127.0.0.1:9/m", max_attempts=1, timeout=1)
    with pytest.raises(ProviderUnavailable, match=r"could not be reached \(ConnectionError\)") as e:
        translator.translate(["Private words"], "en", "es")
    assert "Private" not in str(e.value)
    assert "127.0.0.1" not in str(e.value)


def test_long_texts_are_chunked_at_sentences_below_the_limit(stub: Stub) -> None:
    sentence = "The students of the school worked with partners in Europe. "
    long_text = (sentence * 200).strip()  # ~12,000 characters
    texts = ["A short one.", long_text, "Another short one."]
    result = google(stub).translate(texts, "en", "es")

    assert result == [upper(text) for text in texts]
    lengths = [len(request.query["q"]) for request in stub.requests]
    assert len(stub.requests) >= 3
    assert max(lengths) < 5000
    # Chunks end at sentence boundaries.
    assert all(request.query["q"].rstrip().endswith(".") for request in stub.requests)


def test_lines_merged_by_the_provider_are_asked_one_by_one(stub: Stub) -> None:
    stub.translate = lambda text: upper(text.replace("\n", " "))
    texts = ["First text.", "Second text.", "Third text."]
    assert google(stub).translate(texts, "en", "es") == [
        "FIRST TEXT.",
        "SECOND TEXT.",
        "THIRD TEXT.",
    ]
    assert [request.query["q"] for request in stub.requests] == [
        "First text.\nSecond text.\nThird text.",
        "First text.",
        "Second text.",
        "Third text.",
    ]


def test_an_unsupported_language_is_rejected_without_a_request(stub: Stub) -> None:
    with pytest.raises(ProviderRejected, match="en->xx"):
        google(stub).translate(["Hello"], "en", "xx")
    assert stub.requests == []


def test_the_seam_leaves_other_users_of_the_library_alone(stub: Stub) -> None:
    google(stub)  # installs the seam
    assert type(deep_translator.google.requests).__name__ == "_RequestsSeam"
    # Outside our adapter the library behaves as before (plain requests.get).
    client = LibraryGoogleTranslator(source="en", target="es")
    client._base_url = stub.base_url
    assert client.translate("plain library call") == "PLAIN LIBRARY CALL"


def test_the_adapter_is_written_for_the_pinned_library() -> None:
    # The seam and the parser shape above are specific to this version.
    assert importlib.metadata.version("deep-translator") == "1.11.4"
