"""URL rules: every path the site publishes, and how each maps to an S3 key."""

from __future__ import annotations

import pytest

from polypub.settings import Settings
from polypub.site import urls
from polypub.site.config import SiteConfig


def test_language_home_and_its_pages() -> None:
    assert urls.home_url("es") == "/es/"
    assert urls.home_url("en", 1) == "/en/"
    assert urls.home_url("en", 2) == "/en/page/2/"
    with pytest.raises(ValueError, match="start at 1"):
        urls.home_url("en", 0)


def test_post_project_feed_and_error_pages() -> None:
    assert urls.post_url("en", "erasmus-etwinning-experience") == (
        "/en/posts/erasmus-etwinning-experience/"
    )
    assert urls.project_url("es", "proyecto-2") == "/es/projects/proyecto-2/"
    assert urls.feed_url("en") == "/en/feed.xml"
    assert urls.not_found_url("es") == "/es/404.html"
    assert urls.ROOT_NOT_FOUND_URL == "/404.html"
    assert urls.SITEMAP_URL == "/sitemap.xml"
    assert urls.STYLESHEET_URL == "/static/site.css"


def test_a_slug_cannot_add_path_or_query_to_a_url() -> None:
    assert urls.post_url("en", "a?b#c") == "/en/posts/a%3Fb%23c/"
    with pytest.raises(ValueError, match="segment"):
        urls.post_url("en", "..")
    with pytest.raises(ValueError, match="segment"):
        urls.post_url("en", "")


@pytest.mark.parametrize(
    ("project", "slug"),
    [
        ("proyecto-2", "proyecto-2"),
        ("Proyecto Erasmus+", "proyecto-erasmus"),
        ("  Ciències   naturals ", "ciencies-naturals"),
        ("Año_2024", "ano-2024"),
        ("+++", "project"),
    ],
)
def test_project_names_become_plain_path_segments(project: str, slug: str) -> None:
    assert urls.project_slug(project) == slug
    assert urls.project_url("en", project) == f"/en/projects/{slug}/"


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/", "index.html"),
        ("/en/", "en/index.html"),
        ("/en/page/2/", "en/page/2/index.html"),
        ("/en/posts/hola/", "en/posts/hola/index.html"),
        ("/en/feed.xml", "en/feed.xml"),
        ("/sitemap.xml", "sitemap.xml"),
        ("/404.html", "404.html"),
        ("/static/site.css", "static/site.css"),
        ("/es/projects/ci%C3%A8ncies/", "es/projects/ciències/index.html"),
        ("/en/?utm=x#top", "en/index.html"),
    ],
)
def test_object_key_for_url_paths(path: str, key: str) -> None:
    assert urls.object_key(path) == key


@pytest.mark.parametrize("path", ["en/", "https://example.org/en/", "//evil.example/x"])
def test_object_key_refuses_what_is_not_a_site_path(path: str) -> None:
    with pytest.raises(ValueError, match="not a site URL path"):
        urls.object_key(path)


@pytest.mark.parametrize(
    "path", ["/", "/en/", "/en/page/3/", "/en/feed.xml", "/es/projects/ci%C3%A8ncies/"]
)
def test_url_for_key_inverts_object_key(path: str) -> None:
    assert urls.url_for_key(urls.object_key(path)) == path


def test_absolute_urls_use_the_configured_base_without_doubling_slashes() -> None:
    site = SiteConfig.from_settings(Settings(site_url="https://blog.example.org/"))
    assert urls.absolute(site, "/en/") == "https://blog.example.org/en/"
    with pytest.raises(ValueError, match="not a site URL path"):
        urls.absolute(site, "en/")


@pytest.mark.parametrize(
    ("value", "src"),
    [
        ("/assets/images/uploads/izquierda_ES.png", "/assets/images/uploads/izquierda_ES.png"),
        ("assets/images/a.png", "/assets/images/a.png"),
        ("/assets/a b.png", "/assets/a%20b.png"),
        ("/assets/a%20b.png", "/assets/a%20b.png"),
        ("https://example.org/a.png", "https://example.org/a.png"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("java script:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("file:///etc/passwd", None),
        ("//evil.example/a.png", None),
        ("/\\evil.example/a.png", None),
        ("", None),
    ],
)
def test_image_sources_are_site_paths_or_http_only(value: str, src: str | None) -> None:
    assert urls.asset_src(value) == src


def test_listing_prefixes_are_where_listing_urls_live() -> None:
    site = SiteConfig.from_settings(Settings(languages=("es", "en", "ca")))
    prefixes = urls.listing_prefixes(site)
    assert prefixes[:4] == ("es/page/", "es/archive/", "es/projects/", "es/authors/")
    assert prefixes[-1] == "sitemaps/"
    assert len(prefixes) == 3 * 4 + 1
    # Every listing URL that is not a language's front page falls under one of them.
    for url in (
        urls.home_url("ca", 2),
        urls.archive_url("home", "en", "", "2024-05"),
        urls.project_url("ca", "Projecte Erasmus+"),
        urls.archive_url("author", "es", "lucia-perez", "2023-12"),
        urls.sitemap_shard_url("2024-05"),
    ):
        assert urls.object_key(url).startswith(prefixes), url
    assert not urls.object_key(urls.post_url("es", "hola")).startswith(prefixes)
