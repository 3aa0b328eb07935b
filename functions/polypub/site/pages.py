"""Catalog entries -> the site's pages: one post page, and every listing, feed and sitemap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup

from polypub.model import PostEntry
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.i18n import format_date, machine_note, ui
from polypub.site.render import render

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
CSS_CONTENT_TYPE = "text/css; charset=utf-8"

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
class Head:
    """What base.html needs to know about a page."""

    lang: str
    title: str
    description: str
    canonical: str
    alternates: tuple[Link, ...]
    switcher: tuple[Link, ...]
    noindex: bool = False


@dataclass(frozen=True)
class Image:
    src: str
    alt: str


@dataclass(frozen=True)
class Summary:
    """One post in a listing."""

    title: str
    href: str
    description: str | None
    date_iso: str | None
    date_text: str | None
    author: str | None
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


def _head(
    site: SiteConfig,
    lang: str,
    title: str,
    description: str,
    versions: Mapping[str, str],
    *,
    preferred: str | None = None,
    noindex: bool = False,
) -> Head:
    """Canonical, hreflang alternates and switcher for a page that exists at `versions`.

    `versions` maps each language the page exists in to its URL path; for a language
    without this page the switcher leads to that language's home instead.
    """
    switcher = tuple(
        Link(versions[code], code, ui(code)["read_in"])
        if code in versions
        else Link(urls.home_url(code), code, ui(code)["home_in"], same_page=False)
        for code in site.languages
        if code != lang
    )
    return Head(
        lang=lang,
        title=_full_title(site, title),
        description=description,
        canonical=urls.absolute(site, versions[lang]),
        alternates=_alternates(site, versions, preferred),
        switcher=switcher,
        noindex=noindex,
    )


def _page(template: str, site: SiteConfig, head: Head, **context: Any) -> str:
    return render(
        template,
        site=site,
        page=head,
        t=ui(head.lang),
        home=urls.home_url(head.lang),
        feed=urls.feed_url(head.lang),
        stylesheet=urls.STYLESHEET_URL,
        **context,
    )


def _html(text: str) -> Rendered:
    return Rendered(text.encode("utf-8"), HTML_CONTENT_TYPE)


# ---------------------------------------------------------------- one post


def render_post_page(site: SiteConfig, entry: PostEntry, lang: str, body_html: str) -> str:
    """The page of one language version of a post.

    `body_html` comes from polypub.content.markdown (raw HTML already refused there) and
    is inserted as is; every other value is escaped by the templates. The head lists the
    post's other versions, so when a version is added or removed the other language
    pages of the post must be rendered again.
    """
    if lang not in site.languages or lang not in entry.versions:
        raise ValueError(f"post {entry.slug!r} has no {lang!r} version on this site")
    t = ui(lang)
    version = entry.versions[lang]
    langs = _languages(site, entry)
    head = _head(
        site,
        lang,
        version.title,
        version.description or version.title,
        {code: urls.post_url(code, entry.slug) for code in langs},
        preferred=entry.source_lang,
    )
    original = _original_lang(entry)
    original_link = (
        Link(urls.post_url(original, entry.slug), original, t["read_original"])
        if original in langs and original != lang
        else None
    )
    sources = (urls.asset_src(image) for image in entry.images)
    images = [
        Image(src, t["image_alt"].format(title=version.title, n=n))
        for n, src in enumerate((src for src in sources if src), start=1)
    ]
    day = _day(entry.date)
    return _page(
        "post.html",
        site,
        head,
        title=version.title,
        description=version.description,
        author=t["by"].format(author=entry.author) if entry.author else None,
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
        author=entry.author,
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
                t["home_description"].format(site=site.name),
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
                heading=title,
                kicker=None,
                items=[_summary(entry, lang) for entry in chunk],
                newer=urls.home_url(lang, number - 1) if number > 1 else None,
                older=urls.home_url(lang, number + 1) if number < last else None,
            )
            out[urls.object_key(urls.home_url(lang, number))] = _html(html)
    return out


def _projects(entries: Sequence[PostEntry]) -> dict[str, list[PostEntry]]:
    """Entries (newest first) grouped by the URL form of their project."""
    groups: dict[str, list[PostEntry]] = {}
    for entry in entries:
        if entry.project:
            groups.setdefault(urls.project_slug(entry.project), []).append(entry)
    return groups


def _project_pages(site: SiteConfig, entries: Sequence[PostEntry]) -> dict[str, Rendered]:
    out: dict[str, Rendered] = {}
    for members in _projects(entries).values():
        # Spellings of one project may differ between posts; the newest post names it.
        name = str(members[0].project)
        title = project_title(name)
        versions = {
            lang: urls.project_url(lang, name)
            for lang in site.languages
            if any(lang in entry.versions for entry in members)
        }
        for lang in versions:
            t = ui(lang)
            head = _head(
                site, lang, title, t["project_description"].format(project=title), versions
            )
            html = _page(
                "list.html",
                site,
                head,
                heading=title,
                kicker=t["project"],
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
        lang=lang,
        name=_xml_text(site.name),
        self_href=urls.absolute(site, urls.feed_url(lang)),
        home_href=urls.absolute(site, urls.home_url(lang)),
        updated=max((item.updated for item in items), default=EPOCH),
        entries=items,
    )
    return Rendered(xml.encode("utf-8"), ATOM_CONTENT_TYPE)


def _sitemap(site: SiteConfig, entries: Sequence[PostEntry]) -> Rendered:
    """Every post version, language home and project page, each with its alternates."""
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
    for members in _projects(entries).values():
        name = str(members[0].project)
        versions = {
            code: urls.project_url(code, name)
            for code in site.languages
            if any(code in entry.versions for entry in members)
        }
        add(versions, _lastmod(members), None)
    xml = render("sitemap.xml", urls=found)
    return Rendered(xml.encode("utf-8"), XML_CONTENT_TYPE)


def _not_found_pages(site: SiteConfig) -> dict[str, Rendered]:
    versions = {lang: urls.not_found_url(lang) for lang in site.languages}
    out: dict[str, Rendered] = {}
    for lang in site.languages:
        t = ui(lang)
        head = _head(
            site,
            lang,
            t["not_found_title"],
            t["not_found_text"],
            versions,
            noindex=True,
        )
        out[urls.object_key(versions[lang])] = _html(_page("404.html", site, head))
    # The root 404 is what CloudFront returns for any missing path: the default
    # language's page, whose links are all root-relative so they work from any path.
    out[urls.object_key(urls.ROOT_NOT_FOUND_URL)] = out[
        urls.object_key(versions[site.default_language])
    ]
    return out


def _robots(site: SiteConfig) -> Rendered:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(site, urls.SITEMAP_URL)}\n"
    return Rendered(text.encode("utf-8"), TEXT_CONTENT_TYPE)


@lru_cache(maxsize=1)
def stylesheet() -> bytes:
    """The site's one stylesheet, shipped as package data."""
    return resources.files("polypub.site").joinpath("static/site.css").read_bytes()


