"""Fault injection for tests: AWS error responses through botocore hooks (translators: support)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse


class _Body:
    """The raw stream botocore reads a response body from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def s3_error(code: str, status: int) -> tuple[int, dict[str, str], bytes]:
    body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
    return status, {"Content-Type": "application/xml"}, body


def dynamodb_error(code: str, status: int = 400) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected"})
    return status, {"Content-Type": "application/x-amz-json-1.0"}, body.encode()


def cloudfront_error(code: str, status: int = 400) -> tuple[int, dict[str, str], bytes]:
    body = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>injected</Message></Error>"
        "<RequestId>injected</RequestId></ErrorResponse>"
    ).encode()
    return status, {"Content-Type": "text/xml"}, body


@dataclass
class Injected:
    """What a hook did: every call it saw, and how many it failed."""

    calls: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def failing(
    client: Any,
    operation: str,
    response: tuple[int, dict[str, str], bytes],
    *,
    times: int,
    when: Callable[[Any], bool] = lambda request: True,
) -> Iterator[Injected]:
    """Answer the first ``times`` matching calls of ``operation`` with ``response``.

    The error comes back through botocore's own parsing and retry handling (the hook
    runs before each HTTP attempt), exactly as if AWS had answered it.
    """
    state = Injected()
    service = client.meta.service_model.service_id.hyphenize()
    event = f"before-send.{service}.{operation}"

    def hook(request: Any, **_: Any) -> AWSResponse | None:
        if not when(request):
            return None
        with state.lock:
            state.calls += 1
            if state.failed >= times:
                return None
            state.failed += 1
        status, headers, body = response
        return AWSResponse(request.url, status, headers, _Body(body))

    client.meta.events.register(event, hook, unique_id=f"fault-{id(state)}")
    try:
        yield state
    finally:
        client.meta.events.unregister(event, unique_id=f"fault-{id(state)}")


def key_is(key: str) -> Callable[[Any], bool]:
    """Match S3 requests for one object key (the URL ends with it, percent-encoded or not)."""
    from urllib.parse import quote

    def match(request: Any) -> bool:
        url = str(request.url).split("?", 1)[0]
        return url.endswith("/" + quote(key)) or url.endswith("/" + key)

    return match
