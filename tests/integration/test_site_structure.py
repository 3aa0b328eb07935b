"""The whole built site, file by file: hreflang symmetry, links that resolve, valid XML."""

from __future__ import annotations

import shutil
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

from polypub.local.build import run_build
from polypub.settings import Settings
from sitemaps import Sitemaps, read_sitemaps

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "schemas"
BASE = "https://blog.example.org"
ATOM_NS = "http://www.w3.org/2005/Atom"

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None, reason="needs apertium: run scripts/install-system-deps"
)

SITE_YML = """\
name: IES Abastos
tagline:
  es: Proyectos europeos del instituto
  en: Our school's European projects
logo: /assets/images/uploads/logo.png
colors:
  primary: "#7a1f3d"
  accent: "#0f766e"
"""

# Published in Spanish only: its pages have no English alternate.
ONLY_SPANISH = """\
---
title: Reunión de familias
authors: [Lucía Pérez, Marc Vidal]
description: La reunión de familias del proyecto será el jueves.
date: 2024-12-02
project: proyecto-erasmus
translate: false
---
Os esperamos el **jueves** a las 17:00 en la biblioteca.

| Grupo | Hora |
|:------|-----:|
| 1.º A | 17:00 |
"""


def png(width: int, height: int) -> bytes:
    """A real (tiny, one-colour) PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x7a\x1f\x3d" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class Page:
    key: str
    lang: str = ""
    canonical: str = ""
    alternates: dict[str, str] = field(default_factory=dict)
    # (tag, attribute, value) of every reference to another file or fragment.
    references: list[tuple[str, str, str]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    images: list[dict[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        page = self.page
        if "id" in values:
            page.ids.add(values["id"])
        if tag == "html":
            page.lang = values.get("lang", "")
        if tag == "link" and values.get("rel") == "canonical":
            page.canonical = values["href"]
        if tag == "link" and values.get("rel") == "alternate" and "hreflang" in values:
            assert values["hreflang"] not in page.alternates, (page.key, values)
            page.alternates[values["hreflang"]] = values["href"]
        if tag == "meta" and ("property" in values or "name" in values):
            page.meta[values.get("property") or values["name"]] = values.get("content", "")
        if tag == "img":
            page.images.append(values)
        for attr in ("href", "src"):
            if attr in values:
                page.references.append((tag, attr, values[attr]))

    handle_startendtag = handle_starttag


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`polypub build` of the seed content, with a site config, a logo and one more post."""
    work = tmp_path_factory.mktemp("structure")
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "config").mkdir(exist_ok=True)
    (content / "config" / "site.yml").write_text(SITE_YML, encoding="utf-8")
    (content / "assets" / "images" / "uploads" / "logo.png").write_bytes(png(96, 48))
    (content / "posts" / "reunion-familias.md").write_text(ONLY_SPANISH, encoding="utf-8")
    out = work / "site"
    summary = run_build(
        Settings(site_url=BASE, translators=("apertium",)), content, out, work / "state"
    )
    assert summary.ok, summary.failures
    return out


