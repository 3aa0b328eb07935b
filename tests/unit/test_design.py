"""The school's config/site.yml and theme/ templates: parsing, validation, sandboxed rendering."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import replace

import pytest

from polypub.model import PostEntry, VersionInfo
from polypub.ports import ObjectInfo
from polypub.settings import Settings
from polypub.site.config import SiteConfig
from polypub.site.design import (
    ColorError,
    DesignError,
    SiteConfigFieldError,
    SiteConfigSyntaxError,
    ThemeTemplateError,
    check_design,
    contrast,
    darken_to,
    is_design_key,
    load_design,
    parse_site_config,
    site_config,
    theme_name,
)
from polypub.site.images import ImageSize
from polypub.site.pages import build_listings, render_post_page

LANGS = ("es", "en")
SETTINGS = Settings(site_url="https://blog.example.org", site_name="Polyglot Press")

GOOD = b"""\
name: IES Abastos
tagline:
  es: Proyectos europeos del instituto
  en: Our school's European projects
logo: /assets/images/uploads/logo.png
colors:
  primary: "#1F4E8C"
  accent: "#c2410c"
"""


class MemoryStorage:
    """A bucket in a dict: the Storage port, for pure tests."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = dict(files or {})

    def get(self, key: str) -> bytes | None:
        return self.files.get(key)

    def head(self, key: str) -> ObjectInfo | None:
        data = self.files.get(key)
        return None if data is None else ObjectInfo(key, len(data), "")

    def put(
        self, key: str, data: bytes, content_type: str, *, cache_control: str | None = None
    ) -> None:
        self.files[key] = data

    def delete(self, key: str) -> None:
        self.files.pop(key, None)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        return iter(sorted(key for key in self.files if key.startswith(prefix)))


