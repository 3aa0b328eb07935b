"""API keys per provider: from the environment locally, from one Secrets Manager secret in AWS."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from polypub.translate.errors import ProviderRejected, ProviderUnavailable

Loader = Callable[[], Mapping[str, str]]


class ApiKeys:
    """Keys by provider name (``deepl``, ``microsoft``, ``libre``), read on first use.

    Keys given explicitly (POLYPUB_*_API_KEY) win; otherwise the secret is read once
    per process, the first time a provider asks, so functions and runs that never
    call a keyed provider never touch Secrets Manager.
    """

    def __init__(self, given: Mapping[str, str] | None = None, load: Loader | None = None) -> None:
        self._given = {name: key for name, key in (given or {}).items() if key}
        self._load = load
        self._loaded: dict[str, str] | None = None
        self._lock = threading.Lock()

    def get(self, provider: str) -> str | None:
        if provider in self._given:
            return self._given[provider]
        if self._load is None:
            return None
        with self._lock:
            if self._loaded is None:
                self._loaded = {k: v for k, v in self._load().items() if isinstance(v, str) and v}
        return self._loaded.get(provider)

    def source(self, provider: str) -> Callable[[], str | None]:
        """A function giving ``provider``'s key when called (what adapters take)."""
        return lambda: self.get(provider)

    def __repr__(self) -> str:
        return f"ApiKeys(providers={sorted(self._given)}, secret={self._load is not None})"


def secrets_manager_loader(client: Any, secret_id: str) -> Loader:
    """Read a JSON secret ``{"deepl": "...", "microsoft": "...", "libre": "..."}``."""

    def load() -> Mapping[str, str]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = client.get_secret_value(SecretId=secret_id)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "error"))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            message = f"could not read the translator API keys secret ({code})"
            if status == 429 or status >= 500:
                raise ProviderUnavailable(message) from None
            raise ProviderRejected(message) from None
        except BotoCoreError as exc:
            raise ProviderUnavailable(
                f"could not read the translator API keys secret ({type(exc).__name__})"
            ) from None
        try:
            data = json.loads(response.get("SecretString") or "")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # Never quote the value: it is the secret.
            raise ProviderRejected(
                "the translator API keys secret must be a JSON object such as "
                '{"deepl": "...", "microsoft": "...", "libre": "..."}'
            )
        return {str(k): v for k, v in data.items() if isinstance(v, str)}

    return load
