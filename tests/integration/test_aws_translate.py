"""Amazon Translate under a botocore Stubber (moto has no Translate), keys from Secrets Manager."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from polypub.settings import Settings, SettingsError
from polypub.translate.errors import ProviderRejected, ProviderUnavailable
from polypub.translate.keys import ApiKeys, secrets_manager_loader
from polypub.translate.providers import build_translator
from polypub.translate.providers.aws import AmazonTranslator, translate_client
from polypub.translate.retry import RetryPolicy
from polypub.wiring import cloud_api_keys

KEY = "sk-test-4b1d-SECRET"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def stubbed(aws_env: None) -> Iterator[tuple[Any, Stubber]]:
    client = translate_client(Settings(region="eu-west-1"))
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def translator(client: Any, sleeps: list[float]) -> AmazonTranslator:
    return AmazonTranslator(
        lambda: client, retry=RetryPolicy(sleep=sleeps.append, jitter=lambda: 1.0)
    )


def expect(
    stubber: Stubber,
    text: str,
    answer: str,
    source: str = "en",
    target: str = "es",
    settings: dict[str, str] | None = None,
) -> None:
    params: dict[str, Any] = {
        "Text": text,
        "SourceLanguageCode": source,
        "TargetLanguageCode": target,
    }
    if settings:
        params["Settings"] = settings
    stubber.add_response(
        "translate_text",
        {"TranslatedText": answer, "SourceLanguageCode": source, "TargetLanguageCode": target},
        params,
    )


def test_translates_each_text_with_our_placeholders_as_tags(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    expect(stubber, "Hello <g1>world</g1> and <x1/>", "Hola <g1>mundo</g1> y <x1/>")
    expect(stubber, "Good bye", "Adiós")
    result = translator(client, []).translate(
        ["Hello <g1>world</g1> and <x1/>", "Good bye"], "en", "es"
    )
    assert result == ["Hola <g1>mundo</g1> y <x1/>", "Adiós"]


def test_throttled_three_times_then_success(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    for _ in range(3):
        stubber.add_client_error(
            "translate_text", service_error_code="ThrottlingException", http_status_code=429
        )
    expect(stubber, "Good morning", "Buenos días")
    sleeps: list[float] = []
    assert translator(client, sleeps).translate(["Good morning"], "en", "es") == ["Buenos días"]
    assert sleeps == [0.5, 1.0, 2.0]


def test_access_denied_fails_fast_with_the_code_only(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "translate_text",
        service_error_code="AccessDeniedException",
        service_message="User arn:aws:iam::123:user/x is not authorized; text was 'Secret words'",
        http_status_code=403,
    )
    sleeps: list[float] = []
    with pytest.raises(ProviderRejected) as caught:
        translator(client, sleeps).translate(["Secret words"], "en", "es")
    assert sleeps == []
    assert str(caught.value) == "aws: Amazon Translate answered AccessDeniedException (HTTP 403)"


def test_server_errors_until_attempts_run_out_are_unavailable(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    for _ in range(4):
        stubber.add_client_error(
            "translate_text", service_error_code="InternalServerException", http_status_code=500
        )
    with pytest.raises(ProviderUnavailable, match="InternalServerException"):
        translator(client, []).translate(["Hi"], "en", "es")


def test_texts_over_10000_bytes_are_cut_at_sentences(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    sentence = "Ñandú y pingüino en la escuela. "  # several two-byte letters
    text = (sentence * 400).strip()  # ~13,600 bytes
    for _ in range(2):
        stubber.add_response(
            "translate_text",
            {"TranslatedText": "ok.", "SourceLanguageCode": "es", "TargetLanguageCode": "en"},
            {"Text": ANY, "SourceLanguageCode": "es", "TargetLanguageCode": "en"},
        )
    assert translator(client, []).translate([text], "es", "en") == ["ok. ok."]


def test_unsupported_pair_is_rejected_without_a_call(stubbed: tuple[Any, Stubber]) -> None:
    client, _ = stubbed
    with pytest.raises(ProviderRejected, match="en->fr"):
        translator(client, []).translate(["Hi"], "en", "fr")


def test_build_translator_makes_the_client_on_first_use_only(aws_env: None) -> None:
    aws = build_translator(["aws"], Settings(region="eu-west-1"))
    assert isinstance(aws, AmazonTranslator)
    assert aws._client is None


# ----------------------------------------------------------------------------- output settings


def configured(client: Any, settings: Settings) -> AmazonTranslator:
    aws = build_translator(["aws"], settings)
    assert isinstance(aws, AmazonTranslator)
    aws._make_client = lambda: client
    return aws


def test_by_default_spanish_is_informal_and_profanity_is_masked(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    expect(
        stubber,
        "See you at the <x1/>!",
        "¡Nos vemos en la <x1/>!",
        settings={"Formality": "INFORMAL", "Profanity": "MASK"},
    )
    # English has no register to choose: only the mask is asked for.
    expect(
        stubber,
        "¡Os esperamos!",
        "We look forward to seeing you!",
        source="es",
        target="en",
        settings={"Profanity": "MASK"},
    )
    aws = configured(client, Settings(region="eu-west-1"))
    assert aws.translate(["See you at the <x1/>!"], "en", "es") == ["¡Nos vemos en la <x1/>!"]
    assert aws.translate(["¡Os esperamos!"], "es", "en") == ["We look forward to seeing you!"]


def test_settings_come_from_the_environment_and_can_be_turned_off(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    expect(stubber, "Dear families", "Estimadas familias", settings={"Formality": "FORMAL"})
    expect(stubber, "Hello", "Hola")
    expect(stubber, "Hola", "Hello", source="es", target="en")
    formal = Settings.from_env({"POLYPUB_AWS_FORMALITY": "formal", "POLYPUB_AWS_PROFANITY": "off"})
    assert configured(client, formal).translate(["Dear families"], "en", "es") == [
        "Estimadas familias"
    ]
    plain = Settings.from_env({"POLYPUB_AWS_FORMALITY": "", "POLYPUB_AWS_PROFANITY": "off"})
    assert configured(client, plain).translate(["Hello"], "en", "es") == ["Hola"]
    # Nothing to send at all: no Settings parameter (and no empty one AWS would refuse).
    assert configured(client, plain).translate(["Hola"], "es", "en") == ["Hello"]


@pytest.mark.parametrize(
    ("variable", "value"), [("POLYPUB_AWS_FORMALITY", "polite"), ("POLYPUB_AWS_PROFANITY", "x")]
)
def test_unknown_output_settings_are_a_configuration_error(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


# ----------------------------------------------------------------------------- Secrets Manager


@mock_aws
def test_api_keys_come_from_the_secret_on_first_use(aws_env: None) -> None:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = client.create_secret(
        Name="polypub/translators", SecretString=json.dumps({"deepl": KEY, "libre": "lib"})
    )["ARN"]
    reads: list[str] = []
    load = secrets_manager_loader(client, arn)

    def counted() -> Any:
        reads.append("read")
        return load()

    keys = ApiKeys({"microsoft": "from-env"}, counted)
    assert keys.get("microsoft") == "from-env"
    assert reads == []  # the environment's key needs no secret
    assert keys.get("deepl") == KEY
    assert keys.get("libre") == "lib"
    assert keys.get("google") is None
    assert reads == ["read"]
    assert KEY not in repr(keys)


@mock_aws
def test_cloud_wiring_reads_the_secret_the_settings_name(aws_env: None) -> None:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = client.create_secret(Name="keys", SecretString=json.dumps({"deepl": KEY}))["ARN"]
    keys = cloud_api_keys(Settings(region="eu-west-1", translator_secret=arn))
    assert keys.get("deepl") == KEY


@mock_aws
def test_a_missing_or_malformed_secret_is_a_named_error_without_its_value(aws_env: None) -> None:
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    with pytest.raises(ProviderRejected, match=r"\(ResourceNotFoundException\)"):
        secrets_manager_loader(client, "nope")()
    client.create_secret(Name="bad", SecretString=f"deepl={KEY}")
    with pytest.raises(ProviderRejected, match="JSON object") as caught:
        secrets_manager_loader(client, "bad")()
    assert KEY not in str(caught.value)


# ----------------------------------------------------------------------------- IAM


def translate_policies(**parameters: str) -> Any:
    from polypub.local.iam import PolicyGuard
    from support.policies import ACCOUNT, REGION, deployed_policies

    return PolicyGuard(deployed_policies(**parameters), region=REGION, account=ACCOUNT)


def test_amazon_translate_is_called_only_where_the_template_grants_it(aws_env: None) -> None:
    from polypub.handlers.runtime import invocation
    from polypub.local.iam import AccessDeniedError, Denial

    granted = translate_policies(TranslationProvider="google,aws")
    hooked: list[Any] = []
    # The hook reaches the client the provider makes on first use.
    aws = build_translator(
        ["aws"], Settings(region="eu-west-1"), client_hook=lambda c: hooked.append(c)
    )
    assert isinstance(aws, AmazonTranslator)
    client = aws._make_client()
    assert hooked == [client]
    granted.attach(client)
    with Stubber(client) as stubber, invocation("TranslateFunction"):
        expect(stubber, "Hello", "Hola")
        assert translator(client, []).translate(["Hello"], "en", "es") == ["Hola"]
    assert ("TranslateFunction", "translate:TranslateText", "AmazonTranslate") in granted.exercised

    refused = translate_policies(TranslationProvider="google")  # the condition is false
    other = translate_client(Settings(region="eu-west-1"), refused.attach)
    with invocation("TranslateFunction"), pytest.raises(AccessDeniedError):
        other.translate_text(Text="Hello", SourceLanguageCode="en", TargetLanguageCode="es")
    assert refused.take_denials() == [Denial("TranslateFunction", "translate:TranslateText", "*")]


@mock_aws
def test_only_the_named_secret_is_readable_and_only_by_the_translate_function(
    aws_env: None,
) -> None:
    from polypub.handlers.runtime import invocation

    client = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = client.create_secret(Name="keys", SecretString=json.dumps({"deepl": KEY}))["ARN"]
    guard = translate_policies(TranslatorApiKeysSecretArn=arn)
    settings = Settings(region="eu-west-1", translator_secret=arn)
    with invocation("TranslateFunction"):
        assert cloud_api_keys(settings, guard.attach).get("deepl") == KEY
    with invocation("RenderFunction"), pytest.raises(ProviderRejected, match="AccessDenied"):
        cloud_api_keys(settings, guard.attach).get("deepl")
    (denial,) = guard.take_denials()
    assert (denial.function, denial.action, denial.resource) == (
        "RenderFunction",
        "secretsmanager:GetSecretValue",
        arn,
    )
