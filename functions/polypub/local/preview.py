"""PreviewServer: the site bucket over loopback HTTP, routed by the CloudFront function itself."""

from __future__ import annotations

import base64
import itertools
import json
import logging
import mimetypes
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

from polypub.languages import DEFAULT_SITE_LANGUAGES
from polypub.local.template import describe, edge_source

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)

EDGE_RUNNER = Path(__file__).with_name("edge_runner.js")


@dataclass(frozen=True)
class StoredObject:
    """An object's body and the metadata the preview passes on."""

    body: bytes
    content_type: str | None = None
    cache_control: str | None = None


# key -> the object, or None when there is none.
ObjectReader = Callable[[str], StoredObject | None]


def bucket_reader(client: S3Client, bucket: str) -> ObjectReader:
    """Read objects from a bucket (the embedded AWS's site bucket)."""

    def read(key: str) -> StoredObject | None:
        try:
            response = client.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        return StoredObject(
            body=response["Body"].read(),
            content_type=response.get("ContentType"),
            cache_control=response.get("CacheControl"),
        )

    return read


def folder_reader(root: Path) -> ObjectReader:
    """Read objects from a folder laid out like the bucket (`polypub build --out`)."""
    base = root.resolve()

    def read(key: str) -> StoredObject | None:
        path = (base / key).resolve()
        # A key is a URL path: "..", or an absolute one, must not leave the folder.
        if not path.is_relative_to(base) or not path.is_file():
            return None
        return StoredObject(body=path.read_bytes())

    return read


class EdgeFunctionError(RuntimeError):
    """The edge function could not be run, or failed on an event."""


