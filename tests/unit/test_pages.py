"""Site pages: post pages and every listing, checked as a whole generated site."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from html.parser import HTMLParser
from typing import Literal

import pytest

from polypub.languages import UI_KEYS, known_languages, language
from polypub.model import PostEntry, VersionInfo
from polypub.settings import Settings
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.i18n import format_date, format_month
from polypub.site.images import ImageSize
from polypub.site.pages import (
    FEED_SIZE,
    Rendered,
    build_listings,
    owned_listing_key,
    project_title,
    render_post_page,
    static_file,
)
from sitemaps import read_sitemaps

BASE = "https://blog.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

Kind = Literal["original", "machine", "human"]


def entry(
    slug: str,
    day: str,
    kinds: Mapping[str, Kind],
    *,
    source: str = "es",
    project: str | None = None,
    title: str | None = None,
    description: str | None = "A short description",
    author: str | None = "IES Abastos",
    images: tuple[str, ...] = (),
    stale: bool = False,
) -> PostEntry:
    """A catalog entry; `stale` makes human versions come from an older source."""
    versions = {
        lang: VersionInfo(
            title=title or f"{slug} ({lang})",
            description=description,
            kind=kind,
            source_hash=("old" if stale else "current") if kind == "human" else "",
        )
        for lang, kind in kinds.items()
    }
    return PostEntry(
        slug=slug,
        source_key=f"posts/{slug}.md",
        source_lang=source,
        content_hash="current",
        updated=f"{day}T12:00:00Z",
        date=f"{day}T09:30:00.000Z",
        author=author,
        project=project,
        images=images,
        versions=versions,
    )


SITE = SiteConfig.from_settings(
    Settings(site_url=BASE + "/", languages=("es", "en"), page_size=3, site_name="Aula Abierta")
)

BILINGUAL = entry(
    "bilingue",
    "2024-05-22",
    {"es": "original", "en": "human"},
    project="proyecto-2",
    images=("/assets/images/uploads/izquierda_ES.png", "javascript:alert(1)", "uploads/b.jpg"),
)
ONLY_ES = entry("solo-espanol", "2024-05-20", {"es": "original"}, project="proyecto-1")
ONLY_EN = entry("only-english", "2024-05-18", {"en": "original"}, source="en")
MACHINE = entry(
    "traducida", "2024-05-16", {"es": "original", "en": "machine"}, project="proyecto-2"
)
STALE = entry("desfasada", "2024-05-14", {"es": "original", "en": "human"}, stale=True)
HOSTILE = entry(
    "hostil",
    "2024-05-12",
    {"es": "original", "en": "machine"},
    project="Proyecto Erasmus+",
    title=XSS,
    description='"><img src=x onerror=alert(1)> & more',
    author="<b>Mallory</b>",
    images=("/assets/images/uploads/hostile.png",),
)
# Same day and time as HOSTILE: newest first is a descending sort of `<date>#<slug>`,
# so ties are broken by slug, Z-A.
TIE_A = entry("a-empate", "2024-05-12", {"es": "original"})
TIE_Z = entry("z-empate", "2024-05-12", {"es": "original"})
OLD = entry("antigua", "2023-01-02", {"es": "original", "en": "machine"}, project="proyecto-1")
ENTRIES = [OLD, TIE_Z, STALE, BILINGUAL, ONLY_EN, HOSTILE, ONLY_ES, MACHINE, TIE_A]

# Newest first by date, then slug (Z-A).
ES_ORDER = ["bilingue", "solo-espanol", "traducida", "desfasada", "z-empate", "hostil",
            "a-empate", "antigua"]  # fmt: skip
EN_ORDER = ["bilingue", "only-english", "traducida", "desfasada", "hostil", "antigua"]


def body_for(item: PostEntry, lang: str) -> str:
    """What the Markdown renderer would give: trusted HTML with an internal link."""
    return f'<p>Body of <em>{item.slug}</em>. <a href="/{lang}/">Home</a></p>'


@dataclass
class Page:
    """The parts of an HTML page the tests look at."""

    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            found
            for name, found in self.tags
            if name == tag and all(found.get(k) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> dict[str, str]:
        matches = self.all(tag, **attrs)
        assert len(matches) == 1, (tag, attrs, matches)
        return matches[0]

    @property
    def lang(self) -> str:
        return self.one("html")["lang"]

    @property
    def canonical(self) -> str:
        return self.one("link", rel="canonical")["href"]

    @property
    def alternates(self) -> dict[str, str]:
        links = [link for link in self.all("link", rel="alternate") if "hreflang" in link]
        result = {link["hreflang"]: link["href"] for link in links}
        assert len(result) == len(links), "an hreflang is listed twice"
        return result

    @property
    def switcher(self) -> list[dict[str, str]]:
        """The header's links to this same page in other languages."""
        return [a for a in self.all("a") if "data-lang" in a and a.get("rel") == "alternate"]

    @property
    def homes(self) -> list[dict[str, str]]:
        """The footer's links to the other languages' homes."""
        return [a for a in self.all("a") if "data-lang" in a and "rel" not in a and "lang" in a]

    def meta(self, key: str) -> str:
        """The content of a `property` (Open Graph) or `name` (Twitter) meta tag."""
        found = [m for m in self.all("meta") if key in (m.get("property"), m.get("name"))]
        assert len(found) == 1, (key, found)
        return found[0]["content"]

    def has_class(self, name: str) -> bool:
        return any(name in attrs.get("class", "").split() for _, attrs in self.tags)


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.page.text.append(data)


def parse(html: bytes | str) -> Page:
    page = Page()
    parser = _Parser(page)
    parser.feed(html.decode("utf-8") if isinstance(html, bytes) else html)
    parser.close()
    return page


def post_pages(site: SiteConfig, entries: list[PostEntry]) -> dict[str, bytes]:
    return {
        urls.object_key(urls.post_url(lang, item.slug)): render_post_page(
            site, item, lang, body_for(item, lang)
        ).encode("utf-8")
        for item in entries
        for lang in item.versions
    }


@pytest.fixture(scope="module")
def listings() -> dict[str, Rendered]:
    return build_listings(SITE, ENTRIES)


@pytest.fixture(scope="module")
def posts() -> dict[str, bytes]:
    return post_pages(SITE, ENTRIES)