def build_listings(site: SiteConfig, entries: Sequence[PostEntry]) -> dict[str, Rendered]:
    """Every object derived from the whole catalog, by S3 key.

    Language homes (paginated), project pages, Atom feeds, sitemap, 404 pages,
    robots.txt and the stylesheet. Post pages are not here: render_post_page makes them.
    The output depends only on the arguments, so unchanged objects give equal bytes.
    """
    ordered = _newest_first(entries)
    by_lang = {
        lang: [entry for entry in ordered if lang in entry.versions] for lang in site.languages
    }
    out: dict[str, Rendered] = {}
    out.update(_home_pages(site, by_lang))
    out.update(_project_pages(site, ordered))
    for lang in site.languages:
        out[urls.object_key(urls.feed_url(lang))] = _feed(site, lang, by_lang[lang])
    out[urls.object_key(urls.SITEMAP_URL)] = _sitemap(site, ordered)
    out.update(_not_found_pages(site))
    out[urls.object_key(urls.ROBOTS_URL)] = _robots(site)
    out[urls.object_key(urls.STYLESHEET_URL)] = Rendered(stylesheet(), CSS_CONTENT_TYPE)
    return out


def listing_prefixes(site: SiteConfig) -> tuple[str, ...]:
    """Key prefixes whose every object comes from build_listings.

    After a rebuild, a key under one of these that build_listings did not return is
    stale (an emptied page or project) and may be deleted.
    """
    return tuple(
        prefix for lang in site.languages for prefix in (f"{lang}/page/", f"{lang}/projects/")
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
        )
    }
    return key in fixed
