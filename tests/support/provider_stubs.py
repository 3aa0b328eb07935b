"""Loopback HTTP stubs that answer like Google, DeepL, Microsoft, LibreTranslate and MyMemory."""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# The stubs "translate" like the fake translators' default answer, so that a provider's
# own request and parsing code must reproduce the same pages.
from support.translators import upper


@dataclass
class Seen:
    """One request as the stub received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    form: dict[str, str]


@dataclass
class Stub:
    """Scripted answers: an HTTP status, "hang" (never answers in time), else a translation."""

    kind: str
    base_url: str = ""
    requests: list[Seen] = field(default_factory=list)
    script: list[int | str] = field(default_factory=list)
    translate: Callable[[str], str] = upper
    # MyMemory reports errors in its JSON with HTTP 200.
    mymemory_status: int = 200
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def texts(self) -> list[str]:
        """The texts sent for translation, in order."""
        return [text for seen in self.requests for text in _texts(self.kind, seen)]

    def everything_sent(self) -> str:
        """Every byte of every request (URL, headers, body), for "is the key here?" checks."""
        return "\n".join(
            f"{s.method} {s.path}\n{json.dumps(s.headers)}\n{s.body}" for s in self.requests
        )


def _texts(kind: str, seen: Seen) -> list[str]:
    if kind == "google":
        return [seen.query.get("q", "")]
    if kind == "deepl":
        return [seen.form.get("text", "")]
    if kind == "libre":
        return [seen.form.get("q", "")]
    if kind == "mymemory":
        return [seen.query.get("q", "")]
    if kind == "microsoft":
        return [item["text"] for item in json.loads(seen.body or "[]")]
    raise ValueError(kind)


def _answer(stub: Stub, seen: Seen) -> tuple[str, bytes]:
    texts = [stub.translate(text) for text in _texts(stub.kind, seen)]
    if stub.kind == "google":
        # The shape deep-translator's parser reads, as on translate.google.com/m.
        page = (
            "<!DOCTYPE html><html><head><title>Google Translate</title></head><body>"
            f'<div class="result-container">{html.escape(texts[0], quote=False)}</div>'
            "</body></html>"
        )
        return "text/html; charset=utf-8", page.encode()
    if stub.kind == "deepl":
        payload: Any = {"translations": [{"detected_source_language": "EN", "text": texts[0]}]}
    elif stub.kind == "libre":
        payload = {"translatedText": texts[0]}
    elif stub.kind == "mymemory":
        payload = {
            "responseData": {"translatedText": texts[0], "match": 1},
            "responseStatus": stub.mymemory_status,
            "matches": [],
        }
    else:  # microsoft
        payload = [{"translations": [{"text": t, "to": seen.query.get("to", "")}]} for t in texts]
    return "application/json", json.dumps(payload).encode()


class _Handler(BaseHTTPRequestHandler):
    stub: Stub

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        content_type = self.headers.get("Content-Type") or ""
        form = (
            {k: v[0] for k, v in parse_qs(body).items()}
            if content_type.startswith("application/x-www-form-urlencoded")
            else {}
        )
        seen = Seen(
            method=method,
            path=self.path,
            query={k: v[0] for k, v in parse_qs(url.query).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            form=form,
        )
        self.stub.requests.append(seen)
        action = self.stub.script.pop(0) if self.stub.script else 200
        if action == "hang":
            self.stub.release.wait(5)
            return
        if action != 200:
            self.send_response(int(action))
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": "scripted failure"}')
            return
        kind, data = _answer(self.stub, seen)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean


# Where each provider's adapter expects the service, below the stub's root.
_PATHS = {"google": "/m", "deepl": "/v2/", "microsoft": "", "libre": "/", "mymemory": "/get"}


@contextmanager
def running_stub(kind: str) -> Iterator[Stub]:
    """A stub on 127.0.0.1, any free port; ``base_url`` is what the adapter is given."""
    state = Stub(kind)
    handler = type("Handler", (_Handler,), {"stub": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}{_PATHS[kind]}"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