@pytest.fixture(scope="module")
def site_files(listings: dict[str, Rendered], posts: dict[str, bytes]) -> dict[str, bytes]:
    """Every object the site would hold, by key."""
    return {**{key: r.body for key, r in listings.items()}, **posts}


@pytest.fixture(scope="module")
def html_pages(site_files: dict[str, bytes]) -> dict[str, Page]:
    return {key: parse(body) for key, body in site_files.items() if key.endswith(".html")}


def xml(body: bytes | str) -> ET.Element:
    """Parse XML this test module generated itself (so no defusing is needed)."""
    return ET.fromstring(body)


def key_for(href: str) -> str:
    """The object key an internal href (absolute or root-relative) points at."""
    path = href.removeprefix(BASE)
    assert path.startswith("/"), f"not an internal link: {href}"
    return urls.object_key(path)


def post_html(site_files: Mapping[str, bytes], lang: str, slug: str) -> Page:
    return parse(site_files[urls.object_key(urls.post_url(lang, slug))])


# ---------------------------------------------------------------- the generated keys


def test_listings_publish_exactly_the_site_contract_keys(listings: dict[str, Rendered]) -> None:
    # Every collection has a front page and one archive page per month with posts;
    # antigua (2023-01) has no English version of proyecto-1's May, solo-espanol.
    assert set(listings) == {
        "es/index.html", "es/archive/2024/05/index.html", "es/archive/2023/01/index.html",
        "en/index.html", "en/archive/2024/05/index.html", "en/archive/2023/01/index.html",
        "es/projects/proyecto-1/index.html", "en/projects/proyecto-1/index.html",
        "es/projects/proyecto-1/2024/05/index.html",
        "es/projects/proyecto-1/2023/01/index.html", "en/projects/proyecto-1/2023/01/index.html",
        "es/projects/proyecto-2/index.html", "en/projects/proyecto-2/index.html",
        "es/projects/proyecto-2/2024/05/index.html", "en/projects/proyecto-2/2024/05/index.html",
        "es/projects/proyecto-erasmus/index.html", "en/projects/proyecto-erasmus/index.html",
        "es/projects/proyecto-erasmus/2024/05/index.html",
        "en/projects/proyecto-erasmus/2024/05/index.html",
        "es/authors/ies-abastos/index.html", "en/authors/ies-abastos/index.html",
        "es/authors/ies-abastos/2024/05/index.html", "es/authors/ies-abastos/2023/01/index.html",
        "en/authors/ies-abastos/2024/05/index.html", "en/authors/ies-abastos/2023/01/index.html",
        "es/authors/b-mallory-b/index.html", "en/authors/b-mallory-b/index.html",
        "es/authors/b-mallory-b/2024/05/index.html", "en/authors/b-mallory-b/2024/05/index.html",
        "es/feed.xml", "en/feed.xml",
        "sitemap.xml", "sitemaps/pages.xml", "sitemaps/2024-05.xml", "sitemaps/2023-01.xml",
        "404.html", "es/404.html", "en/404.html",
        "robots.txt", "static/site.css", "static/lang.js", "static/favicon.svg",
    }  # fmt: skip
    types = {key: rendered.content_type for key, rendered in listings.items()}
    assert types["es/index.html"] == "text/html; charset=utf-8"
    assert types["en/feed.xml"] == "application/atom+xml; charset=utf-8"
    assert types["sitemap.xml"] == "application/xml; charset=utf-8"
    assert types["sitemaps/2024-05.xml"] == "application/xml; charset=utf-8"
    assert types["robots.txt"] == "text/plain; charset=utf-8"
    assert types["static/site.css"] == "text/css; charset=utf-8"
    assert types["static/lang.js"] == "text/javascript; charset=utf-8"
    assert types["static/favicon.svg"] == "image/svg+xml"


def test_same_catalog_gives_same_bytes_whatever_the_input_order() -> None:
    assert build_listings(SITE, ENTRIES) == build_listings(SITE, list(reversed(ENTRIES)))


# ---------------------------------------------------------------- every HTML page


def test_every_page_carries_the_contract_head_and_landmarks(html_pages: dict[str, Page]) -> None:
    assert len(html_pages) > 20
    for key, page in html_pages.items():
        assert page.lang in SITE.languages, key
        assert page.one("meta", charset="utf-8")
        assert "width=device-width" in page.one("meta", name="viewport")["content"]
        assert page.one("meta", name="description")["content"].strip(), key
        assert page.all("title"), key
        assert page.canonical.startswith(BASE + "/"), key
        assert page.lang in page.alternates, key
        assert "x-default" in page.alternates, key
        assert page.alternates[page.lang] == page.canonical, key
        for landmark in ("header", "nav", "main", "footer"):
            assert page.all(landmark), (key, landmark)
        skip = page.all("a")[0]
        assert skip["href"] == "#main", key
        assert page.one("main")["id"] == "main", key
        assert page.one("link", rel="stylesheet")["href"] == urls.STYLESHEET_URL


def test_hreflang_alternates_are_symmetric(html_pages: dict[str, Page]) -> None:
    for key, page in html_pages.items():
        for lang, href in page.alternates.items():
            if lang == "x-default":
                assert href in page.alternates.values()
                continue
            other = html_pages[key_for(href)]
            assert other.lang == lang, (key, href)
            assert other.canonical == href, (key, href)
            assert other.alternates == page.alternates, (key, href)


def test_switcher_links_the_same_page_in_the_languages_it_exists_in(
    html_pages: dict[str, Page],
) -> None:
    for key, page in html_pages.items():
        links = page.switcher
        others = set(page.alternates) - {"x-default", page.lang}
        assert {a["hreflang"] for a in links} == others, key
        for a in links:
            assert a["lang"] == a["data-lang"] == a["hreflang"], key
            assert BASE + a["href"] == page.alternates[a["hreflang"]], key
        # Every page leads to every other language's home, for pages that exist in one.
        homes = [(a["hreflang"], a["href"]) for a in page.homes]
        assert homes == [
            (code, urls.home_url(code)) for code in SITE.languages if code != page.lang
        ], key


