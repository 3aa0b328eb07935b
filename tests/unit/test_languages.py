"""The language table: adding a language (French here) is one entry plus its UI strings."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from polypub import languages
from polypub.languages import (
    DateFormats,
    Language,
    known_languages,
    language,
    provider_codes,
)
from polypub.local.template import describe, site_language_choices, sync_edge_function
from polypub.model import PostEntry, VersionInfo
from polypub.settings import Settings, SettingsError
from polypub.site.config import SiteConfig
from polypub.site.i18n import format_date, format_month, machine_note, og_locale
from polypub.site.pages import build_listings, render_post_page
from polypub.translate.errors import ProviderRejected
from polypub.translate.providers import PROVIDERS
from polypub.translate.providers.apertium import modes_for
from polypub.translate.providers.codes import pair_codes

ROOT = Path(__file__).resolve().parents[2]

FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
# Everything the code needs to know about French: this entry and nothing else.
FRENCH = Language(
    code="fr",
    og_locale="fr_FR",
    months=FRENCH_MONTHS,
    dates=DateFormats(day="{day} {month} {year}", month="{month} {year}"),
    ui={
        "autonym": "Français",
        "skip": "Aller au contenu",
        "languages": "Langues",
        "read_in": "Lire en français",
        "home_in": "Accueil en français",
        "home": "Accueil",
        "breadcrumbs": "Fil d'Ariane",
        "home_description": "Articles de {site}",
        "page_n": "Page {n}",
        "newer": "Articles plus récents",
        "older": "Articles plus anciens",
        "pagination": "Pagination",
        "archive": "Archives",
        "project": "Projet",
        "project_description": "Articles du projet {project}",
        "author": "Auteur",
        "author_description": "Articles de {author}",
        "other_languages": "Autres langues",
        "by": "Par {author}",
        "machine_note": "Traduction automatique {source}.",
        "stale_note": "Cette traduction n'est peut-être plus à jour.",
        "read_original": "Lire l'original",
        "gallery": "Images",
        "image_alt": "{title}, image {n}",
        "no_posts": "Pas encore d'articles.",
        "feed": "S'abonner (Atom)",
        "not_found_title": "Page introuvable",
        "not_found_text": "La page que vous cherchez n'existe pas ou a été déplacée.",
        "back_home": "Retour à l'accueil",
    },
    from_language={
        "es": "de l'espagnol",
        "en": "de l'anglais",
        "ca": "du catalan",
        "fr": "du français",
    },
    providers={
        "apertium": "fra",
        "google": "fr",
        "deepl": "fr",
        "microsoft": "fr",
        "libre": "fr",
        "mymemory": "fr-FR",
        "aws": "fr",
    },
)


@pytest.fixture
def with_french(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real table plus FRENCH, in place of the real one for one test."""
    table = MappingProxyType({**languages.LANGUAGES, "fr": FRENCH})
    monkeypatch.setattr(languages, "LANGUAGES", table)


def test_the_table_knows_spanish_english_and_catalan() -> None:
    assert known_languages() == ("es", "en", "ca")
    assert languages.DEFAULT_SITE_LANGUAGES == ("es", "en")
    for code in known_languages():
        assert language(code).code == code
    # Every provider the table names is a registered one.
    named = {name for code in known_languages() for name in language(code).providers}
    assert named <= set(PROVIDERS)
    # DeepL has no Catalan; every other provider names all three.
    assert set(provider_codes("mymemory")) == {"es", "en", "ca"}
    assert set(provider_codes("deepl")) == {"es", "en"}


def test_an_entry_without_every_ui_string_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks UI strings: feed"):
        Language(
            code="xx",
            og_locale="xx_XX",
            months=FRENCH.months,
            dates=FRENCH.dates,
            ui={k: v for k, v in FRENCH.ui.items() if k != "feed"},
            from_language={},
            providers={},
        )
    with pytest.raises(ValueError, match="names 11 months"):
        Language(
            code="xx",
            og_locale="xx_XX",
            months=FRENCH.months[:11],
            dates=FRENCH.dates,
            ui=FRENCH.ui,
            from_language={},
            providers={},
        )


def test_french_is_unknown_until_the_table_has_it() -> None:
    with pytest.raises(SettingsError, match="unsupported site language"):
        Settings(languages=("fr", "es"))


