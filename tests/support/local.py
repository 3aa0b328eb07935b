"""Services over the local adapters (folders and JSON files), as `polypub build` wires them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from polypub.ports import Translator
from polypub.settings import Settings
from polypub.wiring import local_services
from support.pipeline import Services
from support.translators import echo


def folder_services(
    root: Path, *, settings: Settings | None = None, translator: Translator | None = None
) -> Services:
    """Source root/content (with an empty posts/), site root/site, state root/state.

    The translator defaults to `echo()`: instant and offline, since these tests are about
    the pipeline's rules, not a provider's words.
    """
    content = root / "content"
    (content / "posts").mkdir(parents=True, exist_ok=True)
    built, _, _ = local_services(
        settings or Settings(translators=("apertium",)), content, root / "site", root / "state"
    )
    return replace(built, translator=translator or echo())
