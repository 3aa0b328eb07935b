"""The school's look from the source bucket: config/site.yml and the theme/ templates."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from jinja2 import TemplateError, TemplateSyntaxError

from polypub.content.errors import (
    ContentError,
    DuplicateKeyError,
    FrontMatterTooComplexError,
    InvalidCharacterError,
)
from polypub.content.post import image_problem, load_yaml
from polypub.model import PostEntry, VersionInfo
from polypub.site import urls
from polypub.site.config import SiteConfig
from polypub.site.images import ImageSize, measure_images
from polypub.site.pages import build_listings, render_post_page
from polypub.site.render import ThemeTooExpensive, environment

if TYPE_CHECKING:
    from polypub.ports import Storage
    from polypub.settings import Settings

SITE_CONFIG_KEY = "config/site.yml"
THEME_PREFIX = "theme/"
MAX_CONFIG_BYTES = 64 * 1024
MAX_TEMPLATE_BYTES = 256 * 1024
MAX_THEME_TEMPLATES = 50
THEME_SUFFIXES = (".html", ".xml")

# White text sits on the primary colour (header bar) and the primary colour is the link
# colour on white: WCAG AA asks 4.5:1 for text. The accent marks focus: 3:1 for UI.
MIN_PRIMARY_CONTRAST = 4.5
MIN_ACCENT_CONTRAST = 3.0
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FIELDS = ("name", "tagline", "logo", "colors", "projects", "authors")
# A school has a handful of projects and a staff room of authors; more is a mistake.
MAX_NAMES = 500
_COLOR_ROLES = ("primary", "accent")
_EXAMPLE = (
    "name: IES Abastos\n"
    "tagline:\n  es: Proyectos europeos\n  en: European projects\n"
    "logo: /assets/images/uploads/logo.png\n"
    'colors:\n  primary: "#1f4e8c"\n  accent: "#c2410c"\n'
    "projects:\n  proyecto-1:\n    es: Huerto escolar europeo\n    en: European school garden"
)


class DesignError(ContentError):
    """config/site.yml or a theme template cannot be used, and why (for the teacher)."""

    code: ClassVar[str] = "invalid-site-config"


class SiteConfigSyntaxError(DesignError):
    """config/site.yml is not YAML, or not a set of `name: value` lines."""

    code: ClassVar[str] = "invalid-yaml"


class SiteConfigDuplicateKeyError(DesignError):
    """A field of config/site.yml is written twice."""

    code: ClassVar[str] = DuplicateKeyError.code


class SiteConfigCharacterError(DesignError):
    """config/site.yml holds half of a character (a lone surrogate escape)."""

    code: ClassVar[str] = InvalidCharacterError.code


class SiteConfigFieldError(DesignError):
    """A field of config/site.yml is unknown or has a value the site cannot use."""

    code: ClassVar[str] = "invalid-setting"


class ColorError(DesignError):
    """A colour is not `#rrggbb`, or text on it would be hard to read."""

    code: ClassVar[str] = "invalid-color"


class ThemeTemplateError(DesignError):
    """A theme template does not compile, or fails when pages are rendered with it."""

    code: ClassVar[str] = "invalid-template"


class ThemeTooExpensiveError(ThemeTemplateError):
    """A theme template takes too long or makes too much to render a page (site/render.Limits)."""

    code: ClassVar[str] = "theme-too-expensive"


@dataclass(frozen=True)
class Design:
    """What the school configured; empty values mean the packaged defaults."""

    name: str | None = None
    # Per language; a plain text in the file applies to every language.
    tagline: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    logo: str | None = None
    logo_size: ImageSize | None = None
    colors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # By URL slug, then language: what readers see instead of `proyecto-1` or a name.
    projects: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    authors: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    theme: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LoadedDesign:
    """The usable part of the design, and every problem found (by source key)."""

    design: Design
    problems: tuple[tuple[str, DesignError], ...] = ()


def is_design_key(key: str) -> bool:
    """True for the source keys that change how every page looks.

    Other files under theme/ (notes, error reports written beside a template) are not.
    """
    return key == SITE_CONFIG_KEY or theme_name(key) is not None


# ---------------------------------------------------------------- config/site.yml


def parse_site_config(data: bytes, languages: Sequence[str]) -> tuple[Design, list[DesignError]]:
    """The usable fields of config/site.yml, and a problem for each unusable one.

    Lenient on purpose: a bad colour drops the colours, not the school's name. The
    upload check turns the problems into a report for the teacher.
    """
    if len(data) > MAX_CONFIG_BYTES:
        return Design(), [
            SiteConfigSyntaxError(
                f"config/site.yml is {len(data)} bytes; a site config needs only a few "
                f"lines (at most {MAX_CONFIG_BYTES} bytes)."
            )
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Design(), [
            SiteConfigSyntaxError(
                "config/site.yml is not UTF-8 text. Save it as UTF-8 in your editor and "
                "upload it again."
            )
        ]
    try:
        values, _ = load_yaml(text, where=SITE_CONFIG_KEY)
    except DuplicateKeyError as exc:
        return Design(), [SiteConfigDuplicateKeyError(exc.message, line=exc.line)]
    except InvalidCharacterError as exc:
        return Design(), [SiteConfigCharacterError(exc.message, line=exc.line)]
    except (ValueError, OverflowError, RecursionError):
        # e.g. a number thousands of digits long, which Python refuses to build.
        return Design(), [
            SiteConfigSyntaxError(
                "config/site.yml has a value that cannot be read (for example a number "
                f"thousands of digits long). Put unusual values in double quotes, like:\n{_EXAMPLE}"
            )
        ]
    except FrontMatterTooComplexError:
        return Design(), [
            SiteConfigSyntaxError(
                "config/site.yml is too complex (nested too deeply, or built with & and * "
                f"aliases). Write the fields out plainly, like:\n{_EXAMPLE}"
            )
        ]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        where = f" on line {line}" if line else ""
        return Design(), [
            SiteConfigSyntaxError(
                f"config/site.yml has a mistake{where}: {getattr(exc, 'problem', None) or exc}. "
                "Each line must be 'name: value' with a space after the colon; put "
                f'colours in double quotes ("#1f4e8c"). For example:\n{_EXAMPLE}',
                line=line,
            )
        ]
    if values is None:
        return Design(), []
    if not isinstance(values, dict):
        return Design(), [
            SiteConfigSyntaxError(
                "config/site.yml must be a set of 'name: value' lines, like:\n" + _EXAMPLE
            )
        ]
    problems: list[DesignError] = []
    fields: dict[str, Any] = {}
    for raw_key, value in values.items():
        key = str(raw_key).strip().lower()
        key = "colors" if key == "colours" else key  # both spellings are English
        if key in _FIELDS:
            fields[key] = value
            continue
        close = difflib.get_close_matches(key, _FIELDS, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        problems.append(
            SiteConfigFieldError(
                f"config/site.yml has a field '{raw_key}' that the site does not know.{hint} "
                f"The fields are: {', '.join(_FIELDS)}."
            )
        )
    name = _text_field(fields, "name", problems)
    tagline = _tagline(fields.get("tagline"), languages, problems)
    logo = _logo(fields.get("logo"), problems)
    colors = _colors(fields.get("colors"), problems)
    design = Design(
        name=name,
        tagline=MappingProxyType(tagline),
        logo=logo,
        colors=MappingProxyType(colors),
        projects=_names(fields.get("projects"), "projects", urls.project_slug, languages, problems),
        authors=_names(fields.get("authors"), "authors", urls.author_slug, languages, problems),
    )
    return design, problems


def _text_field(fields: Mapping[str, Any], name: str, problems: list[DesignError]) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool | dict | list) or not str(value).strip():
        problems.append(SiteConfigFieldError(f"config/site.yml: '{name}' must be a short text."))
        return None
    text = " ".join(str(value).split())
    if len(text) > 100:
        problems.append(
            SiteConfigFieldError(f"config/site.yml: '{name}' is longer than 100 characters.")
        )
        return None
    return text


def _tagline(value: Any, languages: Sequence[str], problems: list[DesignError]) -> dict[str, str]:
    return _per_language(value, "tagline", languages, problems)


def _per_language(
    value: Any, label: str, languages: Sequence[str], problems: list[DesignError]
) -> dict[str, str]:
    """One text per language; a plain text is the same in every language."""
    if value is None:
        return {}
    texts = value if isinstance(value, dict) else dict.fromkeys(languages, value)
    found: dict[str, str] = {}
    for lang, text in texts.items():
        if str(lang) not in languages:
            problems.append(
                SiteConfigFieldError(
                    f"config/site.yml: '{label}' has a language '{lang}' the site does not "
                    f"have; use {', '.join(languages)}."
                )
            )
            continue
        one = _text_field({label: text}, label, problems) if text is not None else None
        if one:
            found[str(lang)] = one
    return found


def _names(
    value: Any,
    label: str,
    slug: Callable[[str], str],
    languages: Sequence[str],
    problems: list[DesignError],
) -> Mapping[str, Mapping[str, str]]:
    """`projects:` or `authors:`: each one's name per language, by its URL slug.

    Keyed by slug so that `Lucía Pérez`, `lucia-perez` and `Lucia Perez` in the file all
    name the author whose page is /es/authors/lucia-perez/, however a post spells it.
    """
    if value is None:
        return MappingProxyType({})
    example = (
        f"{label}:\n  proyecto-1:\n    es: Huerto escolar europeo\n    en: European school garden"
    )
    if not isinstance(value, dict) or len(value) > MAX_NAMES:
        problems.append(
            SiteConfigFieldError(
                f"config/site.yml: '{label}' must list names by language (at most "
                f"{MAX_NAMES}), like:\n{example}"
            )
        )
        return MappingProxyType({})
    names: dict[str, Mapping[str, str]] = {}
    for key, texts in value.items():
        if isinstance(key, bool | dict | list) or not str(key).strip():
            problems.append(SiteConfigFieldError(f"config/site.yml: '{label}' has an empty name."))
            continue
        where = f"{label}.{str(key)[:40]}"
        if isinstance(texts, list) or texts is None:
            problems.append(
                SiteConfigFieldError(
                    f"config/site.yml: '{where}' must give a name per language, like:\n{example}"
                )
            )
            continue
        found = _per_language(texts, where, languages, problems)
        if found:
            names[slug(str(key))] = MappingProxyType(found)
    return MappingProxyType(names)


def _logo(value: Any, problems: list[DesignError]) -> str | None:
    if value is None:
        return None
    path = str(value).strip()
    # The same rule as a post's images: a plain path under /assets/.
    problem = image_problem(path) if isinstance(value, str) else "is not a path"
    src = urls.asset_src(path) if problem is None else None
    if src is None:
        problems.append(
            SiteConfigFieldError(
                f"config/site.yml: 'logo' is '{path[:80]}', but it must be the path of an "
                "image uploaded under assets/, like /assets/images/uploads/logo.png."
            )
        )
        return None
    return src


def _colors(value: Any, problems: list[DesignError]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(
            ColorError(
                "config/site.yml: 'colors' must list the colours by role, like:\n"
                'colors:\n  primary: "#1f4e8c"\n  accent: "#c2410c"'
            )
        )
        return {}
    colors: dict[str, str] = {}
    for raw_role, raw in value.items():
        role = str(raw_role).strip().lower()
        if role not in _COLOR_ROLES:
            problems.append(
                ColorError(
                    f"config/site.yml: 'colors' has a role '{raw_role}' the site does not "
                    f"use; the roles are {' and '.join(_COLOR_ROLES)}."
                )
            )
            continue
        text = str(raw).strip()
        if not _HEX.fullmatch(text):
            problems.append(
                ColorError(
                    f"config/site.yml: colors.{role} is '{text[:40]}', which is not a colour "
                    "the site understands. Write # and six hex digits in double quotes, like "
                    '"#1f4e8c".'
                )
            )
            continue
        color = _long_hex(text)
        needed = MIN_PRIMARY_CONTRAST if role == "primary" else MIN_ACCENT_CONTRAST
        ratio = contrast(color, "#ffffff")
        if ratio < needed:
            problems.append(
                ColorError(
                    f"config/site.yml: colors.{role} '{text}' is too light: against white it "
                    f"has a contrast of {ratio:.1f}:1, and readers need at least "
                    f"{needed:.1f}:1. A darker shade of it that works: "
                    f'"{darken_to(color, needed)}".'
                )
            )
            continue
        colors[role] = color
    return colors


def _long_hex(color: str) -> str:
    digits = color[1:].lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits


def _luminance(color: str) -> float:
    """WCAG 2 relative luminance of a "#rrggbb" colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two "#rrggbb" colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def darken_to(color: str, ratio: float) -> str:
    """The same hue, darkened until it reaches `ratio` against white."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(100, -1, -1):
        candidate = "#" + "".join(f"{round(c * step / 100):02x}" for c in (red, green, blue))
        if contrast(candidate, "#ffffff") >= ratio:
            return candidate
    return "#000000"


# ---------------------------------------------------------------- theme/


def theme_name(key: str) -> str | None:
    """The template a theme key overrides (`theme/post.html` -> `post.html`), or None."""
    if not key.startswith(THEME_PREFIX):
        return None
    name = key[len(THEME_PREFIX) :]
    parts = name.split("/")
    if any(not part or part.startswith(".") for part in parts) or "\\" in name:
        return None
    return name if name.endswith(THEME_SUFFIXES) else None


def parse_theme_template(name: str, data: bytes) -> str:
    """The template's text, once it is known to compile in the sandbox; else DesignError."""
    key = THEME_PREFIX + name
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ThemeTemplateError(
            f"{key} is {len(data)} bytes; a template may be at most {MAX_TEMPLATE_BYTES}."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ThemeTemplateError(f"{key} is not UTF-8 text; save it as UTF-8.") from exc
    try:
        environment().parse(text, name=name, filename=key)
    except TemplateSyntaxError as exc:
        raise ThemeTemplateError(
            f"{key} has a template mistake on line {exc.lineno}: {exc.message}.", line=exc.lineno
        ) from exc
    return text


def load_theme(
    source: Storage,
) -> tuple[tuple[tuple[str, str], ...], list[tuple[str, DesignError]]]:
    """Every usable theme template, and the problems of the others."""
    templates: dict[str, str] = {}
    problems: list[tuple[str, DesignError]] = []
    for key in sorted(source.list_keys(THEME_PREFIX)):
        name = theme_name(key)
        if name is None:
            continue
        if len(templates) >= MAX_THEME_TEMPLATES:
            problems.append(
                (key, ThemeTemplateError(f"a theme may have at most {MAX_THEME_TEMPLATES} files"))
            )
            continue
        data = source.get(key)
        if data is None:
            continue
        try:
            templates[name] = parse_theme_template(name, data)
        except DesignError as error:
            problems.append((key, error))
    return tuple(sorted(templates.items())), problems


# ---------------------------------------------------------------- loading and checking


def load_design(source: Storage, languages: Sequence[str]) -> LoadedDesign:
    """The school's design from the source bucket; problems never stop a page."""
    problems: list[tuple[str, DesignError]] = []
    design = Design()
    data = source.get(SITE_CONFIG_KEY)
    if data is not None:
        design, config_problems = parse_site_config(data, languages)
        problems += [(SITE_CONFIG_KEY, problem) for problem in config_problems]
    if design.logo:
        sizes = measure_images([design.logo], source.get)
        design = replace(design, logo_size=sizes.get(design.logo))
        if design.logo_size is None:
            problems.append(
                (
                    SITE_CONFIG_KEY,
                    SiteConfigFieldError(
                        f"config/site.yml: the logo {design.logo} is not an uploaded PNG, "
                        "JPEG, GIF or WebP image. Upload it under assets/ first."
                    ),
                )
            )
            design = replace(design, logo=None)
    theme, theme_problems = load_theme(source)
    return LoadedDesign(replace(design, theme=theme), tuple(problems + theme_problems))


def apply_design(site: SiteConfig, design: Design) -> SiteConfig:
    return replace(
        site,
        name=design.name or site.name,
        tagline=design.tagline,
        logo=design.logo,
        logo_size=design.logo_size,
        colors=design.colors,
        projects=design.projects,
        authors=design.authors,
        theme=design.theme,
    )


def site_config(settings: Settings, source: Storage) -> SiteConfig:
    """The SiteConfig pages are built with: settings plus the school's usable design."""
    loaded = load_design(source, settings.languages)
    return apply_design(SiteConfig.from_settings(settings), loaded.design)


def check_design(settings: Settings, source: Storage, key: str) -> None:
    """Raise a DesignError naming every problem of the changed `key`, for its report.

    After a theme change, pages are rendered once with a sample post, so a template that
    compiles but breaks when used (an unknown variable, a forbidden attribute) is
    reported at upload instead of silently falling back later.
    """
    loaded = load_design(source, settings.languages)
    problems = [error for where, error in loaded.problems if where == key]
    site = apply_design(SiteConfig.from_settings(settings), loaded.design)
    if key.startswith(THEME_PREFIX) and site.theme:
        failure = trial_render(replace(site, strict_theme=True))
        if failure is not None:
            problems.append(failure)
    if problems:
        message = "\n\n".join(str(error) for error in problems)
        raise type(problems[0])(
            message + "\n\nUntil this is fixed, the site uses its standard look for this; "
            "everything else you configured still applies.",
            line=problems[0].line,
        )


def trial_render(site: SiteConfig) -> ThemeTemplateError | None:
    """Render every kind of page with `site`'s theme; the first failure, or None."""
    sample = _sample_entry(site)
    try:
        for lang in site.languages:
            render_post_page(site, sample, lang, "<p>Sample</p>")
        build_listings(site, [sample])
    except ThemeTooExpensive as exc:
        return ThemeTooExpensiveError(
            f"the theme is too costly to make pages with: {exc}. A page of the standard "
            "look takes a few thousand steps and well under 100 KB; look for loops inside "
            "loops, or values multiplied into huge texts or lists, and remove them."
        )
    except TemplateError as exc:
        return ThemeTemplateError(f"the theme fails when pages are made with it: {exc}")
    except Exception as exc:  # a theme can raise anything a Jinja expression can
        return ThemeTemplateError(
            f"the theme fails when pages are made with it: {type(exc).__name__}: {exc}"
        )
    return None


def _sample_entry(site: SiteConfig) -> PostEntry:
    versions = {
        lang: VersionInfo(
            title="Sample post",
            description="A sample post used to check the theme",
            kind="original" if index == 0 else "machine",
            source_hash="sample",
        )
        for index, lang in enumerate(site.languages)
    }
    return PostEntry(
        slug="theme-check",
        source_key="posts/theme-check.md",
        source_lang=site.languages[0],
        content_hash="sample",
        updated="2024-01-01T00:00:00Z",
        date="2024-01-01",
        author="Sample Author",
        project="sample-project",
        images=("/assets/sample.png",),
        versions=versions,
    )