def test_every_internal_link_resolves_to_a_published_object(
    site_files: dict[str, bytes], html_pages: dict[str, Page]
) -> None:
    post_keys = {
        urls.object_key(urls.post_url(lang, item.slug))
        for item in ENTRIES
        for lang in item.versions
    }
    # The gallery links each picture whole: the teachers' assets are on the site too.
    assets = {
        urls.object_key(src)
        for item in ENTRIES
        for src in map(urls.asset_src, item.images)
        if src is not None
    }
    published = set(site_files) | post_keys | assets
    checked = 0
    for key, page in html_pages.items():
        ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src")):
            for attrs in page.all(tag):
                href = attrs[attr]
                if href.startswith("#"):
                    assert href[1:] in ids, (key, href)
                else:
                    assert key_for(href) in published, (key, href)
                checked += 1
    assert checked > 200


def test_no_inline_script_inline_style_or_javascript_url_anywhere(
    site_files: dict[str, bytes],
) -> None:
    # What the Content-Security-Policy in template.yaml allows: scripts and styles
    # from the site's own files only.
    for key, body in site_files.items():
        text = body.decode("utf-8").lower()
        assert "javascript:" not in text, key
        if key.endswith(".html"):
            assert text.count("<script") == 1, key
            assert '<script src="/static/lang.js" defer></script>' in text, key
            assert "<style" not in text, key
            page = parse(body)
            for tag, attrs in page.tags:
                assert "style" not in attrs, (key, tag)
                assert not [name for name in attrs if name.startswith("on")], (key, tag)


def test_untrusted_text_is_escaped_everywhere(
    listings: dict[str, Rendered], site_files: dict[str, bytes]
) -> None:
    for key, body in site_files.items():
        assert XSS not in body.decode("utf-8"), key
        assert "<b>Mallory" not in body.decode("utf-8"), key
    for key in (
        "es/archive/2024/05/index.html",
        "en/archive/2024/05/index.html",
        "es/projects/proyecto-erasmus/index.html",
        "en/projects/proyecto-erasmus/index.html",
    ):
        assert XSS_ESCAPED in listings[key].body.decode(), key
    for lang in SITE.languages:
        page_html = site_files[urls.object_key(urls.post_url(lang, "hostil"))].decode()
        assert f"<h1>{XSS_ESCAPED}</h1>" in page_html
        assert f"<title>{XSS_ESCAPED} · Aula Abierta</title>" in page_html
        assert "&lt;b&gt;Mallory&lt;/b&gt;" in page_html
        page = parse(page_html)
        # Attribute values survive the round trip intact, so nothing broke out of them.
        assert page.one("meta", name="description")["content"] == (
            '"><img src=x onerror=alert(1)> & more'
        )
        alt = "imagen" if lang == "es" else "image"
        assert [img["alt"] for img in page.all("img")] == [f"{XSS}, {alt} 1"]
        feed = listings[urls.object_key(urls.feed_url(lang))].body.decode()
        assert f'<title type="text">{XSS_ESCAPED}</title>' in feed
        titles = [e.findtext(f"{ATOM}title") for e in xml(feed).iter(f"{ATOM}entry")]
        assert XSS in titles
    for key in ("sitemap.xml", "sitemaps/pages.xml", "sitemaps/2024-05.xml"):
        assert "<script" not in listings[key].body.decode(), key


def test_site_name_is_escaped_in_pages_and_feeds() -> None:
    site = SiteConfig.from_settings(Settings(site_url=BASE, site_name="Press & <Friends>"))
    out = build_listings(site, [BILINGUAL])
    home = out["es/index.html"].body.decode()
    assert "<title>Press &amp; &lt;Friends&gt;</title>" in home
    assert "<Friends>" not in home
    feed = xml(out["es/feed.xml"].body)
    assert feed.findtext(f"{ATOM}title") == "Press & <Friends>"


def test_control_characters_never_break_the_feed() -> None:
    broken = entry("control", "2024-01-01", {"es": "original"}, title="Tab\x0bbed\x00 title")
    feed = xml(build_listings(SITE, [broken])["es/feed.xml"].body)
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == ["Tabbed title"]


# ---------------------------------------------------------------- post pages


def test_post_page_shows_trusted_body_meta_gallery_and_project(
    site_files: dict[str, bytes],
) -> None:
    html = site_files["es/posts/bilingue/index.html"].decode()
    assert "<p>Body of <em>bilingue</em>." in html
    page = parse(html)
    assert page.lang == "es"
    assert page.one("time")["datetime"] == "2024-05-22"
    assert "22 de mayo de 2024" in page.text
    assert '<span class="author">Por <a href="/es/authors/ies-abastos/">IES Abastos</a>' in html
    images = page.all("img")
    # The javascript: image is dropped; the others keep their order and get numbered alts,
    # each linked whole.
    assert [img["src"] for img in images] == [
        "/assets/images/uploads/izquierda_ES.png",
        "/uploads/b.jpg",
    ]
    assert [img["alt"] for img in images] == ["bilingue (es), imagen 1", "bilingue (es), imagen 2"]
    assert all(img["loading"] == "lazy" and img["decoding"] == "async" for img in images)
    assert [
        a["href"] for a in page.all("a") if a["href"].startswith(("/assets/", "/uploads/"))
    ] == [img["src"] for img in images]
    # The project is linked from the breadcrumb (after the home) and the post's footer.
    project = [a for a in page.all("a") if a["href"] == "/es/projects/proyecto-2/"]
    assert len(project) == 2
    assert "Proyecto 2" in page.text
    start = html.index('<nav class="breadcrumbs"')
    crumbs = html[start : html.index("</nav>", start)]
    assert [a["href"] for a in parse(crumbs).all("a")] == ["/es/", "/es/projects/proyecto-2/"]
    english = site_files["en/posts/bilingue/index.html"].decode()
    assert "22 May 2024" in parse(english).text
    assert '<span class="author">By <a href="/en/authors/ies-abastos/">IES Abastos</a>' in english


def test_gallery_images_carry_the_sizes_read_from_the_files() -> None:
    sizes = {"/assets/images/uploads/izquierda_ES.png": ImageSize(1200, 630)}
    page = parse(render_post_page(SITE, BILINGUAL, "en", "<p>x</p>", sizes))
    first, second = page.all("img")
    assert (first["width"], first["height"]) == ("1200", "630")
    # A picture whose file could not be read still shows, without invented sizes.
    assert "width" not in second
    assert "height" not in second


