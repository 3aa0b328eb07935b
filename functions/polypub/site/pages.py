"""Catalog entries -> the site's pages: one post page, and every listing, feed and sitemap."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from typing import Any
from urllib.parse import unquote

from markupsafe import Markup

from polypub.model import PostEntry
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.i18n import format_date, format_month, machine_note, og_locale, ui
from polypub.site.images import ImageSize
from polypub.site.listings import (
    ALL,
    Archive,
    Feed,
    Front,
    ListingIndex,
    ListingSource,
    Unit,
    all_units,
    collection,
    parse_collection,
    period_of,
    sitemap_periods,
    sort_key,
    with_lang,
)
from polypub.site.listings import timestamp as _timestamp
from polypub.site.render import render

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
CSS_CONTENT_TYPE = "text/css; charset=utf-8"
JS_CONTENT_TYPE = "text/javascript; charset=utf-8"
SVG_CONTENT_TYPE = "image/svg+xml"

# Feed readers only look at recent entries; a bounded feed keeps every rebuild small.
FEED_SIZE = 20
# Output never depends on the clock (same catalog -> same bytes, so the caller can skip
# unchanged objects); this stands in when no entry carries a usable timestamp.
EPOCH = "1970-01-01T00:00:00Z"


@dataclass(frozen=True)
class Rendered:
    """One object for the site bucket."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class Link:
    """A link to a language version of a page (hreflang alternates and the switcher)."""

    href: str
    hreflang: str
    label: str = ""
    # False when the page does not exist in that language and the link leads to its home.
    same_page: bool = True


@dataclass(frozen=True)
class Social:
    """Open Graph and Twitter card values: what a shared link shows."""

    type: str  # "article" for posts, "website" for everything else
    image: str | None = None  # absolute URL
    image_alt: str | None = None
    image_size: ImageSize | None = None


@dataclass(frozen=True)
class Head:
    """What base.html needs to know about a page."""

    lang: str
    title: str  # for <title>: the page's own title, then the site's name
    description: str
    canonical: str
    alternates: tuple[Link, ...]
    # The same page in the site's other languages, only those it exists in.
    switcher: tuple[Link, ...]
    social: Social
    noindex: bool = False
    # The page's own title (what a shared link shows, beside og:site_name).
    heading: str = ""

    @property
    def locale(self) -> str:
        return og_locale(self.lang)

    @property
    def locale_alternates(self) -> tuple[str, ...]:
        return tuple(
            og_locale(link.hreflang)
            for link in self.alternates
            if link.hreflang not in ("x-default", self.lang)
        )


@dataclass(frozen=True)
class Image:
    src: str
    alt: str  # "" marks a decorative picture: the text beside it says it all
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Summary:
    """One post in a listing: a card with its first picture."""

    title: str
    href: str
    description: str | None
    date_iso: str | None
    date_text: str | None
    author: Link | None
    project: Link | None
    image: Image | None = None


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: str | None
    alternates: tuple[Link, ...]


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    href: str
    updated: str
    published: str | None
    summary: str | None
    author: str | None
    co_authors: tuple[str, ...] = ()


# ---------------------------------------------------------------- small pure helpers


def _day(value: str | None) -> date | None:
    """The calendar day a teacher wrote, ignoring time and zone (what readers expect)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _xml_text(value: str) -> str:
    """Drop characters XML 1.0 forbids (control characters), so a feed always parses."""
    return "".join(
        ch
        for ch in value
        if ch in "\t\n\r"
        or " " <= ch <= "\ud7ff"
        or "\ue000" <= ch <= "\ufffd"
        or ch >= "\U00010000"
    )


def _languages(site: SiteConfig, entry: PostEntry) -> tuple[str, ...]:
    """The site languages a post exists in, in site order."""
    return tuple(lang for lang in site.languages if lang in entry.versions)


def _x_default(site: SiteConfig, langs: Sequence[str], preferred: str | None = None) -> str:
    """The default language's version, else the preferred (source) one, else the first."""
    if site.default_language in langs:
        return site.default_language
    if preferred in langs:
        return str(preferred)
    return langs[0]


def _original_lang(entry: PostEntry) -> str:
    for lang, version in entry.versions.items():
        if version.kind == "original":
            return lang
    return entry.source_lang


def project_title(project: str) -> str:
    """A readable project name: `proyecto-2` -> `Proyecto 2`; a written name stays as is."""
    text = project.strip()
    if text == text.lower() and " " not in text:
        text = " ".join(text.replace("_", " ").replace("-", " ").split())
        return text[:1].upper() + text[1:] if text else urls.project_slug(project)
    return text


