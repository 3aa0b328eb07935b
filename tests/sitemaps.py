"""Reading a built site's sitemap the way a crawler does: the index, then every sitemap it lists.

/sitemap.xml is a <sitemapindex> (the homes' sitemap and one sitemap per month of posts);
read_sitemaps follows it and checks what a crawler relies on on the way: every listed
sitemap exists under the site's own address, is a <urlset>, and no page is listed twice.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SM = f"{{{SITEMAP_NS}}}"
XHTML = f"{{{XHTML_NS}}}"
INDEX_KEY = "sitemap.xml"


@dataclass(frozen=True)
class SitemapUrl:
    """One <url> of a sitemap."""

    loc: str
    lastmod: str | None
    # hreflang -> href of its xhtml:link alternates (x-default included).
    alternates: dict[str, str]
    # The key of the sitemap that lists it (`sitemaps/2024-05.xml`).
    sitemap: str


@dataclass
class Sitemaps:
    """The index and every sitemap it lists, as stored, and their URLs by location."""

    index: bytes
    # Key of each listed sitemap, in the index's order -> its bytes.
    shards: dict[str, bytes] = field(default_factory=dict)
    urls: dict[str, SitemapUrl] = field(default_factory=dict)

    @property
    def locs(self) -> set[str]:
        return set(self.urls)


def key_of(base: str, url: str) -> str:
    """The object key of a site URL: `https://x.example/sitemaps/a.xml` -> `sitemaps/a.xml`."""
    assert url.startswith(base.rstrip("/") + "/"), f"not on {base}: {url}"
    return unquote(urlsplit(url).path).lstrip("/")


def read_sitemaps(read: Callable[[str], bytes | None], base: str) -> Sitemaps:
    """Every sitemap reachable from /sitemap.xml; `read(key)` gives a site object or None."""
    index = read(INDEX_KEY)
    assert index is not None, "no /sitemap.xml"
    root = ET.fromstring(index)
    assert root.tag == f"{SM}sitemapindex", root.tag
    found = Sitemaps(index)
    for node in root.findall(f"{SM}sitemap"):
        key = key_of(base, node.findtext(f"{SM}loc", ""))
        assert key not in found.shards, f"{key} listed twice in the index"
        body = read(key)
        assert body is not None, f"the index lists {key}, which does not exist"
        found.shards[key] = body
        shard = ET.fromstring(body)
        assert shard.tag == f"{SM}urlset", (key, shard.tag)
        for url in shard.findall(f"{SM}url"):
            loc = url.findtext(f"{SM}loc", "")
            assert loc not in found.urls, f"{loc} listed twice ({found.urls.get(loc)}, {key})"
            links = url.findall(f"{XHTML}link")
            assert all(link.get("rel") == "alternate" for link in links), loc
            found.urls[loc] = SitemapUrl(
                loc,
                url.findtext(f"{SM}lastmod"),
                {str(link.get("hreflang")): str(link.get("href")) for link in links},
                key,
            )
    return found