def test_open_graph_and_twitter_meta_come_from_title_description_and_first_image() -> None:
    sizes = {"/assets/images/uploads/izquierda_ES.png": ImageSize(1200, 630)}
    page = parse(render_post_page(SITE, BILINGUAL, "en", "<p>x</p>", sizes))
    image = f"{BASE}/assets/images/uploads/izquierda_ES.png"
    assert page.meta("og:type") == "article"
    assert page.meta("og:title") == page.meta("twitter:title") == "bilingue (en)"
    assert page.meta("og:description") == page.meta("twitter:description")
    assert page.meta("og:description") == "A short description"
    assert page.meta("og:url") == page.canonical
    assert page.meta("og:site_name") == "Aula Abierta"
    assert page.meta("og:locale") == "en_GB"
    assert page.meta("og:locale:alternate") == "es_ES"
    assert page.meta("og:image") == page.meta("twitter:image") == image
    assert (page.meta("og:image:width"), page.meta("og:image:height")) == ("1200", "630")
    assert page.meta("og:image:alt") == "bilingue (en), image 1"
    assert page.meta("twitter:card") == "summary_large_image"


def test_pages_without_a_picture_share_as_a_summary(html_pages: dict[str, Page]) -> None:
    home = html_pages["es/index.html"]
    assert home.meta("og:type") == "website"
    assert home.meta("twitter:card") == "summary"
    assert not [m for m in home.all("meta") if m.get("property") == "og:image"]
    no_image = html_pages["es/posts/solo-espanol/index.html"]
    assert no_image.meta("og:type") == "article"
    assert no_image.meta("twitter:card") == "summary"


def test_machine_note_only_on_machine_translations_and_links_the_original(
    html_pages: dict[str, Page],
) -> None:
    seen = 0
    for item in ENTRIES:
        for lang, version in item.versions.items():
            page = html_pages[urls.object_key(urls.post_url(lang, item.slug))]
            assert page.has_class("note-machine") == (version.kind == "machine"), item.slug
            if version.kind == "machine":
                seen += 1
                assert "Machine-translated from Spanish." in "".join(page.text)
                original = [a for a in page.all("a") if a["href"] == f"/es/posts/{item.slug}/"]
                assert {a.get("hreflang") for a in original} == {"es"}
                assert "Read the original" in page.text
    assert seen == 3
    listing_pages = [page for key, page in html_pages.items() if "/posts/" not in key]
    assert not [page for page in listing_pages if page.has_class("note-machine")]


def test_stale_note_only_on_out_of_date_human_translations(html_pages: dict[str, Page]) -> None:
    stale = [key for key, page in html_pages.items() if page.has_class("note-stale")]
    assert stale == ["en/posts/desfasada/index.html"]
    page = html_pages[stale[0]]
    assert "This translation may be out of date with the original." in "".join(page.text)
    assert not html_pages["en/posts/bilingue/index.html"].has_class("note-stale")


def test_single_language_post_has_only_its_own_alternates(html_pages: dict[str, Page]) -> None:
    only_en = html_pages["en/posts/only-english/index.html"]
    # No default-language (es) version: x-default is the source's own version.
    assert only_en.alternates == {
        "en": f"{BASE}/en/posts/only-english/",
        "x-default": f"{BASE}/en/posts/only-english/",
    }
    # No Spanish version to switch to: only the footer leads to the Spanish home.
    assert only_en.switcher == []
    assert [(a["hreflang"], a["href"]) for a in only_en.homes] == [("es", "/es/")]
    bilingual = html_pages["en/posts/bilingue/index.html"]
    assert bilingual.alternates["x-default"] == f"{BASE}/es/posts/bilingue/"
    assert [(a["hreflang"], a["href"]) for a in bilingual.switcher] == [
        ("es", "/es/posts/bilingue/")
    ]
    assert "Leer en español" in bilingual.text


def test_render_post_page_refuses_a_missing_version() -> None:
    with pytest.raises(ValueError, match="no 'en' version"):
        render_post_page(SITE, ONLY_ES, "en", "<p>x</p>")
    with pytest.raises(ValueError, match="no 'ca' version"):
        render_post_page(SITE, ONLY_ES, "ca", "<p>x</p>")


# ---------------------------------------------------------------- listings


def listed_slugs(page: Page, lang: str) -> list[str]:
    prefix = f"/{lang}/posts/"
    return [
        a["href"].removeprefix(prefix).rstrip("/")
        for a in page.all("a")
        if a["href"].startswith(prefix)
    ]


def pagination(page: Page) -> tuple[list[str], list[str]]:
    """The hrefs of a listing's "newer" and "older" links."""
    return [a["href"] for a in page.all("a", rel="prev")], [
        a["href"] for a in page.all("a", rel="next")
    ]


def month_of(slug: str) -> str:
    found = next(item for item in ENTRIES if item.slug == slug)
    return (found.date or "")[:7]


def test_language_homes_show_the_newest_posts_then_one_archive_page_per_month(
    html_pages: dict[str, Page],
) -> None:
    for lang, order in (("es", ES_ORDER), ("en", EN_ORDER)):
        front = html_pages[f"{lang}/index.html"]
        assert listed_slugs(front, lang) == order[: SITE.page_size]
        # "Older" leads to the month where the first post not shown is.
        fourth = month_of(order[SITE.page_size])
        assert pagination(front) == ([], [urls.archive_url("home", lang, "", fourth)])
        months = ["2024-05", "2023-01"]
        archives = [
            html_pages[urls.object_key(urls.archive_url("home", lang, "", m))] for m in months
        ]
        assert sorted(k for k in html_pages if k.startswith(f"{lang}/archive/")) == sorted(
            urls.object_key(urls.archive_url("home", lang, "", m)) for m in months
        )
        # Every post is in exactly one month, in the same order as everywhere.
        chunks = [listed_slugs(page, lang) for page in archives]
        assert [slug for chunk in chunks for slug in chunk] == order
        assert all(
            month_of(slug) == month
            for month, chunk in zip(months, chunks, strict=True)
            for slug in chunk
        )
        newest, oldest = archives
        assert pagination(newest) == (
            [urls.home_url(lang)],
            [urls.archive_url("home", lang, "", "2023-01")],
        )
        assert pagination(oldest) == ([urls.archive_url("home", lang, "", "2024-05")], [])
    es_may = html_pages["es/archive/2024/05/index.html"]
    assert "Mayo de 2024" in es_may.text
    assert "Archivo" in es_may.text
    assert es_may.one("meta", name="description")["content"] == "Entradas de Aula Abierta"
    en_january = html_pages["en/archive/2023/01/index.html"]
    assert "January 2023" in en_january.text
    assert "Archive" in en_january.text
    assert "January 2023 · Aula Abierta" in en_january.text  # the <title>
    assert en_january.canonical == f"{BASE}/en/archive/2023/01/"


