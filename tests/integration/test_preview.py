"""PreviewServer: the embedded site bucket served with the CloudFront function's routing."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from polypub.local.aws import EmbeddedAws, MotoServer, start_embedded_aws
from polypub.local.preview import PreviewServer, StoredObject, bucket_reader, folder_reader
from polypub.local.template import describe

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH"),
]

SITE = {
    "es/index.html": (b"<html lang='es'>inicio</html>", "text/html; charset=utf-8"),
    "en/index.html": (b"<html lang='en'>home</html>", "text/html; charset=utf-8"),
    "en/posts/my.slug/index.html": (b"<html lang='en'>dotted</html>", "text/html; charset=utf-8"),
    "en/feed.xml": (b"<feed/>", "application/atom+xml"),
    "404.html": (b"<html>no existe / not found</html>", "text/html; charset=utf-8"),
    "en/404.html": (b"<html lang='en'>not found</html>", "text/html; charset=utf-8"),
    # Uploaded without a type, as some S3 clients do.
    "assets/images/uploads/dot.png": (b"\x89PNG\r\n\x1a\n", ""),
}


@pytest.fixture(scope="module")
def aws(moto_server: MotoServer) -> Iterator[EmbeddedAws]:
    embedded = start_embedded_aws(template=TEMPLATE, server=moto_server)
    s3 = embedded.client("s3")
    for key, (body, content_type) in SITE.items():
        extra = {"ContentType": content_type} if content_type else {}
        s3.put_object(Bucket=embedded.site_bucket, Key=key, Body=body, **extra)
    yield embedded
    embedded.stop()


@pytest.fixture(scope="module")
def preview(aws: EmbeddedAws) -> Iterator[PreviewServer]:
    reader = bucket_reader(aws.client("s3"), aws.site_bucket)
    with PreviewServer.from_template(reader, TEMPLATE) as server:
        yield server


def get(
    server: PreviewServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """One request, redirects not followed; header names lowercased."""
    netloc = urlsplit(server.url).netloc
    connection = http.client.HTTPConnection(netloc, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def test_root_redirects_by_accept_language(preview: PreviewServer) -> None:
    status, headers, _ = get(preview, "/", {"Accept-Language": "en-GB,en;q=0.9,es;q=0.8"})

    assert status == 302
    assert headers["location"] == "/en/"
    assert headers["cache-control"] == "private, no-store"


def test_root_defaults_to_spanish(preview: PreviewServer) -> None:
    status, headers, _ = get(preview, "/")
    assert (status, headers["location"]) == (302, "/es/")


def test_cookie_wins_over_accept_language(preview: PreviewServer) -> None:
    status, headers, _ = get(
        preview, "/?from=switcher", {"Accept-Language": "es", "Cookie": "theme=dark; lang=en"}
    )
    assert (status, headers["location"]) == (302, "/en/?from=switcher")


def test_language_home_serves_index_html(preview: PreviewServer) -> None:
    status, headers, body = get(preview, "/en/")

    assert status == 200
    assert body == SITE["en/index.html"][0]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-length"] == str(len(body))


def test_dotted_slug_redirects_then_serves(preview: PreviewServer) -> None:
    status, headers, _ = get(preview, "/en/posts/my.slug?ref=feed")
    assert (status, headers["location"]) == (301, "/en/posts/my.slug/?ref=feed")

    status, _, body = get(preview, "/en/posts/my.slug/?ref=feed")
    assert (status, body) == (200, SITE["en/posts/my.slug/index.html"][0])


def test_files_keep_their_type(preview: PreviewServer) -> None:
    status, headers, _ = get(preview, "/en/feed.xml")
    assert (status, headers["content-type"]) == (200, "application/atom+xml")

    status, headers, body = get(preview, "/assets/images/uploads/dot.png")
    assert (status, headers["content-type"], body) == (
        200,
        "image/png",
        SITE["assets/images/uploads/dot.png"][0],
    )


@pytest.mark.parametrize("path", ["/en/posts/gone/", "/es/posts/nada/", "/assets/nothing.png"])
def test_every_missing_path_gets_the_one_site_404_as_cloudfront_does(
    preview: PreviewServer, path: str
) -> None:
    # CloudFront's custom error response has one page for every path, whatever its
    # language; the preview must not show a friendlier page than production.
    status, headers, body = get(preview, path)

    assert (status, body) == (404, SITE["404.html"][0])
    assert headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/", "/en/", "/en/posts/gone/", "/en/posts/my.slug"])
def test_security_headers_on_every_response(preview: PreviewServer, path: str) -> None:
    _, headers, _ = get(preview, path)
    expected = describe(TEMPLATE).security_headers

    for name, value in expected.items():
        assert headers[name.lower()] == value
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in headers["content-security-policy"]


def test_head_has_headers_but_no_body(preview: PreviewServer) -> None:
    status, headers, body = get(preview, "/en/", method="HEAD")

    assert status == 200
    assert body == b""
    assert headers["content-length"] == str(len(SITE["en/index.html"][0]))


def test_concurrent_requests_share_one_node_child(preview: PreviewServer) -> None:
    paths = ["/en/", "/es/", "/", "/en/feed.xml"] * 10
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda p: get(preview, p)[0], paths))
    assert statuses == [200, 200, 302, 200] * 10


def test_a_dead_node_child_is_replaced(preview: PreviewServer) -> None:
    get(preview, "/en/")
    pid = preview.edge.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)  # let it die without being reaped: the server notices only on use

    status, _, _ = get(preview, "/en/")
    assert status == 200
    assert preview.edge.pid not in (None, pid)


def test_a_broken_edge_function_is_a_502(aws: EmbeddedAws, tmp_path: Path) -> None:
    broken = tmp_path / "viewer-request.js"
    broken.write_text("async function handler(event) { throw new Error('boom'); }\n")
    reader = bucket_reader(aws.client("s3"), aws.site_bucket)
    with PreviewServer(reader, edge_function=broken) as server:
        status, _, body = get(server, "/en/")
    assert status == 502
    assert b"boom" in body


def test_serves_a_local_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "es").mkdir(parents=True)
    (site / "es" / "index.html").write_text("<p>hola</p>", encoding="utf-8")
    (site / "404.html").write_text("<p>404</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not public", encoding="utf-8")

    with PreviewServer.from_template(folder_reader(site), TEMPLATE) as server:
        status, headers, body = get(server, "/es/")
        assert (status, body) == (200, b"<p>hola</p>")
        assert headers["content-type"] == "text/html; charset=utf-8"
        # Keys are URL paths: none may climb out of the folder.
        for path in ("/../secret.txt", "/%2E%2E/secret.txt", "/es/..%2F..%2Fsecret.txt"):
            status, _, body = get(server, path)
            assert (status, body) == (404, b"<p>404</p>"), path


def test_a_failing_origin_is_a_502(tmp_path: Path) -> None:
    def broken_reader(key: str) -> StoredObject | None:
        raise ConnectionError(f"bucket unreachable for {key}")

    edge_function = describe(TEMPLATE).edge_function
    assert edge_function is not None
    assert edge_function.source_file is not None
    with PreviewServer(broken_reader, edge_function=edge_function.source_file) as server:
        status, _, body = get(server, "/en/")
        assert status == 502
        assert b"bucket unreachable for en/index.html" in body
        # Redirects need no origin and still work.
        assert get(server, "/")[0] == 302
