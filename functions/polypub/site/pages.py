"""Catalog entries -> the site's pages: one post page, and every listing, feed and sitemap."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup

from polypub.model import PostEntry
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.i18n import OG_LOCALES, format_date, machine_note, ui
from polypub.site.images import ImageSize
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
        return OG_LOCALES.get(self.lang, self.lang)

    @property
    def locale_alternates(self) -> tuple[str, ...]:
        return tuple(
            OG_LOCALES.get(link.hreflang, link.hreflang)
            for link in self.alternates
            if link.hreflang not in ("x-default", self.lang)
        )


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Summary:
    """One post in a listing."""

    title: str
    href: str
    description: str | None
    date_iso: str | None
    date_text: str | None
    author: Link | None
    project: Link | None


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


# ---------------------------------------------------------------- small pure helpers


def _timestamp(value: str | None) -> str | None:
    """An ISO 8601 date or datetime as RFC 3339 UTC (what Atom and sitemaps want)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # the catalog stores UTC
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def _newest_first(entries: Sequence[PostEntry]) -> list[PostEntry]:
    """Newest first by date (the upload time when a post has none), then slug A-Z."""
    by_slug = sorted(entries, key=lambda e: e.slug)
    # sort() is stable with reverse=True too, so equal dates keep slug order.
    return sorted(
        by_slug, key=lambda e: _timestamp(e.date) or _timestamp(e.updated) or "", reverse=True
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


def _page(template: str, site: SiteConfig, head: Head, **context: Any) -> str:
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


def _author_link(lang: str, author: str | None) -> Link | None:
    return Link(urls.author_url(lang, author), lang, author) if author else None


def _gallery(
    entry: PostEntry, title: str, lang: str, sizes: Mapping[str, ImageSize]
) -> list[Image]:
    """The front matter's images, in order, with numbered alt text and known sizes."""
    images = []
    usable = [(image, urls.asset_src(image)) for image in entry.images]
    for n, (image, src) in enumerate(((i, s) for i, s in usable if s), start=1):
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
    images = _gallery(entry, version.title, lang, image_sizes or {})
    first = images[0] if images else None
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
        author=_author_link(lang, entry.author),
        by_before=by_before,
        by_after=by_after,
        date_iso=day.isoformat() if day else None,
        date_text=format_date(day, lang) if day else None,
        machine=machine_note(lang, original) if version.kind == "machine" else None,
        stale=t["stale_note"] if entry.is_stale(lang) else None,
        original=original_link,
        body=Markup(body_html),  # noqa: S704 -- trusted: produced by our Markdown renderer
        images=images,
        project=(
            Link(urls.project_url(lang, entry.project), lang, project_title(entry.project))
            if entry.project
            else None
        ),
    )


# ---------------------------------------------------------------- listings


def _summary(entry: PostEntry, lang: str) -> Summary:
    version = entry.versions[lang]
    day = _day(entry.date)
    return Summary(
        title=version.title,
        href=urls.post_url(lang, entry.slug),
        description=version.description,
        date_iso=day.isoformat() if day else None,
        date_text=format_date(day, lang) if day else None,
        author=_author_link(lang, entry.author),
        project=(
            Link(urls.project_url(lang, entry.project), lang, project_title(entry.project))
            if entry.project
            else None
        ),
    )


def _chunks(items: Sequence[PostEntry], size: int) -> list[Sequence[PostEntry]]:
    """Pages of at most `size` items; an empty listing still has its first page."""
    return [items[start : start + size] for start in range(0, len(items), size)] or [[]]


def _lastmod(entries: Sequence[PostEntry]) -> str | None:
    stamps = [stamp for stamp in (_timestamp(e.updated) for e in entries) if stamp]
    return max(stamps) if stamps else None


def _home_pages(
    site: SiteConfig, by_lang: Mapping[str, Sequence[PostEntry]]
) -> dict[str, Rendered]:
    pages = {lang: _chunks(by_lang[lang], site.page_size) for lang in site.languages}
    out: dict[str, Rendered] = {}
    for lang in site.languages:
        t = ui(lang)
        last = len(pages[lang])
        for number, chunk in enumerate(pages[lang], start=1):
            title = site.name if number == 1 else t["page_n"].format(n=number)
            head = _head(
                site,
                lang,
                title,
                site.tagline.get(lang) or t["home_description"].format(site=site.name),
                {
                    code: urls.home_url(code, number)
                    for code in site.languages
                    if number <= len(pages[code])
                },
            )
            html = _page(
                "list.html",
                site,
                head,
                listing="home",
                heading=title,
                kicker=None,
                items=[_summary(entry, lang) for entry in chunk],
                newer=urls.home_url(lang, number - 1) if number > 1 else None,
                older=urls.home_url(lang, number + 1) if number < last else None,
            )
            out[urls.object_key(urls.home_url(lang, number))] = _html(html)
    return out


@dataclass(frozen=True)
class _Grouping:
    """Posts grouped by a front matter name: projects, authors."""

    listing: str  # what list.html is told it shows
    name_of: Callable[[PostEntry], str | None]
    slug_of: Callable[[str], str]
    url_of: Callable[[str, str], str]
    title_of: Callable[[str], str]
    kicker: str  # interface string keys
    description: str