def test_archive_pages_alternate_only_with_the_same_month_in_other_languages(
    html_pages: dict[str, Page],
) -> None:
    may = html_pages["es/archive/2024/05/index.html"]
    assert may.alternates == {
        "es": f"{BASE}/es/archive/2024/05/",
        "en": f"{BASE}/en/archive/2024/05/",
        "x-default": f"{BASE}/es/archive/2024/05/",
    }
    assert [(a["hreflang"], a["href"]) for a in may.switcher] == [("en", "/en/archive/2024/05/")]
    # proyecto-1 has a Spanish post in May 2024 and none in English.
    only_es = html_pages["es/projects/proyecto-1/2024/05/index.html"]
    assert set(only_es.alternates) == {"es", "x-default"}
    assert only_es.switcher == []
    assert listed_slugs(only_es, "es") == ["solo-espanol"]
    assert "Proyecto: Proyecto 1" in only_es.text
    january = html_pages["en/projects/proyecto-1/2023/01/index.html"]
    assert january.alternates["es"] == f"{BASE}/es/projects/proyecto-1/2023/01/"
    assert "Project: Proyecto 1" in january.text
    # The English project has one month, the Spanish one two: each links its own.
    assert pagination(january) == (["/en/projects/proyecto-1/"], [])
    assert pagination(html_pages["es/projects/proyecto-1/2023/01/index.html"]) == (
        ["/es/projects/proyecto-1/2024/05/"],
        [],
    )


def test_project_and_author_front_pages_show_page_size_posts_and_lead_to_the_archive() -> None:
    days = ["2024-03-10", "2024-03-05", "2024-02-20", "2024-01-15", "2023-12-01"]
    garden = [
        entry(f"huerto-{n}", day, {"es": "original"}, project="huerto", author="Lucía Pérez")
        for n, day in enumerate(days)
    ]
    out = build_listings(SITE, garden)
    for kind, front_url in (
        ("project", "/es/projects/huerto/"),
        ("author", "/es/authors/lucia-perez/"),
    ):
        group = "huerto" if kind == "project" else "Lucía Pérez"
        front = parse(out[urls.object_key(front_url)].body)
        assert listed_slugs(front, "es") == ["huerto-0", "huerto-1", "huerto-2"]
        # The first post not shown (huerto-3) is in January 2024.
        assert pagination(front) == ([], [f"{front_url}2024/01/"])
        folder = front_url.lstrip("/")
        assert sorted(key.removeprefix(folder) for key in out if key.startswith(folder)) == [
            "2023/12/index.html",
            "2024/01/index.html",
            "2024/02/index.html",
            "2024/03/index.html",
            "index.html",
        ]
        march = parse(out[urls.object_key(urls.archive_url(kind, "es", group, "2024-03"))].body)
        assert listed_slugs(march, "es") == ["huerto-0", "huerto-1"]
        assert pagination(march) == ([front_url], [f"{front_url}2024/02/"])
        december = parse(out[urls.object_key(urls.archive_url(kind, "es", group, "2023-12"))].body)
        assert pagination(december) == ([f"{front_url}2024/01/"], [])
        assert "Diciembre de 2023" in december.text
    assert "Proyecto: Huerto" in parse(out["es/projects/huerto/2023/12/index.html"].body).text
    assert (
        "Autoría: Lucía Pérez" in parse(out["es/authors/lucia-perez/2023/12/index.html"].body).text
    )
    # No English versions: no English project, author or archive pages at all.
    assert not [key for key in out if key.startswith("en/") and key.count("/") > 1]


def test_a_front_page_with_few_posts_has_no_pagination(html_pages: dict[str, Page]) -> None:
    two = html_pages["es/projects/proyecto-2/index.html"]
    assert listed_slugs(two, "es") == ["bilingue", "traducida"]
    assert pagination(two) == ([], [])
    assert "Older posts" not in html_pages["en/projects/proyecto-2/index.html"].text


def test_listing_shows_title_link_description_and_date(html_pages: dict[str, Page]) -> None:
    home = html_pages["en/index.html"]
    assert "bilingue (en)" in home.text
    assert "A short description" in home.text
    assert "22 May 2024" in home.text
    assert home.all("time", datetime="2024-05-22")


def test_the_site_name_is_shown_once_and_is_the_homes_heading(
    html_pages: dict[str, Page], site_files: dict[str, bytes]
) -> None:
    home = site_files["es/index.html"].decode()
    header = home[home.index('<header class="site-header">') : home.index("</header>")]
    # The header's name is the home's one <h1>; the page adds no second large title.
    assert header.count("Aula Abierta") == 1
    assert '<h1 class="site-title">' in header
    assert len(html_pages["es/index.html"].all("h1")) == 1
    for key in (
        "es/projects/proyecto-2/index.html",
        "es/archive/2024/05/index.html",
        "en/posts/bilingue/index.html",
    ):
        page = site_files[key].decode()
        # Elsewhere the page's own title is the <h1> and the name is a plain link.
        assert len(html_pages[key].all("h1")) == 1, key
        assert "site-title" not in page, key
        assert "<h1>Aula Abierta</h1>" not in page, key


