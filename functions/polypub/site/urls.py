"""Every URL rule of the site, and how a URL path maps to an S3 object key."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

if TYPE_CHECKING:
    from polypub.site.config import SiteConfig

# The sitemap index; it lists the homes' sitemap and one sitemap per month of posts.
SITEMAP_URL = "/sitemap.xml"
SITEMAPS_PREFIX = "/sitemaps/"
# The object keys under it (object_key would name the folder's index.html instead).
SITEMAPS_KEY_PREFIX = SITEMAPS_PREFIX.lstrip("/")
SITEMAP_PAGES_URL = "/sitemaps/pages.xml"
ROBOTS_URL = "/robots.txt"
STYLESHEET_URL = "/static/site.css"
# The switcher's cookie script; the pages read fine without it.
SCRIPT_URL = "/static/lang.js"
FAVICON_URL = "/static/favicon.svg"
# CloudFront serves this for any missing path, so every link in it is root-relative.
ROOT_NOT_FOUND_URL = "/404.html"

# The first path segment after a language, by kind of page: the one place that names them.
POSTS = "posts"
PAGES = "page"  # numbered home pages of earlier versions (listing_prefixes still owns them)
ARCHIVE = "archive"
PROJECTS = "projects"
AUTHORS = "authors"

# Characters kept as they are when quoting a path that already is a path: the RFC 3986
# path characters plus "%", so an already-encoded name is not encoded twice.
_PATH_SAFE = "/-._~!$&'()*+,;=:@%"


def _segment(value: str) -> str:
    """One path segment, percent-encoded: a slug can never add "/" or "?" to a URL."""
    if not value or value in {".", ".."}:
        raise ValueError(f"not a usable URL segment: {value!r}")
    return quote(value, safe="")


def home_url(lang: str, page: int = 1) -> str:
    """`/en/` for the first page of a language home, `/en/page/2/` for the next ones."""
    if page < 1:
        raise ValueError(f"page numbers start at 1, got {page}")
    if page == 1:
        return f"/{_segment(lang)}/"
    return f"/{_segment(lang)}/{PAGES}/{page}/"


def post_url(lang: str, slug: str) -> str:
    return f"/{_segment(lang)}/{POSTS}/{_segment(slug)}/"


def posts_key_prefix(lang: str) -> str:
    """Where every post page of a language is kept in the site bucket."""
    return f"{_segment(lang)}/{POSTS}/"


@lru_cache(maxsize=1024)
def name_slug(name: str, fallback: str) -> str:
    """The URL form of a name: lower case, no accents, words joined by "-".

    Teachers write `proyecto-2`, `Proyecto Erasmus+` or `Lucía Pérez`; each must give a
    plain path segment (S3 keys with "+" or spaces behind CloudFront are a known trap).
    """
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    chars = [ch if ch.isalnum() else "-" for ch in decomposed if not unicodedata.combining(ch)]
    words = [word for word in "".join(chars).split("-") if word]
    return "-".join(words) or fallback


def project_slug(project: str) -> str:
    """The URL form of a front matter `project` (`Proyecto Erasmus+` -> `proyecto-erasmus`)."""
    return name_slug(project, "project")


def author_slug(author: str) -> str:
    """The URL form of a front matter `author` (`Lucía Pérez` -> `lucia-perez`)."""
    return name_slug(author, "author")


def project_url(lang: str, project: str) -> str:
    return f"/{_segment(lang)}/{PROJECTS}/{_segment(project_slug(project))}/"


def author_url(lang: str, author: str) -> str:
    return f"/{_segment(lang)}/{AUTHORS}/{_segment(author_slug(author))}/"


def collection_url(kind: str, lang: str, group: str = "") -> str:
    """The front page of a listing collection (polypub.site.listings): home, project, author."""
    if kind == "home":
        return home_url(lang)
    if kind == "project":
        return project_url(lang, group)
    if kind == "author":
        return author_url(lang, group)
    raise ValueError(f"not a listing collection: {kind!r}")


def archive_url(kind: str, lang: str, group: str, period: str) -> str:
    """One month of a collection: `/en/archive/2024/05/`, `/en/projects/p/2024/05/`."""
    year, _, month = period.partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and len(month) == 2):
        raise ValueError(f"not a month: {period!r}")
    front = f"/{_segment(lang)}/{ARCHIVE}/" if kind == "home" else collection_url(kind, lang, group)
    return f"{front}{year}/{month}/"


def sitemap_shard_url(period: str) -> str:
    """The sitemap of the posts dated in one month: `/sitemaps/2024-05.xml`."""
    return f"{SITEMAPS_PREFIX}{_segment(period)}.xml"


def feed_url(lang: str) -> str:
    return f"/{_segment(lang)}/feed.xml"


def not_found_url(lang: str) -> str:
    return f"/{_segment(lang)}/404.html"


def listing_prefixes(site: SiteConfig) -> tuple[str, ...]:
    """Key prefixes whose every object comes from build_listings (polypub.site.pages).

    After a rebuild, a key under one of these that build_listings did not return is
    stale (an emptied page, month, project or author) and may be deleted. `page/` is
    where earlier versions kept numbered home pages.
    """
    return (
        *(
            f"{_segment(lang)}/{kind}/"
            for lang in site.languages
            for kind in (PAGES, ARCHIVE, PROJECTS, AUTHORS)
        ),
        SITEMAPS_KEY_PREFIX,
    )


def object_key(url_path: str) -> str:
    """The S3 key serving a site URL path: `/en/` -> `en/index.html`, `/a.xml` -> `a.xml`."""
    if not url_path.startswith("/") or url_path.startswith("//"):
        raise ValueError(f"not a site URL path: {url_path!r}")
    path = unquote(urlsplit(url_path).path)
    if path.endswith("/"):
        path += "index.html"
    return path.lstrip("/")


def url_for_key(key: str) -> str:
    """The URL path a reader uses for an object key (inverse of object_key)."""
    path = "/" + quote(key, safe=_PATH_SAFE.replace("%", ""))
    if path.endswith("/index.html"):
        return path[: -len("index.html")]
    return path


def absolute(site: SiteConfig, url_path: str) -> str:
    """The full URL (canonical links, hreflang, feeds, sitemap need absolute URLs)."""
    if not url_path.startswith("/"):
        raise ValueError(f"not a site URL path: {url_path!r}")
    return site.base_url + url_path


def asset_src(value: str) -> str | None:
    """A front matter image reference as a safe `src`, or None when it must not be used.

    Site paths and http(s) URLs pass; a bare `assets/x.png` is made root-relative,
    because a relative path would resolve under `/en/posts/<slug>/`. Any other scheme
    (`javascript:`, `data:`, `file:`) and protocol-relative URLs are refused.
    """
    # Browsers ignore tabs, newlines and controls inside a scheme ("java\tscript:"),
    # so the scheme is judged on the text without any of them.
    text = "".join(ch for ch in value.strip() if ch >= " " and ch != "\x7f")
    probe = "".join(ch for ch in text if ch > " ")
    if not probe or probe.startswith(("//", "/\\", "\\")):
        return None
    scheme = urlsplit(probe).scheme.lower()
    if scheme and not (scheme in {"http", "https"} and urlsplit(text).netloc):
        return None
    if not scheme and not text.startswith("/"):
        text = "/" + text
    return quote(text, safe=_PATH_SAFE + "?#")
