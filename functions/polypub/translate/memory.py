"""Translation memory keys, and the in-process memory used by tests and one-off builds."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from polypub.content.segments import normalise

# The provider name under which people's corrections are filed (steps/people.py learns
# them from a post-edited translation): the engine asks memory for it before any
# provider, so a sentence a teacher corrected stays corrected, whoever translates.
PERSON = "person"


def memory_key(provider: str, source: str, target: str, text: str, glossary: str = "") -> str:
    """``provider|source|target|sha256(normalised text [+ glossary entries' hash])``.

    ``glossary`` is Segment.glossary, the hash of the glossary entries the segment
    uses: editing one entry changes the keys of exactly the segments that use it.
    Segments that use none keep the plain text hash.
    """
    material = normalise(text) if not glossary else f"{normalise(text)}\n{glossary}"
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
    return f"{provider}|{source}|{target}|{digest}"


class DictMemory:
    """A TranslationMemory in a dict: lives as long as the process."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self.items: dict[str, str] = dict(items or {})

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return {key: self.items[key] for key in keys if key in self.items}

    def put_many(self, items: Mapping[str, str]) -> None:
        self.items.update(items)