_PROJECTS = _Grouping(
    "project",
    lambda entry: entry.project,
    urls.project_slug,
    urls.project_url,
    project_title,
    "project",
    "project_description",
)
_AUTHORS = _Grouping(
    "author",
    lambda entry: entry.author,
    urls.author_slug,
    urls.author_url,
    str.strip,
    "author",
    "author_description",
)


def _groups(grouping: _Grouping, entries: Sequence[PostEntry]) -> list[tuple[str, list[PostEntry]]]:
    """(name, entries newest first) per URL form of the name, in order of first appearance.

    Spellings of one name may differ between posts; the newest post's spelling names it.
    """
    groups: dict[str, tuple[str, list[PostEntry]]] = {}
    for entry in entries:
        name = grouping.name_of(entry)
        if name:
            groups.setdefault(grouping.slug_of(name), (name, []))[1].append(entry)
    return list(groups.values())


def _group_versions(
    site: SiteConfig, grouping: _Grouping, name: str, members: Sequence[PostEntry]
) -> dict[str, str]:
    """The group's page in each language that one of its posts exists in."""
    return {
        lang: grouping.url_of(lang, name)
        for lang in site.languages
        if any(lang in entry.versions for entry in members)
    }


def _group_pages(
    site: SiteConfig, grouping: _Grouping, entries: Sequence[PostEntry]
) -> dict[str, Rendered]:
    out: dict[str, Rendered] = {}
    for name, members in _groups(grouping, entries):
        title = grouping.title_of(name)
        versions = _group_versions(site, grouping, name, members)
        for lang in versions:
            t = ui(lang)
            description = t[grouping.description].format(project=title, author=title)
            head = _head(site, lang, title, description, versions)
            html = _page(
                "list.html",
                site,
                head,
                listing=grouping.listing,
                heading=title,
                kicker=t[grouping.kicker],
                items=[_summary(entry, lang) for entry in members if lang in entry.versions],
                newer=None,
                older=None,
            )
            out[urls.object_key(versions[lang])] = _html(html)
    return out


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
                author=_xml_text(entry.author) if entry.author else None,
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


def _sitemap(site: SiteConfig, entries: Sequence[PostEntry]) -> Rendered:
    """Every post version, language home, project and author page, each with its alternates."""
    found: list[SitemapUrl] = []

    def add(versions: Mapping[str, str], lastmod: str | None, preferred: str | None) -> None:
        alternates = _alternates(site, versions, preferred)
        for code in site.languages:
            if code in versions:
                found.append(SitemapUrl(urls.absolute(site, versions[code]), lastmod, alternates))

    for entry in entries:
        langs = _languages(site, entry)
        if langs:
            versions = {code: urls.post_url(code, entry.slug) for code in langs}
            add(versions, _timestamp(entry.updated), entry.source_lang)
    add(
        {code: urls.home_url(code) for code in site.languages},
        _lastmod(entries),
        None,
    )
    for grouping in (_PROJECTS, _AUTHORS):
        for name, members in _groups(grouping, entries):
            add(_group_versions(site, grouping, name, members), _lastmod(members), None)
    xml = render("sitemap.xml", theme=site.theme, strict=site.strict_theme, urls=found)
    return Rendered(xml.encode("utf-8"), XML_CONTENT_TYPE)


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


def build_listings(site: SiteConfig, entries: Sequence[PostEntry]) -> dict[str, Rendered]:
    """Every object derived from the whole catalog, by S3 key.

    Language homes (paginated), project and author pages, Atom feeds, sitemap, 404
    pages, robots.txt and the static files. Post pages are not here: render_post_page
    makes them. The output depends only on the arguments, so unchanged objects give
    equal bytes.
    """
    ordered = _newest_first(entries)
    by_lang = {
        lang: [entry for entry in ordered if lang in entry.versions] for lang in site.languages
    }
    out: dict[str, Rendered] = {}
    out.update(_home_pages(site, by_lang))
    out.update(_group_pages(site, _PROJECTS, ordered))
    out.update(_group_pages(site, _AUTHORS, ordered))
    for lang in site.languages:
        out[urls.object_key(urls.feed_url(lang))] = _feed(site, lang, by_lang[lang])
    out[urls.object_key(urls.SITEMAP_URL)] = _sitemap(site, ordered)
    out.update(_not_found_pages(site))
    out[urls.object_key(urls.ROBOTS_URL)] = _robots(site)
    out[urls.object_key(urls.STYLESHEET_URL)] = Rendered(stylesheet(site), CSS_CONTENT_TYPE)
    out[urls.object_key(urls.SCRIPT_URL)] = Rendered(static_file("lang.js"), JS_CONTENT_TYPE)
    out[urls.object_key(urls.FAVICON_URL)] = Rendered(static_file("favicon.svg"), SVG_CONTENT_TYPE)
    return out


def listing_prefixes(site: SiteConfig) -> tuple[str, ...]:
    """Key prefixes whose every object comes from build_listings.

    After a rebuild, a key under one of these that build_listings did not return is
    stale (an emptied page, project or author) and may be deleted.
    """
    return tuple(
        prefix
        for lang in site.languages
        for prefix in (f"{lang}/page/", f"{lang}/projects/", f"{lang}/authors/")
    )


def owned_listing_key(site: SiteConfig, key: str) -> bool:
    """True when `key` is build_listings' to write or delete (never a post or an asset)."""
    if key.startswith(listing_prefixes(site)):
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
