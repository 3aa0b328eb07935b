"""The one place tests import the pipeline from, so that its layout can change under them."""

from polypub.pipeline import (
    apply_source_change,
    apply_translation,
    finish,
    process_source_key,
    process_translation,
)
from polypub.steps.context import Outcome, Services
from polypub.steps.errors import ListingsUnsettledError
from polypub.steps.listings import MANY_CHANGES, refresh_listings

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
