"""What a source-bucket key is: a post, a person's translation, an asset, config, or other."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from polypub.content.errors import ContentError, InvalidKeyError, PostExtensionError
from polypub.languages import DEFAULT_SITE_LANGUAGES

SourceKind = Literal["post", "translation", "asset", "config", "other"]

# The system writes a plain-text report beside an upload that failed, so that a
# teacher sees it in the same folder with the same S3 client.
REPORT_SUFFIX = ".error.txt"

POSTS_PREFIX = "posts/"
ASSETS_PREFIX = "assets/"
CONFIG_PREFIX = "config/"
_MD_SUFFIX = ".md"
# Jekyll names posts YYYY-MM-DD-title.md (and Hugo can read dates the same way): the
# date is the post's, the rest its name on the web.
_BUNDLE_NAMES = ("index", "_index")
# Jekyll reads one- or two-digit months and days (2019-1-5-trip.md) too.
_DATED_NAME_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})-(.+)")


@dataclass(frozen=True)
class SourceKey:
    """A classified key.

    ``name`` is the post's file stem without the language (``posts/a/foo.en.md`` ->
    ``foo``); ``lang`` is set for translations only; ``base`` is the key without
    language and ``.md`` (``posts/a/foo``), shared by a post and its translations, so
    the pipeline pairs them without guessing the case of the extension.
    Non-post kinds have an empty ``name`` and ``base``.
    """

    kind: SourceKind
    name: str = ""
    lang: str | None = None
    key: str = ""
    base: str = ""


def report_key(key: str) -> str:
    """Where the error report for ``key`` is written (next to it, same folder).

    For a key that could not be written itself (``assets/../x``, ``posts//a.md``), the
    report goes beside its plain spelling, so that reporting never fails the same way.
    """
    if _is_unsafe(key):
        parts = [
            "".join(ch if ch >= " " and ch != "\x7f" else "_" for ch in part)
            for part in key.replace("\\", "/").split("/")
        ]
        key = "/".join(part for part in parts if part not in ("", ".", "..")) or "invalid-key"
    return key + REPORT_SUFFIX


def extension_problem(key: str) -> ContentError | None:
    """PostExtensionError for a post named ``.MD``/``.Md``/``.mD``; S3 filters by ``.md``.

    The bucket's notifications match the suffix case-sensitively, so such a post would
    never publish in the cloud; it is refused everywhere, with a report, instead.
    """
    lower_only = key.lower().endswith(_MD_SUFFIX) and not key.endswith(_MD_SUFFIX)
    return PostExtensionError(key) if key.startswith(POSTS_PREFIX) and lower_only else None


def key_problem(key: str) -> ContentError | None:
    """Why a file uploaded under posts/ or assets/ is ignored, for its report; else None.

    Files that are not the teacher's (``.DS_Store``, reports, other folders) stay silent.
    """
    if not key.startswith((POSTS_PREFIX, ASSETS_PREFIX)) or is_report_key(key):
        return None
    if _is_unsafe(key):
        # The folder marker an S3 console creates ("assets/") is not an upload.
        return None if key in (POSTS_PREFIX, ASSETS_PREFIX) else InvalidKeyError(key)
    return extension_problem(key)


def is_report_key(key: str) -> bool:
    return key.endswith(REPORT_SUFFIX)


def _is_unsafe(key: str) -> bool:
    # Backslashes, '..', '.', empty segments (leading '/', '//') and control
    # characters never come from a well-behaved client; refusing them keeps one
    # file from having two spellings and any key from escaping a folder when the
    # local adapter maps keys to paths.
    if not key or "\\" in key or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        return True
    return any(part in ("", ".", "..") for part in key.split("/"))


def classify_key(key: str, languages: Sequence[str] = DEFAULT_SITE_LANGUAGES) -> SourceKey:
    """Classify a (URL-decoded) source-bucket key.

    Files whose name starts with '.' are "other": Finder and Cyberduck upload
    ``.DS_Store`` and AppleDouble ``._foo.md`` files that are not the teacher's posts.
    """
    if _is_unsafe(key) or is_report_key(key):
        return SourceKey("other", key=key)
    filename = key.rsplit("/", 1)[-1]
    if filename.startswith("."):
        return SourceKey("other", key=key)
    if key.startswith(POSTS_PREFIX):
        return _classify_post(key, filename, languages)
    if key.startswith(ASSETS_PREFIX):
        return SourceKey("asset", key=key)
    if key.startswith(CONFIG_PREFIX):
        return SourceKey("config", key=key)
    return SourceKey("other", key=key)


def _classify_post(key: str, filename: str, languages: Sequence[str]) -> SourceKey:
    if not filename.lower().endswith(_MD_SUFFIX):
        return SourceKey("other", key=key)
    stem = filename[: -len(_MD_SUFFIX)]
    folder = key[: len(key) - len(filename)]
    name, dot, suffix = stem.rpartition(".")
    if dot and name and suffix.lower() in {lang.lower() for lang in languages}:
        return SourceKey("translation", name=name, lang=suffix.lower(), key=key, base=folder + name)
    if not stem:
        return SourceKey("other", key=key)
    return SourceKey("post", name=stem, key=key, base=folder + stem)


def address_name(key: str, name: str) -> str:
    """The name a post's address is made from: ``name`` (the file stem), except for a
    Hugo page bundle (``posts/trip/index.md``, ``_index.md``), named by its folder.

    Bundles keep their pictures beside ``index.md``; without this, every bundle would
    claim the slug ``index``.
    """
    if name.lower() not in _BUNDLE_NAMES:
        return name
    folders = key[len(POSTS_PREFIX) :].split("/")[:-1] if key.startswith(POSTS_PREFIX) else []
    return folders[-1] if folders else name


def dated_name(name: str) -> tuple[date | None, str]:
    """A post name's Jekyll date prefix and what follows it: ``2019-10-01-trip`` ->
    (2019-10-01, ``trip``). (None, ``name``) when it has none or it is no real day.

    Only the slug and the date use this; the name itself stays whole, so that
    ``2019-10-01-trip.en.md`` still pairs with ``2019-10-01-trip.md`` by its base.
    """
    match = _DATED_NAME_RE.fullmatch(name)
    if match is None:
        return None, name
    year, month, day, rest = match.groups()
    try:
        return date(int(year), int(month), int(day)), rest
    except ValueError:  # 2019-13-45-...: not a date, so part of the name
        return None, name


def translation_key(base: str, lang: str) -> str:
    """Where a person's translation into ``lang`` of the post at ``base`` is uploaded."""
    return f"{base}{_TRANSLATION_SEPARATOR}{lang}{_MD_SUFFIX}"


_TRANSLATION_SEPARATOR = "."