@pytest.fixture(scope="module")
def files(site: Path) -> set[str]:
    return {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def pages(site: Path, files: set[str]) -> dict[str, Page]:
    parsed = {}
    for key in sorted(files):
        if key.endswith(".html"):
            page = Page(key)
            parser = _Parser(page)
            parser.feed((site / key).read_text(encoding="utf-8"))
            parser.close()
            parsed[key] = page
    return parsed


def resolve(files: set[str], url: str) -> str | None:
    """The file a site URL (absolute or root-relative) is served from, as CloudFront does."""
    parts = urlsplit(url)
    if parts.scheme and f"{parts.scheme}://{parts.netloc}" != BASE:
        return None  # another site: not ours to check
    path = unquote(parts.path)
    key = (path + "index.html" if path.endswith("/") else path).lstrip("/")
    return key if key in files else ""


def xml(site: Path, key: str) -> etree._ElementTree:
    # Our own build output, parsed without network access or entity expansion.
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.parse(str(site / key), parser)


# ---------------------------------------------------------------- every page


def test_the_site_has_every_kind_of_page(files: set[str]) -> None:
    expected = {
        "es/index.html", "en/index.html", "es/feed.xml", "en/feed.xml", "sitemap.xml",
        "robots.txt", "404.html", "es/404.html", "en/404.html",
        "es/posts/reunion-familias/index.html",
        "es/posts/erasmus-etwinning-experience/index.html",
        "en/posts/erasmus-etwinning-experience/index.html",
        "es/projects/proyecto-2/index.html", "en/projects/proyecto-2/index.html",
        "es/projects/proyecto-erasmus/index.html",
        "es/authors/ies-abastos/index.html", "en/authors/ies-abastos/index.html",
        "es/authors/lucia-perez/index.html",
        "static/site.css", "static/lang.js", "static/favicon.svg",
        # One archive page per month with posts, per collection and language.
        "es/archive/2024/12/index.html", "es/archive/2024/11/index.html",
        "es/archive/2024/10/index.html", "es/archive/2024/05/index.html",
        "en/archive/2024/11/index.html", "en/archive/2024/10/index.html",
        "en/archive/2024/05/index.html",
        "es/projects/proyecto-2/2024/11/index.html", "en/projects/proyecto-2/2024/05/index.html",
        "es/projects/proyecto-erasmus/2024/12/index.html",
        "es/authors/lucia-perez/2024/12/index.html",
        # The sitemap index, the homes' sitemap and one sitemap per month of posts.
        "sitemaps/pages.xml", "sitemaps/2024-12.xml", "sitemaps/2024-11.xml",
        "sitemaps/2024-10.xml", "sitemaps/2024-05.xml",
    }  # fmt: skip
    assert expected <= files
    assert "en/posts/reunion-familias/index.html" not in files
    assert "en/authors/lucia-perez/index.html" not in files
    assert "es/authors/marc-vidal/index.html" not in files  # co-authors have no page
    assert "en/archive/2024/12/index.html" not in files  # December's only post is Spanish
    assert "en/projects/proyecto-erasmus/2024/12/index.html" not in files
    assert not [key for key in files if "/page/" in key]


def test_every_hreflang_set_is_symmetric(pages: dict[str, Page], files: set[str]) -> None:
    checked = 0
    for key, page in pages.items():
        assert page.lang, key
        assert page.alternates.get(page.lang) == page.canonical, key
        assert "x-default" in page.alternates, key
        for lang, href in page.alternates.items():
            target = resolve(files, href)
            assert target, (key, lang, href)
            other = pages[target]
            assert other.alternates == page.alternates, (key, target)
            if lang != "x-default":
                assert other.lang == lang, (key, target)
                assert other.canonical == href, (key, target)
            checked += 1
    assert checked > 50


def test_every_link_and_asset_resolves_to_a_file(pages: dict[str, Page], files: set[str]) -> None:
    checked = 0
    for key, page in pages.items():
        for tag, attr, value in page.references:
            if value.startswith("#"):
                assert value[1:] in page.ids, (key, tag, value)
                continue
            if value.startswith(("mailto:", "tel:")):
                continue
            target = resolve(files, value)
            if target is None:
                assert tag == "a", (key, tag, attr, value)  # only links may leave the site
                continue
            assert target, (key, tag, attr, value)
            checked += 1
    assert checked > 300


def test_every_image_has_alt_text_and_gallery_and_logo_their_real_size(
    pages: dict[str, Page],
) -> None:
    seen = 0
    for key, page in pages.items():
        for image in page.images:
            assert "alt" in image, (key, image)
            # Pictures in the Markdown text are sized by the stylesheet; the gallery (the
            # front matter's images) and the logo carry the size read from the file.
            if image.get("loading") == "lazy" or image.get("class") == "logo":
                assert image.get("width", "").isdigit(), (key, image)
                assert image.get("height", "").isdigit(), (key, image)
                seen += 1
    post = pages["en/posts/erasmus-etwinning-experience/index.html"]
    gallery = [i for i in post.images if i["src"].startswith("/assets/images/uploads/i")]
    assert [(i["src"], i["width"], i["height"]) for i in gallery] == [
        ("/assets/images/uploads/izquierda_ES.png", "1200", "630"),
        ("/assets/images/uploads/images.png", "600", "315"),
    ]
    assert seen > 20


def test_every_page_is_shareable(pages: dict[str, Page]) -> None:
    for key, page in pages.items():
        for name in ("og:title", "og:description", "og:url", "og:locale", "twitter:card"):
            assert page.meta.get(name), (key, name)
        assert page.meta["og:url"] == page.canonical, key
        # The school's logo stands in for pages without a picture of their own.
        assert page.meta["og:image"].startswith(BASE + "/assets/"), key
    post = pages["es/posts/huerto-escolar-europeo/index.html"]
    image = "/assets/images/uploads/erasmusdays_logo_2021_sin_fechas.jpg"
    assert post.meta["og:image"] == BASE + image
    assert post.meta["twitter:card"] == "summary_large_image"


def test_the_site_config_is_applied_everywhere(site: Path, pages: dict[str, Page]) -> None:
    home = (site / "es" / "index.html").read_text(encoding="utf-8")
    assert "<title>IES Abastos</title>" in home
    assert '<p class="tagline">Proyectos europeos del instituto</p>' in home
    assert (
        '<img class="logo" src="/assets/images/uploads/logo.png" alt="" width="96" height="48">'
        in home
    )
    assert "Our school&#39;s European projects" in (site / "en" / "index.html").read_text()
    css = (site / "static" / "site.css").read_text(encoding="utf-8")
    assert css.endswith(":root {\n  --primary: #7a1f3d;\n  --accent: #0f766e;\n}\n")
    assert all(page.meta.get("og:site_name") == "IES Abastos" for page in pages.values())


# ---------------------------------------------------------------- sitemap and feeds


def read_sitemaps_of(site: Path) -> Sitemaps:
    return read_sitemaps(
        lambda key: (site / key).read_bytes() if (site / key).is_file() else None, BASE
    )


def test_sitemap_index_and_every_sitemap_validate_against_their_schemas(site: Path) -> None:
    index = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemapindex.xsd")))
    assert index.validate(xml(site, "sitemap.xml")), index.error_log
    sitemap = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))
    shards = read_sitemaps_of(site).shards
    assert list(shards) == [
        "sitemaps/pages.xml",
        "sitemaps/2024-12.xml",
        "sitemaps/2024-11.xml",
        "sitemaps/2024-10.xml",
        "sitemaps/2024-05.xml",
    ]
    for key in shards:
        assert sitemap.validate(xml(site, key)), (key, sitemap.error_log)
    # Every sitemap the site holds is listed in the index.
    assert sorted(
        path.relative_to(site).as_posix() for path in (site / "sitemaps").iterdir()
    ) == sorted(shards)