def png(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", width, height) + bytes(9)


def entry() -> PostEntry:
    return PostEntry(
        slug="hola",
        source_key="posts/hola.md",
        source_lang="es",
        content_hash="h",
        updated="2024-05-22T12:00:00Z",
        date="2024-05-22",
        author="Ana",
        versions={
            "es": VersionInfo("Hola <mundo>", "Una entrada", "original"),
            "en": VersionInfo("Hello", "A post", "machine"),
        },
    )


# ---------------------------------------------------------------- config/site.yml


def test_a_complete_config_is_read() -> None:
    design, problems = parse_site_config(GOOD, LANGS)
    assert problems == []
    assert design.name == "IES Abastos"
    assert dict(design.tagline) == {
        "es": "Proyectos europeos del instituto",
        "en": "Our school's European projects",
    }
    assert design.logo == "/assets/images/uploads/logo.png"
    # Colours are normalised to lower-case "#rrggbb".
    assert dict(design.colors) == {"primary": "#1f4e8c", "accent": "#c2410c"}


def test_project_and_author_names_are_read_per_language_by_url_slug() -> None:
    design, problems = parse_site_config(
        "projects:\n"
        "  proyecto-1:\n    es: Huerto escolar europeo\n    en: European school garden\n"
        "  Proyecto Erasmus+: Erasmus+\n"
        "authors:\n"
        "  Departamento de Biología:\n    en: Biology Department\n".encode(),
        LANGS,
    )
    assert problems == []
    assert {slug: dict(names) for slug, names in design.projects.items()} == {
        "proyecto-1": {"es": "Huerto escolar europeo", "en": "European school garden"},
        # A plain text is the name in every language, like a tagline.
        "proyecto-erasmus": {"es": "Erasmus+", "en": "Erasmus+"},
    }
    # Keyed as the author's page is: /en/authors/departamento-de-biologia/.
    assert {slug: dict(names) for slug, names in design.authors.items()} == {
        "departamento-de-biologia": {"en": "Biology Department"}
    }
    site = site_config(SETTINGS, MemoryStorage({"config/site.yml": GOOD + b"projects: {p: P}\n"}))
    assert dict(site.projects["p"]) == {"es": "P", "en": "P"}


@pytest.mark.parametrize("data", [b"", b"# only a comment\n", b"\xef\xbb\xbf"])
def test_an_empty_config_means_the_defaults(data: bytes) -> None:
    design, problems = parse_site_config(data, LANGS)
    assert problems == []
    assert design.name is None
    assert not design.colors


def test_a_plain_tagline_applies_to_every_language_and_colours_may_be_spelt_british() -> None:
    design, problems = parse_site_config(
        b'tagline: Aprendemos juntos\ncolours:\n  primary: "#036"\n', LANGS
    )
    assert problems == []
    assert dict(design.tagline) == {"es": "Aprendemos juntos", "en": "Aprendemos juntos"}
    assert dict(design.colors) == {"primary": "#003366"}


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        pytest.param(b"name: [unclosed\n", SiteConfigSyntaxError, "line", id="yaml"),
        pytest.param(b"- a\n- b\n", SiteConfigSyntaxError, "'name: value'", id="a-list"),
        pytest.param(b"\xff\xfe n\x00", SiteConfigSyntaxError, "UTF-8", id="not-utf8"),
        pytest.param(b"nmae: IES\n", SiteConfigFieldError, "Did you mean 'name'", id="misspelt"),
        pytest.param(b"name: [a, b]\n", SiteConfigFieldError, "short text", id="name-list"),
        pytest.param(b"name: " + b"x" * 101 + b"\n", SiteConfigFieldError, "100", id="long"),
        pytest.param(b"tagline:\n  fr: Bonjour\n", SiteConfigFieldError, "'fr'", id="tag-lang"),
        pytest.param(b"logo: https://x.org/a.png\n", SiteConfigFieldError, "assets/", id="logo"),
        pytest.param(b"logo: /assets/../x.png\n", SiteConfigFieldError, "assets/", id="logo-up"),
        pytest.param(b"logo: /assets//x.png\n", SiteConfigFieldError, "assets/", id="logo-//"),
        pytest.param(b"logo: [a.png]\n", SiteConfigFieldError, "assets/", id="logo-list"),
        pytest.param(b"projects: Huerto\n", SiteConfigFieldError, "by language", id="projects"),
        pytest.param(b"projects:\n  p1: [a]\n", SiteConfigFieldError, "per language", id="list"),
        pytest.param(b"authors:\n  Ana:\n    fr: A\n", SiteConfigFieldError, "'fr'", id="au-lang"),
        pytest.param(b"colors: blue\n", ColorError, "by role", id="colors-not-mapping"),
        pytest.param(b'colors:\n  header: "#000"\n', ColorError, "primary and accent", id="role"),
        pytest.param(b"colors:\n  primary: blue\n", ColorError, "six hex digits", id="name"),
    ],
)
def test_each_mistake_is_named_for_the_teacher(
    data: bytes, error: type[DesignError], words: str
) -> None:
    _, problems = parse_site_config(data, LANGS)
    assert len(problems) == 1
    assert type(problems[0]) is error
    assert words in str(problems[0])


def test_a_yaml_mistake_says_where() -> None:
    _, problems = parse_site_config(b"name: IES\ncolors:\n  primary: '#123\n", LANGS)
    assert problems[0].code == "invalid-yaml"
    assert problems[0].line is not None


@pytest.mark.parametrize(
    "value",
    [
        '"#fff; } body { display: none } :root { --x: 1"',
        '"#123456}"',
        '"url(https://evil.example/x)"',
        '"#12345"',
        '"expression(alert(1))"',
        '"red"',
    ],
)
def test_nothing_but_a_hex_colour_reaches_the_stylesheet(value: str) -> None:
    design, problems = parse_site_config(f"colors:\n  primary: {value}\n".encode(), LANGS)
    assert not design.colors
    assert [problem.code for problem in problems] == ["invalid-color"]


