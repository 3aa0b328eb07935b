"""A provider's codes for a language pair, read from the language table (polypub.languages)."""

from __future__ import annotations

from collections.abc import Mapping

from polypub import languages
from polypub.translate.errors import ProviderRejected


def pair_codes(
    provider: str, source: str, target: str, *, variants: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """``provider``'s (source, target) codes; ProviderRejected when it cannot name either.

    ``variants`` (language -> regional variant) picks the target's variant code.
    """
    found_source = languages.provider_codes(provider).get(source)
    found_target = languages.provider_codes(provider, target=True, variants=variants).get(target)
    if found_source is None or found_target is None:
        raise ProviderRejected(
            f"{provider} does not translate {source}->{target}", provider=provider
        )
    return found_source, found_target