def test_sitemap_lists_every_home_and_post_with_symmetric_alternates(
    site: Path, files: set[str], pages: dict[str, Page]
) -> None:
    sitemaps = read_sitemaps_of(site)
    found = {loc: url.alternates for loc, url in sitemaps.urls.items()}
    for loc, alternates in found.items():
        target = resolve(files, loc)
        assert target, loc
        # The sitemap and the page itself say the same about the page's versions.
        assert pages[target].alternates == alternates, loc
        for lang, href in alternates.items():
            assert found[href] == alternates, (loc, lang)
    # Project, author and archive pages are found through the links from these.
    indexable = {
        key for key in pages if key in ("es/index.html", "en/index.html") or "/posts/" in key
    }
    assert {resolve(files, loc) for loc in found} == indexable
    # Each post is in the sitemap of the month it is dated in.
    assert sitemaps.urls[f"{BASE}/es/posts/reunion-familias/"].sitemap == "sitemaps/2024-12.xml"
    assert sitemaps.urls[f"{BASE}/en/posts/erasmus-etwinning-experience/"].sitemap == (
        "sitemaps/2024-05.xml"
    )
    assert all(url.lastmod for url in sitemaps.urls.values() if "/posts/" in url.loc)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_feeds_validate_against_the_atom_grammar(site: Path, files: set[str], lang: str) -> None:
    grammar = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
    document = xml(site, f"{lang}/feed.xml")
    assert grammar.validate(document), grammar.error_log
    feed = document.getroot()
    ns = {"a": ATOM_NS}
    entries = feed.findall("a:entry", ns)
    assert entries
    # RFC 4287 4.1.1: a feed without an author needs one on every entry.
    assert feed.find("a:author", ns) is not None or all(
        entry.find("a:author", ns) is not None for entry in entries
    )
    ids = [entry.findtext("a:id", namespaces=ns) for entry in entries]
    assert len(ids) == len(set(ids))
    for entry in [feed, *entries]:
        # RFC 4287 4.1.1/4.1.2: at most one alternate link per type and language.
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in entry.findall("a:link", ns)
            if link.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == len(set(alternates))
        for link in entry.findall("a:link", ns):
            assert resolve(files, str(link.get("href"))), link.get("href")
    only_spanish = f"{BASE}/es/posts/reunion-familias/"
    assert (only_spanish in ids) == (lang == "es")


