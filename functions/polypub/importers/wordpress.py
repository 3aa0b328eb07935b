"""WordPress export (WXR XML) -> converted posts; pages, drafts, comments named as dropped."""

from __future__ import annotations

import xml.etree.ElementTree as StdET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from polypub.content.post import slugify
from polypub.importers.common import SourcePost, finish
from polypub.importers.fields import Mapped, iso_date
from polypub.importers.model import ImportResult, Skipped, WxrError

# An export of a school blog with years of posts is a few megabytes; this bound keeps
# a mistaken upload (a video renamed .xml) from filling memory.
MAX_WXR_BYTES = 200 * 1024 * 1024
_WP = "http://wordpress.org/export/"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
_NO_DATE = "0000-00-00 00:00:00"
_PROJECT_SKIP = frozenset({"uncategorized", "sin-categoria", "sense-categoria", "general"})


@dataclass
class WxrItem:
    """The fields of one <item> the importer reads, as text ("" when absent)."""

    fields: dict[str, str]
    categories: list[tuple[str, str, str]] = field(default_factory=list)  # domain, nicename, name
    meta: dict[str, str] = field(default_factory=dict)
    comments: int = 0


@dataclass
class Wxr:
    language: str
    authors: dict[str, str]  # login -> display name
    items: list[WxrItem]


def read_wxr(data: bytes) -> Wxr:
    """Parse a WXR export; WxrError for anything that is not one, hostile XML included.

    defusedxml refuses DTDs, entity declarations (billion laughs) and external
    references before expanding anything; WordPress never writes any of them.
    """
    if len(data) > MAX_WXR_BYTES:
        raise WxrError(f"The export is {len(data)} bytes; the limit is {MAX_WXR_BYTES}.")
    try:
        # Imported here: the Lambdas never read exports, so it is only in the local extra.
        import defusedxml
        import defusedxml.ElementTree as SafeET
    except ImportError:
        raise WxrError(
            "Reading WordPress exports needs defusedxml: pip install 'polyglot-press[local]'."
        ) from None
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise WxrError(
            f"The export contains XML that could be used to attack the importer "
            f"({type(exc).__name__}); WordPress exports never do. Export the blog again."
        ) from None
    except (StdET.ParseError, ValueError, RecursionError) as exc:
        raise WxrError(
            f"The file is not well-formed XML: {' '.join(str(exc).split())[:200]}"
        ) from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise WxrError(
            "The file is XML but not a WordPress export (no <rss><channel>). In WordPress, "
            "use Tools > Export > All content."
        )
    authors: dict[str, str] = {}
    items: list[WxrItem] = []
    for child in channel:
        tag = _name(child.tag)
        if tag == "wp:author":
            login = _text(child, "wp:author_login")
            if login:
                authors[login] = _text(child, "wp:author_display_name") or login
        elif tag == "item":
            items.append(_item(child))
    language = (_text(channel, "language") or "").lower().replace("_", "-").split("-", 1)[0]
    return Wxr(language, authors, items)


def import_wordpress(source: Path, languages: tuple[str, ...]) -> ImportResult:
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise WxrError(f"{source} cannot be read ({exc.strerror}).") from None
    wxr = read_wxr(data)
    result = ImportResult("wordpress", str(source))
    attachments = {
        item.fields.get("wp:post_id", ""): item.fields.get("wp:attachment_url", "")
        for item in wxr.items
        if item.fields.get("wp:post_type") == "attachment"
    }
    if attachments:
        result.notes.append(
            f"{len(attachments)} media files (attachments) stay on the old site: their web "
            "addresses are kept in the posts as written (the importer uses no network)."
        )
    posts: list[SourcePost] = []
    comments = 0
    for index, item in enumerate(wxr.items, start=1):
        post = _convert(item, index, wxr, attachments, languages, result)
        if post is not None:
            posts.append(post)
            comments += item.comments
    if comments:
        result.skipped.append(
            Skipped("comments", f"{comments} comments: the site has no comments", "comments")
        )
    finish(result, posts, languages)
    return result