def project_name(site: SiteConfig, project: str, lang: str) -> str:
    """A project as readers of `lang` see it: its name in config/site.yml, else project_title."""
    names = site.projects.get(urls.project_slug(project), {})
    return names.get(lang) or project_title(project)


def author_name(site: SiteConfig, author: str, lang: str) -> str:
    """An author as readers of `lang` see it: config/site.yml's name, else as written."""
    names = site.authors.get(urls.author_slug(author), {})
    return names.get(lang) or author.strip()


def _alternates(
    site: SiteConfig, versions: Mapping[str, str], preferred: str | None
) -> tuple[Link, ...]:
    """hreflang links to every version plus x-default; equal for all versions of a page."""
    langs = [code for code in site.languages if code in versions]
    links = [Link(urls.absolute(site, versions[code]), code) for code in langs]
    x_default = _x_default(site, langs, preferred)
    return (*links, Link(urls.absolute(site, versions[x_default]), "x-default"))


def _full_title(site: SiteConfig, title: str) -> str:
    return title if title == site.name else f"{title} · {site.name}"


def _absolute_src(site: SiteConfig, src: str) -> str:
    return urls.absolute(site, src) if src.startswith("/") else src


def _site_social(site: SiteConfig, kind: str = "website") -> Social:
    """A page without a picture of its own shows the school's logo when it is shared."""
    if site.logo is None:
        return Social(kind)
    return Social(kind, _absolute_src(site, site.logo), site.name, site.logo_size)


def _head(
    site: SiteConfig,
    lang: str,
    title: str,
    description: str,
    versions: Mapping[str, str],
    *,
    preferred: str | None = None,
    noindex: bool = False,
    social: Social | None = None,
) -> Head:
    """Canonical, hreflang alternates and switcher for a page that exists at `versions`.

    `versions` maps each language the page exists in to its URL path; the switcher
    offers only those (the footer links every language's home for the others).
    """
    switcher = tuple(
        Link(versions[code], code, ui(code)["read_in"])
        for code in site.languages
        if code != lang and code in versions
    )
    return Head(
        lang=lang,
        title=_full_title(site, title),
        description=description,
        canonical=urls.absolute(site, versions[lang]),
        alternates=_alternates(site, versions, preferred),
        switcher=switcher,
        social=social or _site_social(site),
        noindex=noindex,
        heading=title,
    )


def _page(
    template: str, site: SiteConfig, head: Head, *, site_heading: bool = False, **context: Any
) -> str:
    """One HTML page; `site_heading` makes the header's site name the page's <h1> (homes).

    Elsewhere the page's own title is the <h1>, so the site name is never shown twice.
    """
    return render(
        template,
        theme=site.theme,
        strict=site.strict_theme,
        site=site,
        page=head,
        t=ui(head.lang),
        home=urls.home_url(head.lang),
        feed=urls.feed_url(head.lang),
        stylesheet=urls.STYLESHEET_URL,
        script=urls.SCRIPT_URL,
        favicon=site.logo or urls.FAVICON_URL,
        tagline=site.tagline.get(head.lang),
        site_heading=site_heading,
        # Every other language's home: a way there from pages that exist in one language.
        homes=[
            Link(urls.home_url(code), code, ui(code)["home_in"], same_page=False)
            for code in site.languages
            if code != head.lang
        ],
        **context,
    )


def _html(text: str) -> Rendered:
    return Rendered(text.encode("utf-8"), HTML_CONTENT_TYPE)


# ---------------------------------------------------------------- one post


def _author_link(site: SiteConfig, lang: str, author: str | None) -> Link | None:
    if not author:
        return None
    return Link(urls.author_url(lang, author), lang, author_name(site, author, lang))


def _project_link(site: SiteConfig, lang: str, project: str | None) -> Link | None:
    if not project:
        return None
    return Link(urls.project_url(lang, project), lang, project_name(site, project, lang))