def test_the_schemas_reject_what_they_should() -> None:
    # A schema that accepts anything would make the two tests above pointless.
    sitemap = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))
    grammar = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
    bad_sitemaps = [
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>',
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/es/</loc>'
        b"</url></urlset>",
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:x="http://www.w3.org/1999/xhtml"><url><loc>https://a.example/</loc>'
        b'<x:link rel="alternate" hreflang="english" href="https://a.example/en/"/>'
        b"</url></urlset>",
    ]
    for data in bad_sitemaps:
        assert not sitemap.validate(etree.fromstring(data)), data
    index = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemapindex.xsd")))
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    good_index = (
        f"<sitemapindex {ns}><sitemap><loc>https://a.example/s.xml</loc>"
        "<lastmod>2024-05-22T10:00:00Z</lastmod></sitemap></sitemapindex>"
    )
    assert index.validate(etree.fromstring(good_index.encode()))
    bad_indexes = [
        f"<sitemapindex {ns}/>",
        f"<sitemapindex {ns}><sitemap><loc>/s.xml</loc></sitemap></sitemapindex>",
        f"<sitemapindex {ns}><sitemap><lastmod>2024-05-22</lastmod></sitemap></sitemapindex>",
        f"<sitemapindex {ns}><sitemap><loc>https://a.example/s.xml</loc>"
        "<lastmod>22/05/2024</lastmod></sitemap></sitemapindex>",
        f"<sitemapindex {ns}><url><loc>https://a.example/</loc></url></sitemapindex>",
        f"<sitemapindex {ns}><sitemap><loc>https://a.example/s.xml</loc></sitemap>"
        "<sitemap><loc>https://a.example/s.xml</loc></sitemap></sitemapindex>",
        # A urlset is not an index, nor the other way round.
        f"<urlset {ns}><url><loc>https://a.example/</loc></url></urlset>",
    ]
    for text in bad_indexes:
        assert not index.validate(etree.fromstring(text.encode())), text
    assert not sitemap.validate(etree.fromstring(good_index.encode()))
    bad_feeds = [
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>x</title>'
        b"<updated>2024-01-01</updated></feed>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>x</title>'
        b"<updated>2024-01-01T00:00:00Z</updated><entry><title>y</title></entry></feed>",
    ]
    for data in bad_feeds:
        assert not grammar.validate(etree.fromstring(data)), data


def _walk(site: Path) -> Iterator[Path]:
    yield from (path for path in site.rglob("*") if path.is_file())


def test_no_page_needs_inline_script_or_style(site: Path) -> None:
    # The Content-Security-Policy allows scripts and styles from the site's files only.
    for path in _walk(site):
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8").lower()
            assert "<style" not in text, path
            assert " style=" not in text, path
            assert text.count("<script") == text.count('<script src="/static/lang.js"'), path
