"""Writing the site bucket: only changed bytes, each path recorded for invalidation first."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from polypub.ports import Storage
from polypub.steps.context import Services

HTML = "text/html; charset=utf-8"
# Pages are invalidated on every change, so the CDN may keep them long; browsers
# revalidate after a minute so a teacher sees an edit without a hard reload.
PAGE_CACHE = "public, max-age=60, s-maxage=31536000"
ASSET_CACHE = "public, max-age=86400"


@dataclass(frozen=True)
class SiteObject:
    """One object to write to the site bucket."""

    body: bytes
    content_type: str
    cache_control: str | None = PAGE_CACHE


def write_site_objects(
    objects: Mapping[str, SiteObject],
    services: Services,
    *,
    stored: Mapping[str, str] | None = None,
) -> list[str]:
    """Write the objects whose bytes differ from the stored ones; return their URL paths.

    ``stored`` maps keys to digests from one listing; without it each key gets a HEAD.
    The paths are recorded as pending invalidations before the first write
    (pipeline.finish invalidates them, or the next run does after a crash).
    """
    todo = {}
    for key, item in objects.items():
        digest = stored.get(key) if stored is not None else digest_of(services.site, key)
        if digest != hashlib.md5(item.body).hexdigest():  # noqa: S324 - S3's ETag, not security
            todo[key] = item
    if not todo:
        return []
    paths = ["/" + key for key in todo]
    services.catalog.add_pending_paths(paths)
    for key, item in todo.items():
        services.site.put(key, item.body, item.content_type, cache_control=item.cache_control)
    return paths


def delete_site_objects(keys: Sequence[str], services: Services) -> list[str]:
    """Delete site objects (recorded as pending invalidations first); return their URL paths."""
    if not keys:
        return []
    paths = ["/" + key for key in keys]
    services.catalog.add_pending_paths(paths)
    for key in keys:
        services.site.delete(key)
    return paths


def delete_existing(keys: Sequence[str], services: Services) -> list[str]:
    """delete_site_objects for those of `keys` that exist (a HEAD each)."""
    return delete_site_objects(
        [key for key in keys if services.site.head(key) is not None], services
    )


def digest_of(storage: Storage, key: str) -> str | None:
    info = storage.head(key)
    return None if info is None else info.digest