def test_listing_cards_show_the_first_picture_sized_lazy_and_decorative() -> None:
    pictured = replace(
        entry("con-foto", "2024-06-01", {"es": "original"}),
        images=("/assets/fotos/huerto%20primavera.jpg", "/assets/fotos/b.png"),
        image_sizes={"/assets/fotos/huerto%20primavera.jpg": (800, 600)},
    )
    unsized = replace(
        entry("sin-medidas", "2024-05-31", {"es": "original"}), images=("/assets/fotos/c.png",)
    )
    bare = entry("sin-foto", "2024-05-30", {"es": "original"})
    page = parse(build_listings(SITE, [pictured, unsized, bare])["es/index.html"].body)
    cards = page.all("img", **{"class": "card-image"})
    assert [img["src"] for img in cards] == [
        "/assets/fotos/huerto%20primavera.jpg",
        "/assets/fotos/c.png",
    ]
    first, second = cards
    # Sized from the catalog, so the grid never jumps while pictures load.
    assert (first["width"], first["height"]) == ("800", "600")
    assert "width" not in second
    assert all(img["loading"] == "lazy" and img["decoding"] == "async" for img in cards)
    # Front matter pictures have no description; the card's title beside them names the
    # post, so they are decorative rather than "image 1" read out again.
    assert all(img["alt"] == "" for img in cards)
    # A post without a picture keeps the card's shape: a panel, with the school's logo
    # when it has one.
    assert page.has_class("card-image-none")
    assert len(page.all("article", **{"class": "card"})) == 3
    assert not page.all("img", **{"class": "card-logo"})
    school = replace(SITE, logo="/assets/logo.png", logo_size=ImageSize(64, 32))
    logo = parse(build_listings(school, [bare])["es/index.html"].body).one(
        "img", **{"class": "card-logo"}
    )
    assert (logo["src"], logo["alt"], logo["width"], logo["loading"]) == (
        "/assets/logo.png",
        "",
        "64",
        "lazy",
    )


def test_a_picture_placed_in_the_body_is_not_shown_again_in_the_gallery() -> None:
    body = '<p>Texto</p><p><img src="/assets/images/uploads/izquierda_ES.png" alt="El cartel"></p>'
    page = parse(render_post_page(SITE, BILINGUAL, "es", body))
    assert [img["src"] for img in page.all("img")] == [
        "/assets/images/uploads/izquierda_ES.png",  # where the teacher placed it
        "/uploads/b.jpg",  # the gallery: only what the body does not show
    ]
    assert page.all("img", src="/uploads/b.jpg")[0]["alt"] == "bilingue (es), imagen 1"
    # A shared link still shows the post's first picture.
    assert page.meta("og:image") == f"{BASE}/assets/images/uploads/izquierda_ES.png"
    # Written differently in the body (percent-encoded) it is still the same picture.
    spaced = replace(BILINGUAL, images=("/assets/fotos/mi foto.jpg",))
    html = render_post_page(SITE, spaced, "es", '<p><img src="/assets/fotos/mi%20foto.jpg"></p>')
    assert len(parse(html).all("img")) == 1
    assert 'class="gallery"' not in html


def test_project_and_author_names_from_the_site_config_are_used_everywhere() -> None:
    site = replace(
        SITE,
        projects={"proyecto-2": {"en": "Coding club"}},
        authors={"ies-abastos": {"en": "Our school", "es": "Nuestro instituto"}},
    )
    out = build_listings(site, ENTRIES)
    en_home = parse(out["en/index.html"].body)
    assert en_home.all("a", href="/en/projects/proyecto-2/")
    assert "Coding club" in en_home.text
    assert "Proyecto 2" not in en_home.text
    assert "Our school" in en_home.text
    project = parse(out["en/projects/proyecto-2/index.html"].body)
    assert [text for text in project.text if "Coding club" in text]
    assert project.one("meta", name="description")["content"] == (
        "Posts from the project Coding club"
    )
    month = parse(out["en/projects/proyecto-2/2024/05/index.html"].body)
    assert "Project: Coding club" in month.text
    author = parse(out["es/authors/ies-abastos/index.html"].body)
    assert "Nuestro instituto" in author.text
    # A language the config does not name keeps the name as written.
    assert "Proyecto 2" in parse(out["es/projects/proyecto-2/index.html"].body).text
    feed = xml(out["en/feed.xml"].body)
    entry_authors = {
        name.text for item in feed.iter(f"{ATOM}entry") for name in item.iter(f"{ATOM}name")
    }
    assert entry_authors == {"Our school", "<b>Mallory</b>"}
    post = render_post_page(site, BILINGUAL, "en", "<p>x</p>")
    assert '<span class="author">By <a href="/en/authors/ies-abastos/">Our school</a>' in post
    start = post.index('<nav class="breadcrumbs"')
    crumbs = parse(post[start : post.index("</nav>", start)])
    assert crumbs.text.count("Coding club") == 1
    assert 'Project: <a href="/en/projects/proyecto-2/">Coding club</a>' in post


def test_project_pages_list_only_their_posts_in_each_language(
    html_pages: dict[str, Page],
) -> None:
    es_two = html_pages["es/projects/proyecto-2/index.html"]
    assert listed_slugs(es_two, "es") == ["bilingue", "traducida"]
    assert "Proyecto 2" in es_two.text
    assert "Proyecto" in es_two.text  # the "Project" kicker, in Spanish
    en_one = html_pages["en/projects/proyecto-1/index.html"]
    # solo-espanol is in proyecto-1 but has no English version.
    assert listed_slugs(en_one, "en") == ["antigua"]
    assert en_one.alternates["es"] == f"{BASE}/es/projects/proyecto-1/"
    erasmus = html_pages["en/projects/proyecto-erasmus/index.html"]
    assert "Proyecto Erasmus+" in erasmus.text
    assert "Project" in erasmus.text


def test_author_pages_list_each_authors_posts_newest_first(
    html_pages: dict[str, Page],
) -> None:
    ies = html_pages["es/authors/ies-abastos/index.html"]
    es_posts = [slug for slug in ES_ORDER if slug != "hostil"]
    assert listed_slugs(ies, "es") == es_posts[: SITE.page_size]
    es_months = [
        html_pages[f"es/authors/ies-abastos/{month}/index.html"] for month in ("2024/05", "2023/01")
    ]
    assert [slug for page in es_months for slug in listed_slugs(page, "es")] == es_posts
    assert "Autoría" in ies.text
    assert "IES Abastos" in ies.text
    assert ies.alternates["en"] == f"{BASE}/en/authors/ies-abastos/"
    assert ies.one("meta", name="description")["content"] == "Entradas de IES Abastos"
    english = html_pages["en/authors/ies-abastos/index.html"]
    en_posts = [slug for slug in EN_ORDER if slug != "hostil"]
    assert listed_slugs(english, "en") == en_posts[: SITE.page_size]
    en_months = [
        html_pages[f"en/authors/ies-abastos/{month}/index.html"] for month in ("2024/05", "2023/01")
    ]
    assert [slug for page in en_months for slug in listed_slugs(page, "en")] == en_posts
    assert english.one("meta", name="description")["content"] == "Posts by IES Abastos"
    # On an author's own page the author is not linked again from every post.
    assert not english.all("a", href="/en/authors/ies-abastos/")
    home = html_pages["en/index.html"]
    assert home.all("a", href="/en/authors/ies-abastos/")