def test_a_colour_too_light_for_white_text_is_refused_with_a_darker_suggestion() -> None:
    design, problems = parse_site_config(b'colors:\n  primary: "#ffcc00"\n', LANGS)
    assert not design.colors
    message = str(problems[0])
    assert "too light" in message
    suggestion = message.rsplit('"', 2)[1]
    assert contrast(suggestion, "#ffffff") >= 4.5


def test_one_bad_field_keeps_the_good_ones() -> None:
    design, problems = parse_site_config(b'name: IES\ncolors:\n  primary: "nope"\n', LANGS)
    assert design.name == "IES"
    assert len(problems) == 1


def test_alias_bombs_are_refused() -> None:
    bomb = b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous},*{previous},*{previous},*{previous}]\n".encode()
    _, problems = parse_site_config(bomb, LANGS)
    assert problems[0].code == "invalid-yaml"
    assert "too complex" in str(problems[0])


def test_contrast_follows_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#1f4e8c", "#ffffff") >= 4.5
    assert darken_to("#1f4e8c", 4.5) == "#1f4e8c"


# ---------------------------------------------------------------- loading from the bucket


def test_the_logo_is_measured_and_a_missing_one_is_dropped() -> None:
    storage = MemoryStorage(
        {"config/site.yml": GOOD, "assets/images/uploads/logo.png": png(120, 60)}
    )
    loaded = load_design(storage, LANGS)
    assert loaded.problems == ()
    assert loaded.design.logo_size == ImageSize(120, 60)

    del storage.files["assets/images/uploads/logo.png"]
    loaded = load_design(storage, LANGS)
    assert loaded.design.logo is None
    [(key, problem)] = loaded.problems
    assert key == "config/site.yml"
    assert "Upload it under assets/" in str(problem)


def test_site_config_applies_the_design_over_the_settings() -> None:
    storage = MemoryStorage(
        {"config/site.yml": GOOD, "assets/images/uploads/logo.png": png(120, 60)}
    )
    site = site_config(SETTINGS, storage)
    assert site.name == "IES Abastos"
    assert site.base_url == "https://blog.example.org"
    assert site.logo_size == ImageSize(120, 60)
    assert site_config(SETTINGS, MemoryStorage()) == SiteConfig.from_settings(SETTINGS)


def test_design_keys() -> None:
    assert is_design_key("config/site.yml")
    assert is_design_key("theme/post.html")
    assert is_design_key("theme/partials/card.html")
    assert is_design_key("theme/feed.xml")
    assert not is_design_key("config/glossary.yml")
    assert not is_design_key("theme/post.html.error.txt")
    assert not is_design_key("theme/.DS_Store")
    assert not is_design_key("theme/README.md")
    assert not is_design_key("posts/theme/post.html")
    assert theme_name("theme/a//b.html") is None


# ---------------------------------------------------------------- themes


THEMED_POST = b"""{% extends "base.html" %}
{% block main %}<article class="themed"><h1>{{ title }}</h1>{{ body }}</article>{% endblock %}
"""


def themed_site(files: dict[str, bytes]) -> SiteConfig:
    return site_config(SETTINGS, MemoryStorage(files))


def test_a_theme_template_overrides_the_packaged_one_and_still_escapes() -> None:
    site = themed_site({"theme/post.html": THEMED_POST})
    html = render_post_page(site, entry(), "es", "<p>trusted body</p>")
    assert '<article class="themed"><h1>Hola &lt;mundo&gt;</h1><p>trusted body</p>' in html
    # The packaged base.html is still around it: head, switcher, stylesheet.
    assert '<link rel="stylesheet" href="/static/site.css">' in html
    assert 'hreflang="en"' in html


