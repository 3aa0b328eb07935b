"""Translator configuration: environment variables, Catalan variant, Apertium modes."""

from __future__ import annotations

import pytest

from polypub.settings import Settings, SettingsError
from polypub.translate.providers import build_translator
from polypub.translate.providers.apertium import ApertiumTranslator, modes_for


def test_translator_variables_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "POLYPUB_TRANSLATOR": "deepl, libre ,apertium",
            "POLYPUB_LANGUAGES": "es,en,ca",
            "POLYPUB_LIBRETRANSLATE_URL": "https://libre.example.org/",
            "POLYPUB_LIBRETRANSLATE_API_KEY": "libre-key",
            "POLYPUB_DEEPL_API_KEY": "deepl-key:fx",
            "POLYPUB_MICROSOFT_API_KEY": "",
            "POLYPUB_MICROSOFT_REGION": "westeurope",
            "POLYPUB_MYMEMORY_EMAIL": "it@school.example",
            "POLYPUB_TRANSLATOR_SECRET": "arn:aws:secretsmanager:eu-west-1:1:secret:x",
            "POLYPUB_CATALAN_VARIANT": "valencia",
        }
    )
    assert settings.translators == ("deepl", "libre", "apertium")
    assert settings.languages == ("es", "en", "ca")
    assert settings.libretranslate_url == "https://libre.example.org/"
    assert settings.api_keys == {"deepl": "deepl-key:fx", "libre": "libre-key"}
    assert settings.microsoft_region == "westeurope"
    assert settings.mymemory_email == "it@school.example"
    assert settings.translator_secret == "arn:aws:secretsmanager:eu-west-1:1:secret:x"
    assert settings.catalan_variant == "valencia"
    assert "deepl-key" not in repr(settings)


def test_an_unknown_catalan_variant_is_a_configuration_error() -> None:
    with pytest.raises(SettingsError, match="POLYPUB_CATALAN_VARIANT"):
        Settings.from_env({"POLYPUB_CATALAN_VARIANT": "balear"})


def test_apertium_modes_for_catalan_and_the_valencian_variant() -> None:
    central = modes_for({"ca": "central"})
    assert modes_for() == central
    assert central[("es", "ca")] == "spa-cat"
    assert central[("en", "ca")] == "eng-cat"
    assert central[("ca", "es")] == "cat-spa"
    assert central[("ca", "en")] == "cat-eng"
    valencia = modes_for({"ca": "valencia"})
    assert valencia[("es", "ca")] == "spa-cat_valencia"
    assert valencia[("en", "ca")] == "eng-cat_valencia"
    assert valencia[("ca", "es")] == "cat-spa"
    translator = build_translator(["apertium"], Settings(catalan_variant="valencia"))
    assert isinstance(translator, ApertiumTranslator)
    assert translator.modes == valencia


def test_keyed_providers_build_without_keys_and_fail_only_when_asked() -> None:
    # A missing key must never stop the render step (which builds the translator too).
    chain = build_translator(["deepl", "microsoft", "libre", "mymemory", "aws"], Settings())
    assert chain.name == "deepl"
