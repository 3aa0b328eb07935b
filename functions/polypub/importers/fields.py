"""Map a Jekyll/Hugo post's front matter onto the documented fields (Decap CMS format)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from polypub.content.post import slugify

# The documented fields, in the order the CMS writes them.
DOCUMENTED = ("title", "author", "description", "date", "project", "images", "lang", "translate")
# Where blogs keep what the documented format calls description, author, date and pictures.
DESCRIPTION_KEYS = ("description", "summary", "excerpt", "teaser", "subtitle")
AUTHOR_KEYS = ("author", "authors")
DATE_KEYS = ("date", "publishDate", "publishdate", "pubDate")
IMAGE_KEYS = ("images", "image", "cover", "featured_image", "featured", "thumbnail", "header")
PROJECT_KEYS = ("project", "categories", "category")
# Fields read here in other ways (slug, language, drafts), so not reported as dropped.
CONSUMED = frozenset(
    {*DOCUMENTED, *DESCRIPTION_KEYS, *AUTHOR_KEYS, *DATE_KEYS, *IMAGE_KEYS, *PROJECT_KEYS}
    | {"slug", "language", "draft", "published"}
)
# Keys of a mapping that hold an image path (Jekyll themes: image: {feature: x.jpg}).
_IMAGE_SUBKEYS = ("feature", "path", "src", "url", "image", "filename", "title", "thumb")
_PROJECT_SKIP = frozenset({"uncategorized", "sin-categoria", "sense-categoria", "general"})

_DATE_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
FILENAME_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")


@dataclass
class Mapped:
    """The documented front matter of one post, and what became of the source's fields."""

    front: dict[str, Any]
    slug: str
    draft: bool
    image_refs: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def map_fields(
    meta: dict[str, Any], *, name: str, filename_date: str | None, languages: tuple[str, ...]
) -> Mapped:
    """Documented fields from ``meta``; never raises, whatever the values' types.

    ``name`` is the file or bundle name (the slug when there is no ``slug:``);
    ``filename_date`` the date a Jekyll file name carries (``2019-10-01-name.md``).
    """
    notes: list[str] = []
    front: dict[str, Any] = {}
    title = _text(meta.get("title"))
    if title:
        front["title"] = title
    authors = _names(meta.get("author")) or _names(meta.get("authors"))
    if authors:
        front["author"] = authors[0]
        if len(authors) > 1:
            # Kept as the alias list too: the pipeline shows every author when it knows it.
            front["authors"] = authors
    description = next((d for k in DESCRIPTION_KEYS if (d := _text(meta.get(k)))), None)
    if description:
        front["description"] = description
    when, date_note = _first_date(meta, filename_date)
    if when:
        front["date"] = when
    if date_note:
        notes.append(date_note)
    project = _project(meta)
    if project:
        front["project"] = project
    lang = _lang(meta.get("lang") or meta.get("language"))
    if lang:
        if lang in languages:
            front["lang"] = lang
        else:
            notes.append(
                f"written in '{lang}', not a language of this site ({', '.join(languages)}): "
                "the site detects its language from the text"
            )
    if isinstance(meta.get("translate"), bool):
        front["translate"] = meta["translate"]
    slug = _slug(meta.get("slug"), name, notes)
    draft = meta.get("draft") is True or meta.get("published") is False
    image_refs = [ref for key in IMAGE_KEYS for ref in _image_paths(meta.get(key))]
    dropped = sorted(key for key in meta if key not in CONSUMED)
    return Mapped(front, slug, draft, image_refs, dropped, notes)


def iso_date(value: object) -> str | None:
    """``2024-05-22`` or ``2024-05-22T21:12:00Z`` (UTC) from what blogs write, or None."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return _utc(moment)
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    match = _DATE_RE.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day)).isoformat()
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            tzinfo=_zone(zone),
        )
        return _utc(moment)
    except (ValueError, OverflowError):
        return None


def _utc(moment: datetime) -> str | None:
    try:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):
        return None


def _zone(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _first_date(meta: dict[str, Any], filename_date: str | None) -> tuple[str | None, str | None]:
    for key in DATE_KEYS:
        raw = meta.get(key)
        if raw is None or raw == "":
            continue
        parsed = iso_date(raw)
        if parsed:
            return parsed, None
        fallback = f"; the file name's date {filename_date} is used" if filename_date else ""
        return filename_date, f"{key} '{_short(raw)}' is not a date{fallback}"
    return filename_date, None


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        text = " ".join(str(value).split())
        return text or None
    return None


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [name for name in [_text(value)] if name]
    if isinstance(value, dict):
        return [name for name in [_text(value.get("name") or value.get("display_name"))] if name]
    if isinstance(value, list):
        return [name for item in value for name in _names(item)[:1]]
    return []


def _project(meta: dict[str, Any]) -> str | None:
    for key in PROJECT_KEYS:
        value = meta.get(key)
        candidates = value if isinstance(value, list) else [value]
        for candidate in candidates:
            text = _text(candidate)
            slug = slugify(text) if text else ""
            if slug and slug not in _PROJECT_SKIP:
                return slug
    return None


def _lang(value: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    primary = text.lower().replace("_", "-").split("-", 1)[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _slug(value: object, name: str, notes: list[str]) -> str:
    raw = _text(value)
    if raw:
        slug = slugify(raw)
        if slug and slug != raw:
            notes.append(f"slug '{_short(raw)}' written as '{slug}'")
        if slug:
            return slug
    return slugify(name)


def _image_paths(value: object) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [path for item in value for path in _image_paths(item)]
    if isinstance(value, dict):
        for key in _IMAGE_SUBKEYS:
            if isinstance(value.get(key), str):
                return _image_paths(value[key])
    return []


def _short(value: object, limit: int = 60) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