def test_a_french_site_renders_from_the_table_entry(with_french: None) -> None:
    settings = Settings(languages=("fr", "es"), site_url="https://ecole.example.org")
    site = SiteConfig.from_settings(settings)
    post = PostEntry(
        slug="bonjour",
        source_key="posts/bonjour.md",
        source_lang="es",
        content_hash="h",
        updated="2024-05-22T12:00:00Z",
        date="2024-05-22T09:30:00.000Z",
        author="Lucía",
        versions={
            "es": VersionInfo(title="Hola", description=None, kind="original"),
            "fr": VersionInfo(title="Bonjour", description=None, kind="machine"),
        },
    )

    page = render_post_page(site, post, "fr", "<p>Bonjour à tous.</p>")

    assert '<html lang="fr">' in page
    assert '<meta property="og:locale" content="fr_FR">' in page
    assert '<a class="skip-link" href="#main">Aller au contenu</a>' in page
    assert 'Par <a href="/fr/authors/lucia/">Lucía</a>' in page
    assert '<time datetime="2024-05-22">22 mai 2024</time>' in page
    assert "Traduction automatique de l&#39;espagnol." in page
    assert '<link rel="canonical" href="https://ecole.example.org/fr/posts/bonjour/">' in page
    assert '<link rel="alternate" hreflang="x-default" href="https://ecole.example.org/fr/' in page
    listings = build_listings(site, [post])
    home = listings["fr/index.html"].body.decode()
    assert '<meta name="description" content="Articles de Polyglot Press">' in home
    assert '<h2><a href="/fr/posts/bonjour/">Bonjour</a></h2>' in home
    assert "fr/feed.xml" in listings
    assert "fr/archive/2024/05/index.html" in listings
    # The helpers the pages use, directly.
    assert format_date(date(2024, 8, 1), "fr") == "1 août 2024"
    assert format_month("2024-05", "fr") == "mai 2024"
    assert og_locale("fr") == "fr_FR"
    assert machine_note("fr", "en") == "Traduction automatique de l'anglais."


def test_every_provider_finds_its_french_code_in_the_table(with_french: None) -> None:
    assert pair_codes("mymemory", "es", "fr") == ("es-ES", "fr-FR")
    assert pair_codes("aws", "fr", "en") == ("fr", "en")
    assert pair_codes("libre", "fr", "ca") == ("fr", "ca")
    assert pair_codes("microsoft", "en", "fr") == ("en", "fr")
    assert pair_codes("google", "fr", "es") == ("fr", "es")
    assert pair_codes("deepl", "fr", "en") == ("fr", "EN-GB")
    modes = modes_for()
    assert modes[("fr", "es")] == "fra-spa"
    assert modes[("es", "fr")] == "spa-fra"
    assert modes_for({"ca": "valencia"})[("fr", "ca")] == "fra-cat_valencia"
    with pytest.raises(ProviderRejected, match="deepl does not translate fr->ca"):
        pair_codes("deepl", "fr", "ca")


def test_without_french_providers_refuse_it() -> None:
    with pytest.raises(ProviderRejected, match="mymemory does not translate es->fr"):
        pair_codes("mymemory", "es", "fr")
    assert ("es", "fr") not in modes_for()


def test_the_edge_list_and_template_values_follow_the_table(
    with_french: None, tmp_path: Path
) -> None:
    (tmp_path / "infra" / "cloudfront").mkdir(parents=True)
    template = tmp_path / "template.yaml"
    shutil.copy(ROOT / "template.yaml", template)
    shutil.copy(
        ROOT / "infra" / "cloudfront" / "viewer-request.js",
        tmp_path / "infra" / "cloudfront" / "viewer-request.js",
    )
    choices = site_language_choices(known_languages())
    assert "fr,es" in choices
    assert "es,en,ca,fr" in choices

    # The committed template does not allow French yet: the check says so...
    assert sync_edge_function(template, check=True) == [
        "parameter SiteLanguages (Default, AllowedValues)"
    ]
    # ...and the sync writes it; the edge function then routes a French stack.
    sync_edge_function(template)
    assert sync_edge_function(template, check=True) == []
    stack = describe(template, parameters={"SiteLanguages": "fr,es"})
    assert stack.edge_function is not None
    assert "var LANGUAGES = 'fr,es'.split(',');" in stack.edge_function.code
    assert stack.languages == ("fr", "es")