def _convert(
    item: WxrItem,
    index: int,
    wxr: Wxr,
    attachments: dict[str, str],
    languages: tuple[str, ...],
    result: ImportResult,
) -> SourcePost | None:
    f = item.fields
    title = " ".join(f.get("title", "").split())
    label = f"item {index}" + (f" ({title[:60]})" if title else "")
    kind = f.get("wp:post_type", "post") or "post"
    status = f.get("wp:status", "publish") or "publish"
    if kind == "attachment":
        return None
    if kind != "post":
        reason = "a page, not a post" if kind == "page" else f"a '{kind}' item, not a post"
        result.skipped.append(Skipped(label, reason, "page" if kind == "page" else "not-a-post"))
        return None
    if status != "publish":
        result.skipped.append(Skipped(label, f"status '{status}', not published", "draft"))
        return None
    if f.get("wp:post_password"):
        result.skipped.append(Skipped(label, "password-protected", "private"))
        return None
    if not title:
        result.skipped.append(
            Skipped(label, "no title: give it one in WordPress and export again", "no-title")
        )
        return None
    front: dict[str, object] = {"title": title}
    notes: list[str] = []
    login = f.get("dc:creator", "")
    if login:
        front["author"] = wxr.authors.get(login, login)
    excerpt = " ".join(f.get("excerpt:encoded", "").split())
    if excerpt:
        front["description"] = excerpt
    when = _date(f)
    if when:
        front["date"] = when
    project = next(
        (
            slugify(unquote(nicename) or name)
            for domain, nicename, name in item.categories
            if domain == "category" and slugify(unquote(nicename) or name) not in _PROJECT_SKIP
        ),
        None,
    )
    if project:
        front["project"] = project
    tags = [name for domain, _n, name in item.categories if domain == "post_tag"]
    if tags:
        result.drop_field("tags")
    extra = [name for domain, _n, name in item.categories if domain == "category"][1:]
    if extra:
        notes.append(f"only the first category is the project; also in: {', '.join(extra)}")
    if wxr.language:
        if wxr.language in languages:
            front["lang"] = wxr.language
        else:
            notes.append(f"the blog's language '{wxr.language}' is not a site language")
    thumbnail = attachments.get(item.meta.get("_thumbnail_id", ""), "")
    if thumbnail:
        notes.append(f"featured image stays at {thumbnail} (not downloaded)")
    slug = slugify(unquote(f.get("wp:post_name", ""))) or slugify(title) or f"post-{index}"
    mapped = Mapped(front, slug, draft=False)
    body = f.get("content:encoded", "")
    return SourcePost(label, mapped, body.strip() + "\n", None, f"wp-{index}", notes)


def _date(f: dict[str, str]) -> str | None:
    gmt = f.get("wp:post_date_gmt", "").strip()
    if gmt and gmt != _NO_DATE:
        return iso_date(gmt + "Z")
    local = f.get("wp:post_date", "").strip()
    return iso_date(local) if local and local != _NO_DATE else None


def _item(element: StdET.Element) -> WxrItem:
    item = WxrItem({})
    for child in element:
        tag = _name(child.tag)
        if tag == "category":
            item.categories.append(
                (child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip())
            )
        elif tag == "wp:postmeta":
            key = _text(child, "wp:meta_key")
            if key:
                item.meta[key] = _text(child, "wp:meta_value") or ""
        elif tag == "wp:comment":
            approved = _text(child, "wp:comment_approved")
            item.comments += 1 if approved in ("1", None) else 0
        elif tag and tag not in item.fields:
            item.fields[tag] = child.text or ""
    return item


def _name(tag: object) -> str:
    """``{http://wordpress.org/export/1.2/}status`` -> ``wp:status``; "" for other namespaces."""
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    if namespace.startswith(_WP):
        return ("excerpt:" if namespace.rstrip("/").endswith("excerpt") else "wp:") + local
    if namespace == _CONTENT:
        return "content:" + local
    if namespace == _DC:
        return "dc:" + local
    return ""


def _text(element: StdET.Element, name: str) -> str | None:
    for child in element:
        if _name(child.tag) == name:
            return (child.text or "").strip()
    return None