def test_author_names_become_plain_url_segments() -> None:
    assert urls.author_url("es", "Lucía Pérez") == "/es/authors/lucia-perez/"
    assert urls.author_url("en", "  IES  Abastos ") == "/en/authors/ies-abastos/"
    assert urls.author_url("en", "???") == "/en/authors/author/"


def test_project_with_posts_in_one_language_has_one_page() -> None:
    out = build_listings(SITE, [ONLY_ES])
    assert "es/projects/proyecto-1/index.html" in out
    assert "en/projects/proyecto-1/index.html" not in out


def test_project_titles_are_readable() -> None:
    assert project_title("proyecto-2") == "Proyecto 2"
    assert project_title("huerto_escolar") == "Huerto escolar"
    assert project_title("Proyecto Erasmus+") == "Proyecto Erasmus+"


def test_empty_catalog_still_has_homes_feeds_and_sitemap() -> None:
    out = build_listings(SITE, [])
    home = parse(out["es/index.html"].body)
    assert "Todavía no hay entradas." in home.text
    assert pagination(home) == ([], [])
    assert not [
        key
        for key in out
        if any(part in key for part in ("/page/", "/archive/", "/projects/", "/authors/"))
    ]
    assert [key for key in out if key.startswith("sitemaps/")] == ["sitemaps/pages.xml"]
    feed = xml(out["en/feed.xml"].body)
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
    sitemaps = read_sitemaps(lambda key: out[key].body if key in out else None, BASE)
    assert list(sitemaps.shards) == ["sitemaps/pages.xml"]
    assert list(sitemaps.urls) == [f"{BASE}/es/", f"{BASE}/en/"]


# ---------------------------------------------------------------- feeds and sitemap


def test_atom_feeds_parse_and_list_each_languages_posts(listings: dict[str, Rendered]) -> None:
    for lang, order in (("es", ES_ORDER), ("en", EN_ORDER)):
        feed = xml(listings[f"{lang}/feed.xml"].body)
        assert feed.tag == f"{ATOM}feed"
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        self_link = feed.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None
        assert self_link.get("href") == f"{BASE}/{lang}/feed.xml"
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}id") for e in entries] == [
            f"{BASE}/{lang}/posts/{slug}/" for slug in order
        ]
        for item in entries:
            assert item.findtext(f"{ATOM}updated", "").endswith("Z")
            assert item.findtext(f"{ATOM}title")
        assert feed.findtext(f"{ATOM}updated") == "2024-05-22T12:00:00Z"


def test_feeds_are_bounded() -> None:
    many = [entry(f"post-{n:02d}", f"2024-03-{n:02d}", {"es": "original"}) for n in range(1, 29)]
    feed = xml(build_listings(SITE, many)["es/feed.xml"].body)
    ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
    assert len(ids) == FEED_SIZE
    assert ids[0] == f"{BASE}/es/posts/post-28/"


def test_sitemap_is_an_index_of_the_homes_and_one_sitemap_per_month(
    listings: dict[str, Rendered],
) -> None:
    index = xml(listings["sitemap.xml"].body)
    assert index.tag == f"{SM}sitemapindex"
    # The homes first, then the months newest first.
    assert [node.findtext(f"{SM}loc") for node in index] == [
        f"{BASE}/sitemaps/pages.xml",
        f"{BASE}/sitemaps/2024-05.xml",
        f"{BASE}/sitemaps/2023-01.xml",
    ]
    sitemaps = read_sitemaps(lambda key: listings[key].body if key in listings else None, BASE)
    assert all(xml(body).tag == f"{SM}urlset" for body in sitemaps.shards.values())
    found = {loc: url.alternates for loc, url in sitemaps.urls.items()}
    # Every version of every post, and the homes: project, author and archive pages are
    # found through links.
    versions = sum(len(item.versions) for item in ENTRIES)
    assert len(found) == versions + 2
    assert not [loc for loc in found if "/projects/" in loc or "/authors/" in loc]
    for loc, alternates in found.items():
        # Every listed URL names itself among its alternates, and so do its alternates.
        assert loc in alternates.values()
        for lang, href in alternates.items():
            if lang != "x-default":
                assert found[href] == alternates
    assert found[f"{BASE}/en/posts/bilingue/"]["x-default"] == f"{BASE}/es/posts/bilingue/"
    assert found[f"{BASE}/en/posts/only-english/"] == {
        "en": f"{BASE}/en/posts/only-english/",
        "x-default": f"{BASE}/en/posts/only-english/",
    }
    assert found[f"{BASE}/es/"]["en"] == f"{BASE}/en/"
    # Each post is in the sitemap of the month it is dated in, with its update time.
    for item in ENTRIES:
        for lang in item.versions:
            url = sitemaps.urls[f"{BASE}/{lang}/posts/{item.slug}/"]
            assert url.sitemap == f"sitemaps/{(item.date or '')[:7]}.xml", item.slug
            assert url.lastmod == item.updated
    homes = [url for url in sitemaps.urls.values() if url.sitemap == "sitemaps/pages.xml"]
    assert [(url.loc, url.lastmod) for url in homes] == [
        (f"{BASE}/es/", None),
        (f"{BASE}/en/", None),
    ]


# ---------------------------------------------------------------- fixed objects