class _BodyImages(HTMLParser):
    """The `src` of every <img> in a post body, decoded (`%20` and `&amp;` alike)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.found.update(unquote(value) for name, value in attrs if name == "src" and value)


def body_images(body_html: str) -> frozenset[str]:
    """The pictures a post body already shows, as decoded paths (compare with unquote)."""
    parser = _BodyImages()
    parser.feed(body_html)
    parser.close()
    return frozenset(parser.found)


def _gallery(
    entry: PostEntry,
    title: str,
    lang: str,
    sizes: Mapping[str, ImageSize],
    shown: frozenset[str] = frozenset(),
) -> list[Image]:
    """The front matter's images not already in the body, in order, numbered, sized.

    Teachers list a picture under `images:` (for listings and shared links) and also
    place it in the text; the page shows it once, where the teacher placed it.
    """
    images = []
    usable = [(image, urls.asset_src(image)) for image in entry.images]
    fresh = [(i, s) for i, s in usable if s and unquote(s) not in shown]
    for n, (image, src) in enumerate(fresh, start=1):
        size = sizes.get(image)
        images.append(
            Image(
                src,
                ui(lang)["image_alt"].format(title=title, n=n),
                size.width if size else None,
                size.height if size else None,
            )
        )
    return images


def card_image(entry: PostEntry) -> Image | None:
    """A post's first usable front matter picture for its card, sized from the catalog.

    Decorative (alt=""): front matter pictures carry no description of their own, and
    the card's title beside it names the post; a made-up "image 1" would only repeat it.
    """
    for image in entry.images:
        src = urls.asset_src(image)
        if src:
            size = entry.image_sizes.get(image)
            return Image(src, "", *size) if size else Image(src, "")
    return None


def render_post_page(
    site: SiteConfig,
    entry: PostEntry,
    lang: str,
    body_html: str,
    image_sizes: Mapping[str, ImageSize] | None = None,
) -> str:
    """The page of one language version of a post.

    `body_html` comes from polypub.content.markdown (raw HTML already refused there) and
    is inserted as is; every other value is escaped by the templates. The head lists the
    post's other versions, so when a version is added or removed the other language
    pages of the post must be rendered again. `image_sizes` (front matter path -> size,
    read from the image files by polypub.site.images) gives the gallery its width and
    height, so the page does not jump while pictures load.
    """
    if lang not in site.languages or lang not in entry.versions:
        raise ValueError(f"post {entry.slug!r} has no {lang!r} version on this site")
    t = ui(lang)
    version = entry.versions[lang]
    langs = _languages(site, entry)
    # Shared links show the first front matter picture even when the body shows it.
    everything = _gallery(entry, version.title, lang, image_sizes or {})
    images = _gallery(entry, version.title, lang, image_sizes or {}, body_images(body_html))
    first = everything[0] if everything else None
    social = (
        Social(
            "article",
            _absolute_src(site, first.src),
            first.alt,
            ImageSize(first.width, first.height) if first.width and first.height else None,
        )
        if first
        else _site_social(site, "article")
    )
    head = _head(
        site,
        lang,
        version.title,
        version.description or version.title,
        {code: urls.post_url(code, entry.slug) for code in langs},
        preferred=entry.source_lang,
        social=social,
    )
    original = _original_lang(entry)
    original_link = (
        Link(urls.post_url(original, entry.slug), original, t["read_original"])
        if original in langs and original != lang
        else None
    )
    day = _day(entry.date)
    # "Por {author}" around a link to the author's page, in each language's word order.
    by_before, _, by_after = t["by"].partition("{author}")
    return _page(
        "post.html",
        site,
        head,
        title=version.title,
        description=version.description,
        author=_author_link(site, lang, entry.author),
        # Shown after the author, by name only: the first author alone has a page.
        co_authors=tuple(author_name(site, name, lang) for name in entry.co_authors),
        by_before=by_before,
        by_after=by_after,
        date_iso=day.isoformat() if day else None,
        date_text=format_date(day, lang) if day else None,
        machine=machine_note(lang, original) if version.kind == "machine" else None,
        stale=t["stale_note"] if entry.is_stale(lang) else None,
        original=original_link,
        body=Markup(body_html),  # noqa: S704 -- trusted: produced by our Markdown renderer
        images=images,
        project=_project_link(site, lang, entry.project),
        crumbs=_crumbs(site, lang, "project" if entry.project else "home", entry.project or ""),
    )


# ---------------------------------------------------------------- listings


def _crumbs(site: SiteConfig, lang: str, kind: str, group: str) -> tuple[Link, ...]:
    """The way back up from a page: the home, then its project or author page."""
    home = Link(urls.home_url(lang), lang, ui(lang)["home"])
    if kind == "project":
        return (home, _project_link(site, lang, group) or home)
    if kind == "author":
        return (home, _author_link(site, lang, group) or home)
    return (home,)


def _summary(site: SiteConfig, entry: PostEntry, lang: str) -> Summary:
    version = entry.versions[lang]
    day = _day(entry.date)
    return Summary(
        title=version.title,
        href=urls.post_url(lang, entry.slug),
        description=version.description,
        date_iso=day.isoformat() if day else None,
        date_text=format_date(day, lang) if day else None,
        author=_author_link(site, lang, entry.author),
        project=_project_link(site, lang, entry.project),
        image=card_image(entry),
    )


def _group_title(site: SiteConfig, kind: str, member: PostEntry, lang: str) -> str:
    """A project or author in `lang`: config/site.yml's name, else as its newest post spells it."""
    if kind == "project":
        return project_name(site, member.project or "", lang)
    return author_name(site, member.author or "", lang)


