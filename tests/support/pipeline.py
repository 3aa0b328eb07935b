"""The one place tests import the pipeline from, so that its layout can change under them."""

from polypub.pipeline import (
    MANY_CHANGES,
    ListingsUnsettledError,
    Outcome,
    Services,
    apply_source_change,
    apply_translation,
    finish,
    process_source_key,
    process_translation,
    refresh_listings,
)

__all__ = [
    "MANY_CHANGES",
    "ListingsUnsettledError",
    "Outcome",
    "Services",
    "apply_source_change",
    "apply_translation",
    "finish",
    "process_source_key",
    "process_translation",
    "refresh_listings",
]