def test_root_404_speaks_every_language_with_root_relative_links(
    listings: dict[str, Rendered],
) -> None:
    # CloudFront answers every missing path with /404.html, whatever its language.
    page = parse(listings["404.html"].body)
    assert page.lang == SITE.default_language
    assert page.one("meta", name="robots")["content"] == "noindex"
    sections = page.all("section")
    assert [section["lang"] for section in sections] == ["es", "en"]
    assert "Página no encontrada" in page.text
    assert "Page not found" in page.text
    homes = [(a["hreflang"], a["href"]) for a in page.all("a") if a.get("hreflang")]
    assert ("es", "/es/") in homes
    assert ("en", "/en/") in homes
    hrefs = [a["href"] for a in page.all("a")]
    assert all(href.startswith(("/", "#")) for href in hrefs)
    for key, title in (("es/404.html", "Página no encontrada"), ("en/404.html", "Page not found")):
        own = parse(listings[key].body)
        assert title in own.text
        assert len(own.all("section")) == 1


def test_robots_names_the_sitemap(listings: dict[str, Rendered]) -> None:
    assert f"Sitemap: {BASE}/sitemap.xml" in listings["robots.txt"].body.decode().splitlines()


def test_stylesheet_is_the_packaged_css(listings: dict[str, Rendered]) -> None:
    css = listings["static/site.css"].body.decode()
    for needle in ("prefers-color-scheme: dark", "@media print", ":focus-visible", "--measure"):
        assert needle in css
    # No school colours configured: exactly the packaged file.
    assert listings["static/site.css"].body == static_file("site.css")


def test_school_colours_are_appended_as_css_variables() -> None:
    site = replace(SITE, colors={"primary": "#123456", "accent": "#8a2be2"})
    css = build_listings(site, [])["static/site.css"].body.decode()
    assert css.startswith(static_file("site.css").decode())
    assert css.endswith(":root {\n  --primary: #123456;\n  --accent: #8a2be2;\n}\n")
    home = parse(build_listings(site, [])["es/index.html"].body)
    assert home.one("meta", name="theme-color")["content"] == "#123456"


def test_listing_ownership_covers_what_build_listings_writes_and_nothing_else(
    listings: dict[str, Rendered], posts: dict[str, bytes]
) -> None:
    assert urls.listing_prefixes(SITE) == (
        "es/page/", "es/archive/", "es/projects/", "es/authors/",
        "en/page/", "en/archive/", "en/projects/", "en/authors/",
        "sitemaps/",
    )  # fmt: skip
    assert all(owned_listing_key(SITE, key) for key in listings)
    stale = [
        "es/page/9/index.html",
        "en/projects/gone/index.html",
        "es/archive/2020/01/index.html",
        "en/authors/gone/2020/01/index.html",
        "sitemaps/2020-01.xml",
    ]
    assert all(owned_listing_key(SITE, key) for key in stale)
    assert not [key for key in posts if owned_listing_key(SITE, key)]
    assert not owned_listing_key(SITE, "assets/images/uploads/a.png")
    assert not owned_listing_key(SITE, "static/other.js")


# ---------------------------------------------------------------- configuration, i18n


def test_site_config_from_settings() -> None:
    site = SiteConfig.from_settings(
        Settings(site_url="https://x.example/", languages=("en", "es"), page_size=5)
    )
    assert (site.base_url, site.languages, site.default_language, site.page_size) == (
        "https://x.example",
        ("en", "es"),
        "en",
        5,
    )
    with pytest.raises(ValueError, match="page_size"):
        SiteConfig("n", BASE, ("es",), "es", 0)
    with pytest.raises(ValueError, match="default language"):
        SiteConfig("n", BASE, ("es",), "en", 10)


def test_every_supported_language_has_every_interface_string() -> None:
    for lang in known_languages():
        assert set(language(lang).ui) == set(UI_KEYS), lang
        # The machine-translation note can name every language a post may come from.
        assert set(language(lang).from_language) == set(known_languages()), lang


@pytest.mark.parametrize(
    ("lang", "day", "text"),
    [
        ("es", date(2024, 5, 22), "22 de mayo de 2024"),
        ("en", date(2024, 5, 22), "22 May 2024"),
        ("ca", date(2024, 5, 22), "22 de maig de 2024"),
        ("ca", date(2024, 4, 3), "3 d'abril de 2024"),
        ("ca", date(2024, 10, 1), "1 d'octubre de 2024"),
    ],
)
def test_dates_are_written_the_way_each_language_writes_them(
    lang: str, day: date, text: str
) -> None:
    assert format_date(day, lang) == text


@pytest.mark.parametrize(
    ("lang", "period", "text"),
    [
        ("es", "2024-05", "mayo de 2024"),
        ("en", "2024-05", "May 2024"),
        ("ca", "2024-05", "maig de 2024"),
        ("ca", "2024-04", "d'abril de 2024"),
        ("en", "2023-12", "December 2023"),
    ],
)
def test_archive_months_are_written_the_way_each_language_writes_them(
    lang: str, period: str, text: str
) -> None:
    assert format_month(period, lang) == text


def test_archive_urls_name_a_month_of_a_collection() -> None:
    assert urls.archive_url("home", "en", "", "2024-05") == "/en/archive/2024/05/"
    assert urls.archive_url("project", "es", "proyecto-2", "2024-05") == (
        "/es/projects/proyecto-2/2024/05/"
    )
    assert urls.archive_url("author", "es", "lucia-perez", "2023-12") == (
        "/es/authors/lucia-perez/2023/12/"
    )
    assert urls.sitemap_shard_url("2024-05") == "/sitemaps/2024-05.xml"
    for bad in ("2024-5", "2024", "24-05", "2024-05/../x", ""):
        with pytest.raises(ValueError, match="not a month"):
            urls.archive_url("home", "en", "", bad)
    with pytest.raises(ValueError, match="not a listing collection"):
        urls.collection_url("tag", "en", "x")


def test_catalan_site_speaks_catalan() -> None:
    site = SiteConfig.from_settings(Settings(site_url=BASE, languages=("ca", "es")))
    item = entry("hola", "2024-04-03", {"es": "original", "ca": "machine"})
    page = parse(render_post_page(site, item, "ca", "<p>Hola</p>"))
    assert page.lang == "ca"
    assert "Traducció automàtica del castellà." in "".join(page.text)
    assert "3 d'abril de 2024" in page.text
    assert [a["href"] for a in page.switcher] == ["/es/posts/hola/"]
    assert "Leer en español" in page.text
    assert page.meta("og:locale") == "ca_ES"