def _listing_page(
    site: SiteConfig,
    name: str,
    versions: Mapping[str, str],
    members: Sequence[PostEntry],
    *,
    heading: str,
    kicker: str | None,
    newer: str | None,
    older: str | None,
    front: bool = False,
) -> Rendered:
    kind, lang, _ = parse_collection(name)
    t = ui(lang)
    if kind == "home":
        description = site.tagline.get(lang) or t["home_description"].format(site=site.name)
    else:
        title = _group_title(site, kind, members[0], lang)
        description = t[f"{kind}_description"].format(project=title, author=title)
    head = _head(site, lang, heading, description, versions)
    # A language home is the site itself: its heading is the site's name in the header.
    home = kind == "home" and front
    if home:
        crumbs: tuple[Link, ...] = ()
    elif front or kind == "home":
        crumbs = _crumbs(site, lang, "home", "")
    else:  # a month of a project or author: back to its front page, named as written
        member = members[0]
        group = member.project if kind == "project" else member.author
        crumbs = _crumbs(site, lang, kind, group or "")
    html = _page(
        "list.html",
        site,
        head,
        site_heading=home,
        listing=kind,
        heading=None if home else heading,
        kicker=kicker,
        crumbs=crumbs,
        items=[_summary(site, entry, lang) for entry in members],
        newer=newer,
        older=older,
    )
    return _html(html)


def _front_page(site: SiteConfig, name: str, source: ListingSource) -> Rendered | None:
    """A collection's newest posts, with a link to the archive month where older ones start."""
    kind, lang, group = parse_collection(name)
    found = source.newest_posts(name, site.page_size + 1)
    if kind != "home" and not found:
        return None
    shown = found[: site.page_size]
    older = (
        urls.archive_url(kind, lang, group, period_of(sort_key(found[-1])))
        if len(found) > site.page_size
        else None
    )
    versions = {
        code: urls.collection_url(kind, code, group)
        for code in site.languages
        if code == lang or kind == "home" or source.newest_posts(with_lang(name, code), 1)
    }
    if kind == "home":
        heading, kicker = site.name, None
    else:
        heading, kicker = _group_title(site, kind, shown[0], lang), ui(lang)[kind]
    return _listing_page(
        site,
        name,
        versions,
        shown,
        heading=heading,
        kicker=kicker,
        newer=None,
        older=older,
        front=True,
    )


def _archive_page(
    site: SiteConfig, name: str, period: str, source: ListingSource
) -> Rendered | None:
    """A collection's posts of one month, linked to the nearest months with posts."""
    kind, lang, group = parse_collection(name)
    members = source.posts_in_period(name, period)
    if not members:
        return None
    newer, older = source.neighbour_periods(name, period)
    versions = {
        code: urls.archive_url(kind, code, group, period)
        for code in site.languages
        if code == lang or source.posts_in_period(with_lang(name, code), period, 1)
    }
    t = ui(lang)
    month = format_month(period, lang)
    heading = month[:1].upper() + month[1:]
    kicker = (
        t["archive"]
        if kind == "home"
        else f"{t[kind]}: {_group_title(site, kind, members[0], lang)}"
    )
    return _listing_page(
        site,
        name,
        versions,
        members,
        heading=heading,
        kicker=kicker,
        newer=(
            urls.archive_url(kind, lang, group, newer)
            if newer
            else urls.collection_url(kind, lang, group)
        ),
        older=urls.archive_url(kind, lang, group, older) if older else None,
    )


