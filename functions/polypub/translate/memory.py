"""Translation memory keys, and the in-process memory used by tests and one-off builds."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from polypub.content.segments import normalise


def memory_key(provider: str, source: str, target: str, text: str) -> str:
    """``provider|source|target|sha256(normalised text)``: one translated segment."""
    digest = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
    return f"{provider}|{source}|{target}|{digest}"


class DictMemory:
    """A TranslationMemory in a dict: lives as long as the process."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self.items: dict[str, str] = dict(items or {})

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return {key: self.items[key] for key in keys if key in self.items}

    def put_many(self, items: Mapping[str, str]) -> None:
        self.items.update(items)
