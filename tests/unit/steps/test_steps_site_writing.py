"""steps/site_writing.py: only changed bytes are written, every path recorded before it is."""

from __future__ import annotations

from conftest import Site
from polypub.steps.site_writing import (
    ASSET_CACHE,
    SiteObject,
    delete_existing,
    delete_site_objects,
    write_site_objects,
)


class Recording:
    """A site bucket that notes, at each write, which paths were already pending."""

    def __init__(self, site: Site) -> None:
        self.real_put = site.services.site.put
        self.catalog = site.services.catalog
        self.seen: list[tuple[str, bool]] = []

    def put(self, key: str, data: bytes, content_type: str, **kw: object) -> None:
        self.seen.append((key, "/" + key in self.catalog.pending_paths()))
        self.real_put(key, data, content_type, **kw)  # type: ignore[arg-type]


def test_only_objects_whose_bytes_differ_are_written(site: Site) -> None:
    services = site.services
    objects = {"a.html": SiteObject(b"one", "text/html"), "b.css": SiteObject(b"x", "text/css")}
    assert write_site_objects(objects, services) == ["/a.html", "/b.css"]
    assert write_site_objects(objects, services) == []
    objects["a.html"] = SiteObject(b"two", "text/html")
    assert write_site_objects(objects, services) == ["/a.html"]
    # A digest from a listing saves the HEAD; a wrong one means "write it".
    assert write_site_objects(objects, services, stored={"a.html": "0", "b.css": "0"}) == [
        "/a.html",
        "/b.css",
    ]


def test_a_path_is_pending_before_its_object_changes(site: Site) -> None:
    recording = Recording(site)
    site.services.site.put = recording.put  # type: ignore[method-assign]
    write_site_objects({"x/index.html": SiteObject(b"x", "text/html")}, site.services)
    assert recording.seen == [("x/index.html", True)]
    assert site.services.catalog.pending_paths() == {"/x/index.html"}


def test_deletes_are_recorded_and_missing_objects_are_left_alone(site: Site) -> None:
    services = site.services
    write_site_objects({"a.png": SiteObject(b"png", "image/png", ASSET_CACHE)}, services)
    services.catalog.remove_pending_paths(["/a.png"])
    assert delete_existing(["a.png", "never.png"], services) == ["/a.png"]
    assert services.site.get("a.png") is None
    assert services.catalog.pending_paths() == {"/a.png"}
    assert delete_site_objects([], services) == []