def _feed(site: SiteConfig, lang: str, entries: Sequence[PostEntry]) -> Rendered:
    items = []
    for entry in entries[:FEED_SIZE]:
        version = entry.versions[lang]
        href = urls.absolute(site, urls.post_url(lang, entry.slug))
        published = _timestamp(entry.date)
        items.append(
            FeedEntry(
                id=href,
                title=_xml_text(version.title),
                href=href,
                updated=_timestamp(entry.updated) or published or EPOCH,
                published=published,
                summary=_xml_text(version.description) if version.description else None,
                author=_xml_text(author_name(site, entry.author, lang)) if entry.author else None,
                co_authors=tuple(
                    _xml_text(author_name(site, name, lang)) for name in entry.co_authors
                ),
            )
        )
    xml = render(
        "feed.xml",
        theme=site.theme,
        strict=site.strict_theme,
        lang=lang,
        name=_xml_text(site.name),
        self_href=urls.absolute(site, urls.feed_url(lang)),
        home_href=urls.absolute(site, urls.home_url(lang)),
        updated=max((item.updated for item in items), default=EPOCH),
        entries=items,
    )
    return Rendered(xml.encode("utf-8"), ATOM_CONTENT_TYPE)


def _urlset(site: SiteConfig, found: Sequence[SitemapUrl]) -> Rendered:
    xml = render("sitemap.xml", theme=site.theme, strict=site.strict_theme, urls=found)
    return Rendered(xml.encode("utf-8"), XML_CONTENT_TYPE)


def _sitemap_urls(
    site: SiteConfig, versions: Mapping[str, str], lastmod: str | None, preferred: str | None
) -> list[SitemapUrl]:
    alternates = _alternates(site, versions, preferred)
    return [
        SitemapUrl(urls.absolute(site, versions[code]), lastmod, alternates)
        for code in site.languages
        if code in versions
    ]


def _sitemap_shard(site: SiteConfig, period: str, source: ListingSource) -> Rendered | None:
    """Every version of the posts dated in one month, each with its alternates."""
    found: list[SitemapUrl] = []
    for entry in source.posts_in_period(ALL, period):
        langs = _languages(site, entry)
        if langs:
            versions = {code: urls.post_url(code, entry.slug) for code in langs}
            found += _sitemap_urls(site, versions, _timestamp(entry.updated), entry.source_lang)
    return _urlset(site, found) if found else None


def _sitemap_pages(site: SiteConfig) -> Rendered:
    """The language homes (project, author and archive pages are found through links)."""
    versions = {code: urls.home_url(code) for code in site.languages}
    return _urlset(site, _sitemap_urls(site, versions, None, None))


def sitemap_index(site: SiteConfig, periods: Iterable[str]) -> Rendered:
    """/sitemap.xml: the homes' sitemap and one sitemap per month of posts, newest first."""
    shards = [urls.SITEMAP_PAGES_URL] + [
        urls.sitemap_shard_url(period) for period in sorted(set(periods), reverse=True)
    ]
    xml = render(
        "sitemapindex.xml",
        theme=site.theme,
        strict=site.strict_theme,
        sitemaps=[urls.absolute(site, shard) for shard in shards],
    )
    return Rendered(xml.encode("utf-8"), XML_CONTENT_TYPE)


def unit_key(unit: Unit) -> str:
    """The site object a listing unit renders to."""
    if isinstance(unit, Front):
        kind, lang, group = parse_collection(unit.collection)
        return urls.object_key(urls.collection_url(kind, lang, group))
    if isinstance(unit, Archive):
        kind, lang, group = parse_collection(unit.collection)
        return urls.object_key(urls.archive_url(kind, lang, group, unit.period))
    if isinstance(unit, Feed):
        return urls.object_key(urls.feed_url(unit.lang))
    return urls.object_key(urls.sitemap_shard_url(unit.period))


def render_unit(site: SiteConfig, unit: Unit, source: ListingSource) -> Rendered | None:
    """One listing object from bounded queries; None when it has nothing to show (delete it)."""
    if isinstance(unit, Front):
        return _front_page(site, unit.collection, source)
    if isinstance(unit, Archive):
        return _archive_page(site, unit.collection, unit.period, source)
    if isinstance(unit, Feed):
        return _feed(site, unit.lang, source.newest_posts(collection("home", unit.lang), FEED_SIZE))
    return _sitemap_shard(site, unit.period, source)


