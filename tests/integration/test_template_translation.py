"""template.yaml's translation settings: provider chains, where keys come from, who reads them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from polypub.local.template import describe, load_template
from polypub.settings import Settings

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)


def test_keys_come_from_a_secret_never_from_a_plain_parameter(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]
    assert set(parameters) >= {
        "TranslationProvider",
        "TranslatorApiKeysSecretArn",
        "LibreTranslateUrl",
        "MicrosoftTranslatorRegion",
    }
    # No parameter carries a key's value: only the secret's ARN.
    assert not any("Key" in name and "Secret" not in name for name in parameters)
    pattern = parameters["TranslatorApiKeysSecretArn"]["AllowedPattern"]
    assert re.fullmatch(pattern, "")
    assert re.fullmatch(
        pattern, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:polypub/translators-AbCdEf"
    )
    assert not re.fullmatch(pattern, "deepl-key:fx")
    url = parameters["LibreTranslateUrl"]["AllowedPattern"]
    assert re.fullmatch(url, "https://libre.example.org/")
    assert not re.fullmatch(url, "http://libre.example.org/")


def test_only_the_translate_function_reads_the_secret(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    translate = resources["TranslateFunction"]["Properties"]
    render = resources["RenderFunction"]["Properties"]
    (conditional,) = [
        p["Fn::If"]
        for p in translate["Policies"]
        if isinstance(p, dict) and "Fn::If" in p and p["Fn::If"][0] == "HasTranslatorApiKeysSecret"
    ]
    (statement,) = conditional[1]["Statement"]
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    assert statement["Resource"] == {"Ref": "TranslatorApiKeysSecretArn"}
    assert conditional[2] == {"Ref": "AWS::NoValue"}
    assert "secretsmanager" not in str(render["Policies"])
    variables = translate["Environment"]["Variables"]
    assert variables["POLYPUB_TRANSLATOR_SECRET"] == {"Ref": "TranslatorApiKeysSecretArn"}
    assert variables["POLYPUB_LIBRETRANSLATE_URL"] == {"Ref": "LibreTranslateUrl"}
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "PolyglotPress"


def test_the_local_stack_accepts_the_default_translation_parameters() -> None:
    stack = describe(TEMPLATE)
    assert stack.parameters["TranslatorApiKeysSecretArn"] == ""
    (translate,) = [f for f in stack.functions if f.logical_id == "TranslateFunction"]
    assert translate.environment["POLYPUB_TRANSLATOR_SECRET"] == ""


def test_amazon_translate_is_the_cloud_default_with_its_grant_and_settings(
    template: dict[str, Any],
) -> None:
    parameters = template["Parameters"]
    assert parameters["TranslationProvider"]["Default"] == "aws"
    stack = describe(TEMPLATE)
    # The condition that grants translate:TranslateText holds for the default value.
    assert "aws" in stack.parameters["TranslationProvider"].split(",")
    translate = template["Resources"]["TranslateFunction"]["Properties"]
    (conditional,) = [
        p["Fn::If"]
        for p in translate["Policies"]
        if isinstance(p, dict) and "Fn::If" in p and p["Fn::If"][0] == "UsesAmazonTranslate"
    ]
    (statement,) = conditional[1]["Statement"]
    assert statement["Action"] == "translate:TranslateText"
    variables = translate["Environment"]["Variables"]
    assert variables["POLYPUB_AWS_FORMALITY"] == {"Ref": "AmazonTranslateFormality"}
    assert variables["POLYPUB_AWS_PROFANITY"] == {"Ref": "AmazonTranslateProfanity"}
    # Every allowed value is one the function accepts.
    for formality in parameters["AmazonTranslateFormality"]["AllowedValues"]:
        for profanity in parameters["AmazonTranslateProfanity"]["AllowedValues"]:
            settings = Settings.from_env(
                {"POLYPUB_AWS_FORMALITY": formality, "POLYPUB_AWS_PROFANITY": profanity}
            )
            assert (settings.aws_formality, settings.aws_profanity) == (formality, profanity)
    (function,) = [f for f in stack.functions if f.logical_id == "TranslateFunction"]
    assert function.environment["POLYPUB_AWS_FORMALITY"] == "informal"
    assert function.environment["POLYPUB_AWS_PROFANITY"] == "mask"
