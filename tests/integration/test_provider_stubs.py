"""deep-translator's own code against loopback stubs of DeepL, Microsoft, Libre and MyMemory."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from polypub.settings import Settings
from polypub.translate.errors import ProviderRejected, ProviderUnavailable, TranslationError
from polypub.translate.keys import ApiKeys
from polypub.translate.providers import FallbackChain, build_translator
from polypub.translate.providers.deep import DeepTranslatorProvider
from polypub.translate.providers.deepl import DeeplTranslator
from polypub.translate.providers.libre import LibreTranslator
from polypub.translate.providers.microsoft import MicrosoftTranslator
from polypub.translate.providers.mymemory import MyMemoryTranslator
from support.provider_stubs import Stub
from support.translators import upper

KEY = "sk-test-7f3a9c1e-SECRET:fx"


def quick(
    cls: type[DeepTranslatorProvider], stub: Stub, sleeps: list[float], **options: Any
) -> Any:
    """An adapter on the stub whose backoff sleeps are recorded, not slept."""
    return cls(base_url=stub.base_url, sleep=sleeps.append, jitter=lambda: 1.0, **options)


# ----------------------------------------------------------------------------- DeepL


def test_deepl_sends_the_key_in_a_header_by_post_never_in_the_url(deepl_stub: Stub) -> None:
    translator = quick(DeeplTranslator, deepl_stub, [], api_key=lambda: KEY)
    result = translator.translate(["Hello <g1>world</g1> &amp; you"], "en", "es")

    assert result == ["HELLO <g1>WORLD</g1> &amp; YOU"]
    (seen,) = deepl_stub.requests
    assert seen.method == "POST"
    assert seen.path == "/v2/translate"  # no query string at all
    assert seen.headers["authorization"] == f"DeepL-Auth-Key {KEY}"
    assert "auth_key" not in seen.form
    assert seen.form["tag_handling"] == "xml"
    assert (seen.form["source_lang"], seen.form["target_lang"]) == ("en", "es")
    assert seen.form["text"] == "Hello <g1>world</g1> &amp; you"


def test_deepl_asks_for_british_english(deepl_stub: Stub) -> None:
    quick(DeeplTranslator, deepl_stub, [], api_key=lambda: KEY).translate(["Hola"], "es", "en")
    assert deepl_stub.requests[0].form["target_lang"] == "EN-GB"


def test_deepl_is_never_packed_so_a_merged_reply_is_never_paid_twice(deepl_stub: Stub) -> None:
    texts = ["One.", "Two.", "Three."]
    assert quick(DeeplTranslator, deepl_stub, [], api_key=lambda: KEY).translate(
        texts, "en", "es"
    ) == [upper(t) for t in texts]
    assert deepl_stub.texts == texts


def test_deepl_429_three_times_then_success(deepl_stub: Stub) -> None:
    deepl_stub.script = [429, 429, 429]
    sleeps: list[float] = []
    translator = quick(DeeplTranslator, deepl_stub, sleeps, api_key=lambda: KEY)
    assert translator.translate(["Good morning"], "en", "es") == ["GOOD MORNING"]
    assert len(deepl_stub.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_deepl_403_fails_fast_and_the_key_is_in_no_message_or_log(
    deepl_stub: Stub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3 logs request lines at DEBUG
    deepl_stub.script = [403]
    sleeps: list[float] = []
    translator = quick(DeeplTranslator, deepl_stub, sleeps, api_key=lambda: KEY)
    chain = FallbackChain([translator])
    with pytest.raises(ProviderRejected) as caught:
        chain.translate(["Secret sentence"], "en", "es")
    assert len(deepl_stub.requests) == 1
    assert sleeps == []
    assert "HTTP 403" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert KEY not in text
        assert "SECRET" not in text
    assert "Secret sentence" not in str(caught.value)


def test_deepl_quota_exceeded_is_named(deepl_stub: Stub) -> None:
    deepl_stub.script = [456]
    with pytest.raises(ProviderRejected, match="quota is used up"):
        quick(DeeplTranslator, deepl_stub, [], api_key=lambda: KEY).translate(["x"], "en", "es")


def test_deepl_without_a_key_says_where_to_set_it(deepl_stub: Stub) -> None:
    with pytest.raises(ProviderRejected, match="POLYPUB_DEEPL_API_KEY"):
        quick(DeeplTranslator, deepl_stub, []).translate(["x"], "en", "es")
    assert deepl_stub.requests == []


def test_deepl_does_not_translate_catalan_so_a_chain_moves_on(deepl_stub: Stub) -> None:
    with pytest.raises(ProviderRejected, match="en->ca"):
        quick(DeeplTranslator, deepl_stub, [], api_key=lambda: KEY).translate(["x"], "en", "ca")


def test_a_server_that_hangs_times_out_without_quoting_the_text(deepl_stub: Stub) -> None:
    deepl_stub.script = ["hang", "hang"]
    sleeps: list[float] = []
    translator = quick(
        DeeplTranslator, deepl_stub, sleeps, api_key=lambda: KEY, timeout=0.2, max_attempts=2
    )
    with pytest.raises(ProviderUnavailable, match=r"did not answer within 0\.2s") as caught:
        translator.translate(["Private words"], "en", "es")
    assert "Private" not in str(caught.value)
    assert len(sleeps) == 1


# ----------------------------------------------------------------------------- LibreTranslate


def test_libre_sends_text_and_key_in_the_body_never_in_the_url(libre_stub: Stub) -> None:
    translator = quick(LibreTranslator, libre_stub, [], api_key=lambda: KEY)
    assert translator.translate(["Hello", "Good bye"], "en", "ca") == ["HELLO", "GOOD BYE"]
    (seen,) = libre_stub.requests  # packed: one request for both texts, one per line
    assert seen.method == "POST"
    assert seen.path == "/translate"
    assert seen.form == {
        "q": "Hello\nGood bye",
        "source": "en",
        "target": "ca",  # deep-translator's own list has no Catalan; servers do
        "format": "text",
        "api_key": KEY,
    }


def test_libre_without_a_key_sends_none(libre_stub: Stub) -> None:
    quick(LibreTranslator, libre_stub, []).translate(["Hello"], "en", "es")
    assert "api_key" not in libre_stub.requests[0].form


def test_libre_without_a_server_says_which_variable_to_set() -> None:
    with pytest.raises(ProviderRejected, match="POLYPUB_LIBRETRANSLATE_URL"):
        LibreTranslator().translate(["Hello"], "en", "es")


def test_libre_403_fails_fast_without_the_key(
    libre_stub: Stub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    libre_stub.script = [403]
    sleeps: list[float] = []
    with pytest.raises(ProviderRejected) as caught:
        quick(LibreTranslator, libre_stub, sleeps, api_key=lambda: KEY).translate(["x"], "en", "es")
    assert sleeps == []
    assert KEY not in str(caught.value)
    assert KEY not in caplog.text


def test_libre_lines_merged_by_the_server_are_asked_one_by_one(libre_stub: Stub) -> None:
    libre_stub.translate = lambda text: upper(text.replace("\n", " "))
    texts = ["First text.", "Second text."]
    assert quick(LibreTranslator, libre_stub, []).translate(texts, "en", "es") == [
        "FIRST TEXT.",
        "SECOND TEXT.",
    ]
    assert libre_stub.texts == ["First text.\nSecond text.", "First text.", "Second text."]


# ----------------------------------------------------------------------------- Microsoft


def test_microsoft_key_in_a_header_html_text_type_and_no_language_list_request(
    microsoft_stub: Stub,
) -> None:
    translator = quick(
        MicrosoftTranslator, microsoft_stub, [], api_key=lambda: KEY, region="westeurope"
    )
    assert translator.translate(["Hello <g1>world</g1>"], "en", "ca") == ["HELLO <g1>WORLD</g1>"]
    # Only the translation: deep-translator's constructor would also have asked the
    # real Microsoft for its language list, with no timeout.
    (seen,) = microsoft_stub.requests
    assert seen.method == "POST"
    assert seen.query == {"api-version": "3.0", "textType": "html", "from": "en", "to": "ca"}
    assert seen.headers["ocp-apim-subscription-key"] == KEY
    assert seen.headers["ocp-apim-subscription-region"] == "westeurope"
    assert KEY not in seen.path


def test_microsoft_5xx_is_retried_then_unavailable(microsoft_stub: Stub) -> None:
    microsoft_stub.script = [500, 503, 502]
    sleeps: list[float] = []
    translator = quick(
        MicrosoftTranslator, microsoft_stub, sleeps, api_key=lambda: KEY, max_attempts=3
    )
    with pytest.raises(ProviderUnavailable, match="HTTP 502") as caught:
        translator.translate(["Hello"], "en", "es")
    assert caught.value.status == 502
    assert len(sleeps) == 2


# ----------------------------------------------------------------------------- MyMemory


def test_mymemory_uses_its_language_codes_and_500_character_texts(mymemory_stub: Stub) -> None:
    sentence = "The students of the school worked with partners in Europe. "
    long_text = (sentence * 20).strip()  # ~1,200 characters
    result = quick(MyMemoryTranslator, mymemory_stub, []).translate([long_text], "en", "ca")
    assert result == [upper(long_text)]
    assert all(len(text) < 500 for text in mymemory_stub.texts)
    assert len(mymemory_stub.requests) >= 3
    assert mymemory_stub.requests[0].query["langpair"] == "en-GB|ca-ES"


def test_mymemory_quota_reported_with_http_200_is_unavailable(mymemory_stub: Stub) -> None:
    mymemory_stub.mymemory_status = 429
    with pytest.raises(ProviderUnavailable, match="quota"):
        quick(MyMemoryTranslator, mymemory_stub, [], max_attempts=1).translate(
            ["Hello"], "en", "es"
        )


# ----------------------------------------------------------------------------- configuration


def test_build_translator_wires_every_provider_from_settings(
    deepl_stub: Stub, libre_stub: Stub, microsoft_stub: Stub, mymemory_stub: Stub
) -> None:
    settings = Settings(
        deepl_base_url=deepl_stub.base_url,
        libretranslate_url=libre_stub.base_url,
        microsoft_base_url=microsoft_stub.base_url,
        mymemory_base_url=mymemory_stub.base_url,
        api_keys={"deepl": KEY, "microsoft": KEY},
    )
    for name, stub in (
        ("deepl", deepl_stub),
        ("libre", libre_stub),
        ("microsoft", microsoft_stub),
        ("mymemory", mymemory_stub),
    ):
        translator = build_translator([name], settings)
        assert translator.name == name
        assert translator.translate(["Hello"], "en", "es") == ["HELLO"]
        assert stub.texts == ["Hello"]


def test_keys_from_the_environment_are_never_printed() -> None:
    settings = Settings.from_env({"POLYPUB_DEEPL_API_KEY": KEY, "POLYPUB_TRANSLATOR": "deepl"})
    assert settings.api_keys == {"deepl": KEY}
    assert KEY not in repr(settings)
    assert KEY not in repr(ApiKeys(settings.api_keys))


def test_a_chain_error_summary_is_redacted(deepl_stub: Stub, libre_stub: Stub) -> None:
    deepl_stub.script = [401]
    libre_stub.script = [403]
    chain = FallbackChain(
        [
            quick(DeeplTranslator, deepl_stub, [], api_key=lambda: KEY),
            quick(LibreTranslator, libre_stub, [], api_key=lambda: KEY + "-libre"),
        ]
    )
    with pytest.raises(TranslationError) as caught:
        chain.translate(["x"], "en", "es")
    assert "deepl: deepl refused the request (HTTP 401)" in str(caught.value)
    assert "SECRET" not in str(caught.value)


# ------------------------------------------------------------- answers nobody should read


def test_an_answer_far_longer_than_its_source_is_asked_again(libre_stub: Stub) -> None:
    answers = iter(["QUOTA EXCEEDED. " * 40, "HELLO"])
    libre_stub.translate = lambda text: next(answers)
    sleeps: list[float] = []
    translator = quick(LibreTranslator, libre_stub, sleeps)
    assert translator.translate(["Hello"], "en", "es") == ["HELLO"]
    assert len(libre_stub.requests) == 2
    assert sleeps == [0.5]


def test_a_provider_that_keeps_answering_garbage_passes_the_batch_down_the_chain(
    libre_stub: Stub, deepl_stub: Stub
) -> None:
    libre_stub.translate = lambda text: text * 100
    sleeps: list[float] = []
    chain = FallbackChain(
        [
            quick(LibreTranslator, libre_stub, sleeps),
            quick(DeeplTranslator, deepl_stub, sleeps, api_key=lambda: KEY),
        ]
    )
    assert chain.translate(["Good morning"], "en", "es") == ["GOOD MORNING"]
    assert chain.last_served == "deepl"
    assert len(libre_stub.requests) == 4  # the retry policy's attempts, then the next one


@pytest.mark.parametrize("answer", ["", "   "])
def test_an_empty_answer_for_words_is_unavailable_never_published(
    deepl_stub: Stub, answer: str
) -> None:
    deepl_stub.translate = lambda text: answer
    translator = quick(DeeplTranslator, deepl_stub, [], api_key=lambda: KEY)
    with pytest.raises(ProviderUnavailable, match="answered nothing"):
        translator.translate(["Good morning"], "en", "es")
