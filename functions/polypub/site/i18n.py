"""Interface strings and date formats of the site, per language (no locale module)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

# Placeholders in braces are filled by polypub.site.pages with str.format.
_STRINGS: dict[str, dict[str, str]] = {
    "es": {
        "autonym": "Español",
        "skip": "Saltar al contenido",
        "languages": "Idiomas",
        "read_in": "Leer en español",
        "home_in": "Portada en español",
        "home": "Portada",
        "breadcrumbs": "Ruta de navegación",
        "home_description": "Entradas de {site}",
        "page_n": "Página {n}",
        "newer": "Entradas más recientes",
        "older": "Entradas anteriores",
        "pagination": "Paginación",
        "archive": "Archivo",
        "project": "Proyecto",
        "project_description": "Entradas del proyecto {project}",
        "author": "Autoría",
        "author_description": "Entradas de {author}",
        "other_languages": "Otros idiomas",
        "by": "Por {author}",
        "machine_note": "Traducción automática {source}.",
        "stale_note": "Esta traducción puede estar desactualizada respecto al original.",
        "read_original": "Leer el original",
        "gallery": "Imágenes",
        "image_alt": "{title}, imagen {n}",
        "no_posts": "Todavía no hay entradas.",
        "feed": "Suscríbete (Atom)",
        "not_found_title": "Página no encontrada",
        "not_found_text": "La página que buscas no existe o se ha movido.",
        "back_home": "Ir a la portada",
    },
    "en": {
        "autonym": "English",
        "skip": "Skip to content",
        "languages": "Languages",
        "read_in": "Read in English",
        "home_in": "English home page",
        "home": "Home",
        "breadcrumbs": "Breadcrumb",
        "home_description": "Posts from {site}",
        "page_n": "Page {n}",
        "newer": "Newer posts",
        "older": "Older posts",
        "pagination": "Pagination",
        "archive": "Archive",
        "project": "Project",
        "project_description": "Posts from the project {project}",
        "author": "Author",
        "author_description": "Posts by {author}",
        "other_languages": "Other languages",
        "by": "By {author}",
        "machine_note": "Machine-translated {source}.",
        "stale_note": "This translation may be out of date with the original.",
        "read_original": "Read the original",
        "gallery": "Images",
        "image_alt": "{title}, image {n}",
        "no_posts": "No posts yet.",
        "feed": "Subscribe (Atom)",
        "not_found_title": "Page not found",
        "not_found_text": "The page you are looking for does not exist or has moved.",
        "back_home": "Go to the home page",
    },
    "ca": {
        "autonym": "Català",
        "skip": "Vés al contingut",
        "languages": "Idiomes",
        "read_in": "Llegeix en català",
        "home_in": "Portada en català",
        "home": "Portada",
        "breadcrumbs": "Ruta de navegació",
        "home_description": "Entrades de {site}",
        "page_n": "Pàgina {n}",
        "newer": "Entrades més recents",
        "older": "Entrades anteriors",
        "pagination": "Paginació",
        "archive": "Arxiu",
        "project": "Projecte",
        "project_description": "Entrades del projecte {project}",
        "author": "Autoria",
        "author_description": "Entrades de {author}",
        "other_languages": "Altres idiomes",
        "by": "Per {author}",
        "machine_note": "Traducció automàtica {source}.",
        "stale_note": "Aquesta traducció pot no estar al dia amb l'original.",
        "read_original": "Llegeix l'original",
        "gallery": "Imatges",
        "image_alt": "{title}, imatge {n}",
        "no_posts": "Encara no hi ha entrades.",
        "feed": "Subscriu-t'hi (Atom)",
        "not_found_title": "Pàgina no trobada",
        "not_found_text": "La pàgina que cerques no existeix o s'ha mogut.",
        "back_home": "Vés a la portada",
    },
}

# "from <language>" in each interface language; Spanish and Catalan contract the article.
_FROM_LANGUAGE: dict[str, dict[str, str]] = {
    "es": {"es": "del español", "en": "del inglés", "ca": "del catalán"},
    "en": {"es": "from Spanish", "en": "from English", "ca": "from Catalan"},
    "ca": {"es": "del castellà", "en": "de l'anglès", "ca": "del català"},
}

_MONTHS: dict[str, tuple[str, ...]] = {
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "ca": (
        "gener", "febrer", "març", "abril", "maig", "juny",
        "juliol", "agost", "setembre", "octubre", "novembre", "desembre",
    ),
}  # fmt: skip

# Open Graph wants a territory too; these are the ones a school here most likely means.
OG_LOCALES: Mapping[str, str] = MappingProxyType({"es": "es_ES", "en": "en_GB", "ca": "ca_ES"})

UI: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {lang: MappingProxyType(strings) for lang, strings in _STRINGS.items()}
)


def ui(lang: str) -> Mapping[str, str]:
    """The interface strings of one language."""
    return UI[lang]


def format_date(value: date, lang: str) -> str:
    """`22 de mayo de 2024`, `22 May 2024`, `22 de maig de 2024` / `3 d'abril de 2024`."""
    month = _MONTHS[lang][value.month - 1]
    if lang == "en":
        return f"{value.day} {month} {value.year}"
    if lang == "ca" and month[0] in "aeiou":
        # Catalan elides "de" before a vowel: d'abril, d'agost, d'octubre.
        return f"{value.day} d'{month} de {value.year}"
    return f"{value.day} de {month} de {value.year}"


def format_month(period: str, lang: str) -> str:
    """`2024-05` as `mayo de 2024`, `May 2024`, `maig de 2024` / `d'abril de 2024`."""
    year, _, month_number = period.partition("-")
    month = _MONTHS[lang][int(month_number) - 1]
    if lang == "en":
        return f"{month} {year}"
    if lang == "ca" and month[0] in "aeiou":
        return f"d'{month} de {year}"
    return f"{month} de {year}"


def machine_note(page_lang: str, source_lang: str) -> str:
    """`Machine-translated from Spanish.` in the page's language."""
    source = _FROM_LANGUAGE[page_lang].get(source_lang, source_lang)
    return UI[page_lang]["machine_note"].format(source=source)