def test_a_theme_may_replace_only_the_listing_card() -> None:
    card = b'<p class="my-card">{{ item.title }}{% if item.image %}!{% endif %}</p>'
    site = themed_site({"theme/partials/card.html": card})
    assert (
        check_design(
            SETTINGS, MemoryStorage({"theme/partials/card.html": card}), "theme/partials/card.html"
        )
        is None
    )
    home = build_listings(site, [entry()])["es/index.html"].body.decode()
    assert '<p class="my-card">Hola &lt;mundo&gt;</p>' in home
    assert '<nav class="languages"' in home  # the rest of the packaged page stays


def test_a_theme_base_changes_every_page() -> None:
    base = b"""<!doctype html><html lang="{{ page.lang }}"><head><title>{{ page.title }}</title>
</head><body class="school">{% block main %}{% endblock %}</body></html>"""
    site = themed_site({"theme/base.html": base})
    pages = build_listings(site, [entry()])
    assert b'<body class="school">' in pages["es/index.html"].body
    assert b'<body class="school">' in pages["404.html"].body
    assert b'<body class="school">' in render_post_page(site, entry(), "en", "<p/>").encode()


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("{{ ''.__class__.__mro__ }}", id="dunder"),
        pytest.param("{{ site.__init__.__globals__ }}", id="globals"),
        pytest.param("{{ page.social.__class__.__subclasses__() }}", id="subclasses"),
        pytest.param("{{ cycler.__init__.__globals__.os }}", id="jinja-globals"),
    ],
)
def test_theme_templates_cannot_reach_python(source: str) -> None:
    template = f'{{% extends "base.html" %}}{{% block main %}}{source}{{% endblock %}}'
    site = themed_site({"theme/post.html": template.encode()})
    # Publishing never stops: the packaged template stands in for a failing theme...
    html = render_post_page(site, entry(), "es", "<p>body</p>")
    assert "<h1>Hola &lt;mundo&gt;</h1>" in html
    assert "class '" not in html
    # ...and the upload check names the failure.
    storage = MemoryStorage({"theme/post.html": template.encode()})
    with pytest.raises(ThemeTemplateError, match="fails when pages are made"):
        check_design(SETTINGS, storage, "theme/post.html")


def test_a_template_that_does_not_compile_is_reported_with_its_line_and_ignored() -> None:
    broken = b'{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n'
    storage = MemoryStorage({"theme/post.html": broken})
    loaded = load_design(storage, LANGS)
    assert loaded.design.theme == ()
    [(key, problem)] = loaded.problems
    assert key == "theme/post.html"
    assert problem.code == "invalid-template"
    assert problem.line == 3
    with pytest.raises(ThemeTemplateError) as raised:
        check_design(SETTINGS, storage, "theme/post.html")
    assert "line 3" in str(raised.value)
    assert raised.value.line == 3


def test_a_theme_using_an_unknown_variable_fails_the_check_not_the_site() -> None:
    storage = MemoryStorage(
        {"theme/list.html": b'{% extends "base.html" %}{% block main %}{{ nope }}{% endblock %}'}
    )
    with pytest.raises(ThemeTemplateError, match="nope"):
        check_design(SETTINGS, storage, "theme/list.html")
    pages = build_listings(site_config(SETTINGS, storage), [entry()])
    assert b'class="cards"' in pages["es/index.html"].body


def test_check_design_reports_only_the_changed_file() -> None:
    storage = MemoryStorage(
        {"config/site.yml": b'colors:\n  primary: "#fff"\n', "theme/post.html": THEMED_POST}
    )
    check_design(SETTINGS, storage, "theme/post.html")
    with pytest.raises(ColorError) as raised:
        check_design(SETTINGS, storage, "config/site.yml")
    assert raised.value.code == "invalid-color"
    assert "everything else you configured still applies" in str(raised.value)


def test_strict_rendering_is_only_for_the_check() -> None:
    site = replace(
        themed_site({"theme/post.html": b"{{ nope }}"}),
        strict_theme=True,
    )
    with pytest.raises(Exception, match="nope"):
        render_post_page(site, entry(), "es", "<p/>")
