"""SiteConfig: what page building needs, from Settings and the school's site config and theme."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from polypub.languages import is_known
from polypub.site.images import ImageSize

if TYPE_CHECKING:
    from polypub.settings import Settings

# Template name -> template source, sorted by name: hashable, so one sandboxed Jinja
# environment per theme can be cached.
ThemeTemplates = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SiteConfig:
    """Name, address, languages and look of the published site; languages[0] is the default."""

    name: str
    base_url: str
    languages: tuple[str, ...]
    default_language: str
    page_size: int = 10
    # From config/site.yml (polypub.site.design); empty means the packaged defaults.
    tagline: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    logo: str | None = None
    logo_size: ImageSize | None = None
    # Validated "#rrggbb" values by role ("primary", "accent"): nothing else reaches CSS.
    colors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Names of projects and authors per language, by URL slug (`proyecto-1` ->
    # {"en": "School garden"}); a language without one shows the name as written.
    projects: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    authors: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    theme: ThemeTemplates = ()
    # True while checking a theme upload: theme errors raise instead of falling back.
    strict_theme: bool = False

    def __post_init__(self) -> None:
        if not self.languages:
            raise ValueError("a site needs at least one language")
        missing = [lang for lang in self.languages if not is_known(lang)]
        if missing:
            raise ValueError(f"no interface strings for language(s) {', '.join(missing)}")
        if self.default_language not in self.languages:
            raise ValueError(
                f"default language {self.default_language!r} is not one of {self.languages}"
            )
        if self.page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {self.page_size}")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {self.base_url!r}")
        # URL rules build `base_url + "/en/..."`; a trailing slash would double it.
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @classmethod
    def from_settings(cls, settings: Settings) -> SiteConfig:
        return cls(
            name=settings.site_name,
            base_url=settings.site_url,
            languages=settings.languages,
            default_language=settings.default_language,
            page_size=settings.page_size,
        )