class EdgeFunction:
    """A CloudFront Functions file running in one long-lived node child.

    One event at a time over JSON lines (a lock serialises callers); a child that dies
    or stalls is replaced on the next call.
    """

    def __init__(
        self,
        source: Path,
        *,
        node: str | None = None,
        timeout: float = 5.0,
        languages: Sequence[str] | None = None,
    ) -> None:
        found = node or shutil.which("node")
        if found is None:
            raise EdgeFunctionError(
                f"node is not on PATH; the preview runs {source} with node to route like CloudFront"
            )
        if not source.is_file():
            raise EdgeFunctionError(f"edge function {source} does not exist")
        self.source = source
        self._script = source
        if languages is not None:
            # What CloudFormation deploys for these languages (template.yaml's !Sub
            # copy), made from the file itself so that an edit shows without a sync.
            self._scratch = tempfile.TemporaryDirectory(prefix="polypub-edge-")
            self._script = Path(self._scratch.name) / source.name
            code = edge_source(source.read_text(encoding="utf-8"), languages)
            self._script.write_text(code, encoding="utf-8")
        self._node = found
        self._timeout = timeout
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._child: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    def _start(self) -> subprocess.Popen[str]:
        child = subprocess.Popen(
            [self._node, str(EDGE_RUNNER), str(self._script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # The function's console.log goes to stderr, as CloudWatch would show it.
            stderr=None,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump(stream: Any) -> None:
            # A reader thread turns a blocking pipe into a queue we can wait on with a
            # timeout, so a function stuck in a loop cannot hang the preview.
            for line in stream:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, args=(child.stdout,), daemon=True).start()
        self._lines = lines
        return child

    @property
    def pid(self) -> int | None:
        """The node child's process id, while one runs."""
        return None if self._child is None else self._child.pid

    def run(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The function's result for `event`: a request object, or a response object."""
        with self._lock:
            # A child that died since the last call is noticed only on writing or reading;
            # the function is pure, so asking a fresh child once more is safe.
            line = self._exchange(event)
            if line is None:
                self._kill()
                line = self._exchange(event)
            if line is None:
                self._kill()
                raise EdgeFunctionError(f"{self.source.name} exited; see its output above")
            reply: dict[str, Any] = json.loads(line)
            if "error" in reply:
                raise EdgeFunctionError(f"{self.source.name} failed: {reply['error']}")
            result: dict[str, Any] = reply["result"]
            return result

    def _exchange(self, event: Mapping[str, Any]) -> str | None:
        """One event out, its reply line back; None when the child is gone."""
        if self._child is None or self._child.poll() is not None:
            self._child = self._start()
        child = self._child
        message_id = next(self._ids)
        assert child.stdin is not None  # Popen was given stdin=PIPE
        try:
            child.stdin.write(json.dumps({"id": message_id, "event": event}) + "\n")
            child.stdin.flush()
        except OSError:
            return None
        try:
            line = self._lines.get(timeout=self._timeout)
        except queue.Empty as exc:
            self._kill()
            raise EdgeFunctionError(
                f"{self.source.name} gave no answer within {self._timeout} s"
            ) from exc
        if line is not None and json.loads(line).get("id") != message_id:
            self._kill()
            raise EdgeFunctionError(f"{self.source.name}: out-of-step reply {line!r}")
        return line

    def _kill(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None

    def close(self) -> None:
        with self._lock:
            if self._child is not None:
                assert self._child.stdin is not None
                self._child.stdin.close()
                try:
                    self._child.wait(timeout=self._timeout)
                except subprocess.TimeoutExpired:
                    self._child.kill()
                    self._child.wait()
                self._child = None


def viewer_request_event(
    method: str, target: str, headers: Sequence[tuple[str, str]], client_ip: str
) -> dict[str, Any]:
    """The event CloudFront passes a viewer-request function for an HTTP request."""
    # Origin-form ("/a?b") is split by hand: urlsplit would read "//x/" as a host.
    if target.startswith(("http://", "https://")):
        parts = urlsplit(target)
        path, query = parts.path, parts.query
    else:
        path, _, query = target.partition("#")[0].partition("?")
    querystring: dict[str, dict[str, Any]] = {}
    # Values stay URL-encoded, as CloudFront hands them to the function.
    for pair in query.split("&") if query else []:
        name, _, value = pair.partition("=")
        _add_value(querystring, name, value)
    header_values: dict[str, dict[str, Any]] = {}
    cookies: dict[str, dict[str, Any]] = {}
    for name, value in headers:
        lower = name.lower()
        # CloudFront parses Cookie into `cookies` and leaves it out of `headers`.
        if lower == "cookie":
            for crumb in value.split(";"):
                cookie, sep, cookie_value = crumb.strip().partition("=")
                if sep and cookie:
                    _add_value(cookies, cookie, cookie_value)
        else:
            _add_value(header_values, lower, value)
    return {
        "version": "1.0",
        "context": {"eventType": "viewer-request", "distributionId": "PREVIEW"},
        "viewer": {"ip": client_ip},
        "request": {
            "method": method,
            "uri": path or "/",
            "querystring": querystring,
            "headers": header_values,
            "cookies": cookies,
        },
    }


def _add_value(into: dict[str, dict[str, Any]], name: str, value: str) -> None:
    entry = into.get(name)
    if entry is None:
        into[name] = {"value": value}
        return
    entry.setdefault("multiValue", [{"value": entry["value"]}]).append({"value": value})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    preview: PreviewServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.preview.handle(self, head=False)

    def do_HEAD(self) -> None:
        self.server.preview.handle(self, head=True)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class PreviewServer:
    """Serves a site from an ObjectReader with CloudFront's routing, errors and headers."""

    def __init__(
        self,
        reader: ObjectReader,
        *,
        edge_function: Path,
        security_headers: Mapping[str, str] | None = None,
        languages: Sequence[str] | None = None,
        not_found_page: str = "/404.html",
        host: str = "127.0.0.1",
        port: int = 0,
        node: str | None = None,
    ) -> None:
        self._reader = reader
        # With `languages`, the edge function routes exactly these (the SiteLanguages
        # parameter); without, it runs as its file says.
        self.edge = EdgeFunction(edge_function, node=node, languages=languages)
        self.security_headers = dict(security_headers or {})
        self.languages = tuple(languages or DEFAULT_SITE_LANGUAGES)
        self.not_found_page = not_found_page
        self._address = (host, port)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_template(
        cls,
        reader: ObjectReader,
        template: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        parameters: Mapping[str, str] | None = None,
    ) -> PreviewServer:
        """A preview configured by template.yaml: its edge function, headers and 404 page."""
        stack = describe(template, parameters=parameters)
        edge = stack.edge_function
        if edge is None or edge.source_file is None:
            raise EdgeFunctionError(f"{template} names no edge function source file")
        not_found = stack.error_pages.get(404)
        return cls(
            reader,
            edge_function=edge.source_file,
            security_headers=stack.security_headers,
            languages=stack.languages,
            not_found_page=not_found.path if not_found else "/404.html",
            host=host,
            port=port,
        )

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("PreviewServer is not started")
        host, port = self._httpd.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def start(self) -> PreviewServer:
        httpd = _Server(self._address, _Handler)
        httpd.preview = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.edge.close()

    def __enter__(self) -> PreviewServer:
        return self.start() if self._httpd is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ requests

    def handle(self, request: BaseHTTPRequestHandler, *, head: bool) -> None:
        event = viewer_request_event(
            request.command, request.path, list(request.headers.items()), request.client_address[0]
        )
        try:
            result = self.edge.run(event)
        except EdgeFunctionError as exc:
            log.error("edge function: %s", exc)
            self._send(
                request,
                502,
                {"Content-Type": "text/plain; charset=utf-8"},
                f"edge function failed: {exc}\n".encode(),
                head=head,
            )
            return
        if "statusCode" in result:
            self._send_function_response(request, result, head=head)
            return
        uri = str(result.get("uri", event["request"]["uri"]))
        try:
            # CloudFront asks S3 for the URL path; S3 decodes it into the key.
            found = self._reader(unquote(uri.lstrip("/")))
            if found is None:
                self._send_not_found(request, uri, head=head)
                return
        except Exception as exc:
            # CloudFront answers 502 when its origin fails; so does the preview, and
            # it keeps serving.
            log.exception("reading %s failed", uri)
            self._send(
                request,
                502,
                {"Content-Type": "text/plain; charset=utf-8"},
                f"origin failed: {exc}\n".encode(),
                head=head,
            )
            return
        headers = {"Content-Type": _content_type(uri, found.content_type)}
        if found.cache_control:
            headers["Cache-Control"] = found.cache_control
        self._send(request, 200, headers, found.body, head=head)

    def _send_function_response(
        self, request: BaseHTTPRequestHandler, result: Mapping[str, Any], *, head: bool
    ) -> None:
        headers: list[tuple[str, str]] = []
        for name, entry in (result.get("headers") or {}).items():
            for item in entry.get("multiValue") or [entry]:
                headers.append((name, str(item["value"])))
        body = result.get("body")
        data = b""
        if isinstance(body, str):
            data = body.encode()
        elif isinstance(body, dict):
            text = str(body.get("data", ""))
            data = base64.b64decode(text) if body.get("encoding") == "base64" else text.encode()
        self._send(request, int(result["statusCode"]), headers, data, head=head)

    def _send_not_found(self, request: BaseHTTPRequestHandler, uri: str, *, head: bool) -> None:
        # Exactly what CloudFront's custom error response does: one page for every
        # missing path (the site makes it speak every language), status 404.
        key = self.not_found_page.lstrip("/")
        found = self._reader(key)
        if found is None:
            self._send(
                request,
                404,
                {"Content-Type": "text/plain; charset=utf-8"},
                b"Not Found\n",
                head=head,
            )
            return
        headers = {"Content-Type": _content_type(key, found.content_type)}
        self._send(request, 404, headers, found.body, head=head)

    def _send(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        headers: Mapping[str, str] | Sequence[tuple[str, str]],
        body: bytes,
        *,
        head: bool,
    ) -> None:
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        request.send_response(status)
        given = {name.lower() for name, _ in pairs}
        for name, value in pairs:
            request.send_header(name, value)
        # The response headers policy applies to every response CloudFront sends.
        for name, value in self.security_headers.items():
            if name.lower() not in given:
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        if not head:
            request.wfile.write(body)


# The types of the files the site serves (the edge function's FILE_EXTENSIONS), fixed
# here because mimetypes' answers depend on the machine's /etc/mime.types.
_SITE_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
}


def _content_type(key: str, stored: str | None) -> str:
    # S3 answers binary/octet-stream for objects uploaded without a type; browsers
    # would download such a page instead of showing it, so guess from the name.
    if stored and stored not in ("binary/octet-stream", "application/octet-stream"):
        return stored
    suffix = Path(key).suffix.lower()
    if suffix in _SITE_TYPES:
        return _SITE_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(key)
    if guessed is None:
        return "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/xml", "application/json"):
        return f"{guessed}; charset=utf-8"
    return guessed
