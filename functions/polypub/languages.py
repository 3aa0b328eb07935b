"""The one table of languages: per language, its UI strings, dates, locale and provider codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

# Every interface string a page uses; each language must give all of them. Placeholders
# in braces are filled by polypub.site.pages with str.format.
UI_KEYS = (
    "autonym", "skip", "languages", "read_in", "home_in", "home", "breadcrumbs", "home_description",
    "page_n", "newer", "older", "pagination", "archive", "project", "project_description",
    "author", "author_description", "other_languages", "by", "machine_note", "stale_note",
    "read_original", "gallery", "image_alt", "no_posts", "feed", "not_found_title",
    "not_found_text", "back_home",
)  # fmt: skip

_VOWELS = "aeiou"


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class DateFormats:
    """How a language writes a day and a month (str.format with day, month, year).

    The `*_before_vowel` forms apply when the month's name starts with a vowel
    (Catalan elides "de": `3 d'abril de 2024`); None means the same as the plain form.
    """

    day: str
    month: str
    day_before_vowel: str | None = None
    month_before_vowel: str | None = None


@dataclass(frozen=True)
class Language:
    """Everything the code knows about one language. Adding a language is adding one."""

    code: str
    # Open Graph wants a territory too: the one a school here most likely means.
    og_locale: str
    months: tuple[str, ...]
    dates: DateFormats
    ui: Mapping[str, str]
    # "from <language>" in this language, per source language (the machine-translation note).
    from_language: Mapping[str, str]
    # Provider name (polypub.translate.providers.PROVIDERS) -> the provider's code for
    # this language; a provider missing here refuses pairs with it.
    providers: Mapping[str, str]
    # Provider name -> its code for this language as a target, where it differs
    # (DeepL wants a variant: EN-GB).
    provider_targets: Mapping[str, str] = field(default_factory=dict)
    # Regional variants (POLYPUB_CATALAN_VARIANT): name -> provider target codes
    # that replace `providers` when translating into it. The first is the default.
    variants: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Words always written with a capital, whatever their place (English "I").
    capitalised: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        missing = [key for key in UI_KEYS if key not in self.ui]
        if missing:
            raise ValueError(f"language {self.code!r} lacks UI strings: {', '.join(missing)}")
        if len(self.months) != 12:
            raise ValueError(f"language {self.code!r} names {len(self.months)} months, not 12")
        object.__setattr__(self, "ui", _frozen(self.ui))
        object.__setattr__(self, "from_language", _frozen(self.from_language))
        object.__setattr__(self, "providers", _frozen(self.providers))
        object.__setattr__(self, "provider_targets", _frozen(self.provider_targets))
        object.__setattr__(
            self,
            "variants",
            MappingProxyType({name: _frozen(codes) for name, codes in self.variants.items()}),
        )

    def format_date(self, value: date) -> str:
        """`22 de mayo de 2024`, `22 May 2024`, `3 d'abril de 2024`."""
        month = self.months[value.month - 1]
        pattern = self.dates.day
        if month[0] in _VOWELS and self.dates.day_before_vowel:
            pattern = self.dates.day_before_vowel
        return pattern.format(day=value.day, month=month, year=value.year)

    def format_month(self, year: str, month_number: int) -> str:
        """`mayo de 2024`, `May 2024`, `d'abril de 2024`."""
        month = self.months[month_number - 1]
        pattern = self.dates.month
        if month[0] in _VOWELS and self.dates.month_before_vowel:
            pattern = self.dates.month_before_vowel
        return pattern.format(month=month, year=year)

    def provider_code(
        self, provider: str, *, target: bool = False, variant: str = ""
    ) -> str | None:
        """The provider's code for this language (as a target: its variant's), or None."""
        if target:
            if variant and provider in self.variants.get(variant, {}):
                return self.variants[variant][provider]
            if provider in self.provider_targets:
                return self.provider_targets[provider]
        return self.providers.get(provider)


_SPANISH_MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip

SPANISH = Language(
    code="es",
    og_locale="es_ES",
    months=_SPANISH_MONTHS,
    dates=DateFormats(day="{day} de {month} de {year}", month="{month} de {year}"),
    ui={
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
    # Spanish and Catalan contract the article: "del".
    from_language={"es": "del español", "en": "del inglés", "ca": "del catalán"},
    providers={
        "apertium": "spa",
        "google": "es",
        "deepl": "es",
        "microsoft": "es",
        "libre": "es",
        # MyMemory names languages with a region.
        "mymemory": "es-ES",
        "aws": "es",
    },
)

_ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

ENGLISH = Language(
    code="en",
    og_locale="en_GB",
    months=_ENGLISH_MONTHS,
    dates=DateFormats(day="{day} {month} {year}", month="{month} {year}"),
    ui={
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
    from_language={"es": "from Spanish", "en": "from English", "ca": "from Catalan"},
    providers={
        "apertium": "eng",
        "google": "en",
        "deepl": "en",
        "microsoft": "en",
        "libre": "en",
        "mymemory": "en-GB",
        "aws": "en",
    },
    # DeepL asks for an explicit variant of English as a target.
    provider_targets={"deepl": "EN-GB"},
    capitalised=frozenset({"I"}),
)

_CATALAN_MONTHS = (
    "gener", "febrer", "març", "abril", "maig", "juny",
    "juliol", "agost", "setembre", "octubre", "novembre", "desembre",
)  # fmt: skip

CATALAN = Language(
    code="ca",
    og_locale="ca_ES",
    months=_CATALAN_MONTHS,
    dates=DateFormats(
        day="{day} de {month} de {year}",
        month="{month} de {year}",
        # Catalan elides "de" before a vowel: d'abril, d'agost, d'octubre.
        day_before_vowel="{day} d'{month} de {year}",
        month_before_vowel="d'{month} de {year}",
    ),
    ui={
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
    from_language={"es": "del castellà", "en": "de l'anglès", "ca": "del català"},
    # DeepL has no Catalan: deepl refuses pairs with it.
    providers={
        "apertium": "cat",
        "google": "ca",
        "microsoft": "ca",
        "libre": "ca",
        "mymemory": "ca-ES",
        "aws": "ca",
    },
    # Apertium's Spanish/English -> Catalan modes come in a Valencian variant too.
    variants={"central": {}, "valencia": {"apertium": "cat_valencia"}},
)

# Every language the code knows, by code. Read it through the functions below (which
# look it up on each call), so a test can put a fixture table in its place.
LANGUAGES: Mapping[str, Language] = MappingProxyType(
    {lang.code: lang for lang in (SPANISH, ENGLISH, CATALAN)}
)
# The site languages when nothing says otherwise (POLYPUB_LANGUAGES, the SAM parameter
# SiteLanguages, the edge function's list); the first is the default language.
DEFAULT_SITE_LANGUAGES = ("es", "en")


def known_languages() -> tuple[str, ...]:
    """Every language code the table knows, in table order."""
    return tuple(LANGUAGES)


def is_known(code: str) -> bool:
    return code in LANGUAGES


def language(code: str) -> Language:
    """The table entry of one language (KeyError names an unknown one)."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise KeyError(f"unknown language {code!r}; known: {', '.join(LANGUAGES)}") from None


def provider_codes(
    provider: str, *, target: bool = False, variants: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Our code -> the provider's, for every language the provider can name.

    ``variants`` (language -> variant name) picks regional target codes.
    """
    chosen = variants or {}
    codes = {
        code: entry.provider_code(provider, target=target, variant=chosen.get(code, ""))
        for code, entry in LANGUAGES.items()
    }
    return {code: value for code, value in codes.items() if value is not None}