def _not_found_pages(site: SiteConfig) -> dict[str, Rendered]:
    versions = {lang: urls.not_found_url(lang) for lang in site.languages}
    out: dict[str, Rendered] = {}
    sections = {
        lang: Link(urls.home_url(lang), lang, ui(lang)["back_home"]) for lang in site.languages
    }
    for lang in site.languages:
        t = ui(lang)
        head = _head(site, lang, t["not_found_title"], t["not_found_text"], versions, noindex=True)
        html = _page("404.html", site, head, sections=[(ui(lang), sections[lang])])
        out[urls.object_key(versions[lang])] = _html(html)
    # CloudFront returns the root 404 for any missing path, whatever its language, so it
    # speaks every site language (the default first); its links are root-relative so
    # they work from any path.
    default = site.default_language
    title = " / ".join(ui(lang)["not_found_title"] for lang in site.languages)
    text = " / ".join(ui(lang)["not_found_text"] for lang in site.languages)
    root = {default: urls.ROOT_NOT_FOUND_URL}
    head = _head(site, default, title, text, root, noindex=True)
    html = _page(
        "404.html", site, head, sections=[(ui(lang), sections[lang]) for lang in site.languages]
    )
    out[urls.object_key(urls.ROOT_NOT_FOUND_URL)] = _html(html)
    return out


def _robots(site: SiteConfig) -> Rendered:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(site, urls.SITEMAP_URL)}\n"
    return Rendered(text.encode("utf-8"), TEXT_CONTENT_TYPE)


@lru_cache(maxsize=4)
def static_file(name: str) -> bytes:
    """A file shipped in the package's site/static folder."""
    return resources.files("polypub.site").joinpath(f"static/{name}").read_bytes()


def stylesheet(site: SiteConfig | None = None) -> bytes:
    """The site's one stylesheet: the packaged CSS, then the school's colours.

    Colours arrive validated as "#rrggbb" (polypub.site.design), so nothing a teacher
    writes can add CSS of its own.
    """
    css = static_file("site.css")
    colors = site.colors if site else {}
    variables = [f"  --{role}: {colors[role]};" for role in ("primary", "accent") if role in colors]
    if not variables:
        return css
    block = "\n/* The school's colours, from config/site.yml. */\n:root {\n"
    return css + (block + "\n".join(variables) + "\n}\n").encode("utf-8")


def fixed_objects(site: SiteConfig) -> dict[str, Rendered]:
    """What does not depend on posts: 404 pages, robots.txt, the homes' sitemap, static files."""
    out: dict[str, Rendered] = {}
    out.update(_not_found_pages(site))
    out[urls.object_key(urls.ROBOTS_URL)] = _robots(site)
    out[urls.object_key(urls.SITEMAP_PAGES_URL)] = _sitemap_pages(site)
    out[urls.object_key(urls.STYLESHEET_URL)] = Rendered(stylesheet(site), CSS_CONTENT_TYPE)
    out[urls.object_key(urls.SCRIPT_URL)] = Rendered(static_file("lang.js"), JS_CONTENT_TYPE)
    out[urls.object_key(urls.FAVICON_URL)] = Rendered(static_file("favicon.svg"), SVG_CONTENT_TYPE)
    return out


def build_listings(site: SiteConfig, entries: Sequence[PostEntry]) -> dict[str, Rendered]:
    """Every object derived from the whole catalog, by S3 key.

    Language homes, project and author pages with their monthly archives, Atom feeds,
    the sitemap index and its monthly sitemaps, 404 pages, robots.txt and the static
    files. Post pages are not here: render_post_page makes them. The output depends
    only on the arguments, so unchanged objects give equal bytes; a change to one post
    re-renders only the units listings.affected_units names, with the same functions.
    """
    index = ListingIndex(entries)
    out: dict[str, Rendered] = {}
    for unit in all_units(site.languages, index):
        rendered = render_unit(site, unit, index)
        if rendered is not None:
            out[unit_key(unit)] = rendered
    out[urls.object_key(urls.SITEMAP_URL)] = sitemap_index(
        site, sitemap_periods(site.languages, index)
    )
    out.update(fixed_objects(site))
    return out


def owned_listing_key(site: SiteConfig, key: str) -> bool:
    """True when `key` is build_listings' to write or delete (never a post or an asset)."""
    if key.startswith(urls.listing_prefixes(site)):
        return True
    fixed = {
        urls.object_key(url)
        for lang in site.languages
        for url in (urls.home_url(lang), urls.feed_url(lang), urls.not_found_url(lang))
    }
    fixed |= {
        urls.object_key(url)
        for url in (
            urls.SITEMAP_URL,
            urls.ROBOTS_URL,
            urls.ROOT_NOT_FOUND_URL,
            urls.STYLESHEET_URL,
            urls.SCRIPT_URL,
            urls.FAVICON_URL,
        )
    }
    return key in fixed
