"""deep-translator 1.11.4 under our HTTP: session, timeouts, status mapping, keys kept out of URLs.

deep-translator calls the module-level ``requests.get`` / ``requests.post`` with no
timeout and no session, turns most failures into exceptions that lose the status (or,
for 403, quote the API key: ``AuthorizationException("Unauthorized access with the
api key " + key)``), and sends DeepL's key as an ``auth_key`` query parameter, which
DeepL no longer accepts and which puts the key into every URL a proxy or a log sees.
We do not fork it: in each library module we use, the name ``requests`` is rebound to
a seam. While one of our adapters is calling (marked by a context variable), the seam
hands the request to that adapter's Transport, which may reshape it (header instead
of query parameter, form body instead of URL), applies the timeout, and turns 429/5xx
into ProviderUnavailable and other 4xx into ProviderRejected before the library sees
the response; the library's own parsing then runs unchanged. Anybody else's calls go
to ``requests`` exactly as before. tests/integration/test_google_stub.py pins the
library version this is written for.
"""

from __future__ import annotations

import contextvars
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import requests
from deep_translator import exceptions as deep_errors

from polypub.translate.errors import ProviderRejected, ProviderUnavailable, TranslationError
from polypub.translate.providers.base import ChunkedTranslator
from polypub.translate.retry import RetryPolicy

Request = tuple[str, str, dict[str, Any]]


class Transport:
    """How one adapter's requests are made: its session, the timeout, its status mapping."""

    def __init__(self, provider: str, session: requests.Session) -> None:
        self.provider = provider
        self.session = session

    def prepare(self, method: str, url: str, kwargs: dict[str, Any]) -> Request:
        """Reshape the library's request (subclasses move keys out of URLs)."""
        return method, url, kwargs

    def check(self, response: requests.Response) -> None:
        """Raise for an error the provider reports with HTTP 200 (subclasses)."""

    def send(self, method: str, url: str, *, timeout: float, **kwargs: Any) -> requests.Response:
        method, url, kwargs = self.prepare(method, url, kwargs)
        provider = self.provider
        try:
            response = self.session.request(method, url, timeout=timeout, **kwargs)
        except requests.Timeout:
            raise ProviderUnavailable(
                f"{provider} did not answer within {timeout:g}s", provider=provider
            ) from None
        except requests.RequestException as exc:
            # Never str(exc): requests quotes the URL, whose query string holds the text.
            raise ProviderUnavailable(
                f"{provider} could not be reached ({type(exc).__name__})", provider=provider
            ) from None
        status = response.status_code
        if status == 429 or status >= 500:
            response.close()
            raise ProviderUnavailable(
                f"{provider} answered HTTP {status}", provider=provider, status=status
            )
        if status in (401, 403):
            response.close()
            raise ProviderRejected(
                f"{provider} refused the request (HTTP {status}): check its API key and account",
                provider=provider,
                status=status,
            )
        if status >= 400:
            response.close()
            raise ProviderRejected(
                f"{provider} refused the request (HTTP {status})", provider=provider, status=status
            )
        self.check(response)
        return response


_CURRENT: contextvars.ContextVar[tuple[Transport, float] | None] = contextvars.ContextVar(
    "polypub_deep_translator_transport", default=None
)


class _RequestsSeam:
    """Stands in for the name ``requests`` inside one deep-translator module."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        active = _CURRENT.get()
        if active is None:
            # Somebody else's call: the library's own behaviour, deliberately unchanged.
            return requests.get(url, params=params, **kwargs)  # noqa: S113
        transport, timeout = active
        return transport.send("GET", url, timeout=timeout, params=params, **kwargs)

    def post(
        self, url: str, data: Any = None, json: Any = None, **kwargs: Any
    ) -> requests.Response:
        active = _CURRENT.get()
        if active is None:
            return requests.post(url, data=data, json=json, **kwargs)  # noqa: S113
        transport, timeout = active
        return transport.send("POST", url, timeout=timeout, data=data, json=json, **kwargs)


def install_seam(module: ModuleType) -> None:
    """Rebind ``requests`` in one deep-translator module (idempotent)."""
    if not isinstance(getattr(module, "requests", None), _RequestsSeam):
        module.requests = _RequestsSeam()  # type: ignore[attr-defined]


@contextmanager
def using(transport: Transport, timeout: float) -> Iterator[None]:
    """Within the block, the library's requests go through ``transport``."""
    token = _CURRENT.set((transport, timeout))
    try:
        yield
    finally:
        _CURRENT.reset(token)


KeySource = Callable[[], str | None]


def _no_key() -> str | None:
    return None


class DeepTranslatorProvider(ChunkedTranslator):
    """A ChunkedTranslator whose requests are a deep-translator client's ``translate``."""

    #: The deep-translator modules whose ``requests`` this adapter's calls go through.
    modules: tuple[ModuleType, ...] = ()

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: KeySource = _no_key,
        timeout: float = 10.0,
        max_chars: int | None = None,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 4.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(
            timeout=timeout,
            max_chars=max_chars,
            retry=RetryPolicy(
                max_attempts=max_attempts,
                backoff=backoff,
                max_backoff=max_backoff,
                sleep=sleep,
                jitter=jitter,
            ),
        )
        self.base_url = base_url
        self._api_key = api_key
        self._seen_keys: set[str] = set()
        self.transport = self.make_transport(session or requests.Session())
        for module in self.modules:
            install_seam(module)

    def make_transport(self, session: requests.Session) -> Transport:
        return Transport(self.name, session)

    def api_key(self, *, required: str | None = None) -> str | None:
        """The key, looked up on use; ``required`` names where to set it when missing."""
        key = self._api_key()
        if key:
            self._seen_keys.add(key)
        elif required:
            raise ProviderRejected(f"{self.name} has no API key: {required}", provider=self.name)
        return key or None

    def secrets(self) -> tuple[str, ...]:
        return tuple(self._seen_keys)

    def _request(self, client: Any, text: str, timeout: float) -> str:
        with using(self.transport, timeout):
            try:
                result = client.translate(text)
            except TranslationError:
                raise
            except deep_errors.TranslationNotFound:
                raise ProviderUnavailable(
                    f"{self.name} answered without a translation", provider=self.name
                ) from None
            except (deep_errors.NotValidLength, deep_errors.NotValidPayload):
                raise ProviderRejected(
                    f"{self.name} refused the text's length or form", provider=self.name
                ) from None
            except (
                deep_errors.BaseError,
                deep_errors.RequestError,
                deep_errors.TooManyRequests,
                deep_errors.ServerException,
                deep_errors.MicrosoftAPIerror,
                deep_errors.AuthorizationException,
                requests.RequestException,
                ValueError,  # JSON that does not parse
                KeyError,
                IndexError,
                TypeError,
                AttributeError,  # JSON of an unexpected shape
            ) as exc:
                # Only the type: these messages may quote the text or, for 403, the key.
                raise ProviderUnavailable(
                    f"{self.name} answered something we could not read ({type(exc).__name__})",
                    provider=self.name,
                ) from None
        # The library answers None when the text has no letters to translate.
        return text if result is None else str(result)


def form(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The library's query parameters, as a form body instead (never in the URL)."""
    body = dict(kwargs.get("params") or {})
    if isinstance(kwargs.get("data"), Mapping):
        body.update(kwargs["data"])
    rest = {k: v for k, v in kwargs.items() if k not in ("params", "data", "json")}
    return {**rest, "data": body}
