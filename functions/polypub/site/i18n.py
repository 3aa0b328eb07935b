"""Interface strings, dates and locales of the site's pages, read from polypub.languages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from polypub import languages


def ui(lang: str) -> Mapping[str, str]:
    """The interface strings of one language."""
    return languages.language(lang).ui


def og_locale(lang: str) -> str:
    """The Open Graph locale (`es_ES`) of a language; the code itself for an unknown one."""
    return languages.language(lang).og_locale if languages.is_known(lang) else lang


def format_date(value: date, lang: str) -> str:
    """`22 de mayo de 2024`, `22 May 2024`, `22 de maig de 2024` / `3 d'abril de 2024`."""
    return languages.language(lang).format_date(value)


def format_month(period: str, lang: str) -> str:
    """`2024-05` as `mayo de 2024`, `May 2024`, `maig de 2024` / `d'abril de 2024`."""
    year, _, month_number = period.partition("-")
    return languages.language(lang).format_month(year, int(month_number))


def machine_note(page_lang: str, source_lang: str) -> str:
    """`Machine-translated from Spanish.` in the page's language."""
    entry = languages.language(page_lang)
    source = entry.from_language.get(source_lang, source_lang)
    return entry.ui["machine_note"].format(source=source)
