"""Jinja2 rendering: autoescaped and strict; a theme's templates go first, in the sandbox."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from jinja2 import (
    ChoiceLoader,
    DictLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.loaders import BaseLoader
from jinja2.sandbox import SandboxedEnvironment

log = logging.getLogger(__name__)

# (template name, source) pairs of a theme, sorted; see polypub.site.config.ThemeTemplates.
Theme = tuple[tuple[str, str], ...]


@lru_cache(maxsize=8)
def environment(theme: Theme = ()) -> Environment:
    """Built once per process and theme: a Lambda reuses it across invocations.

    With a theme it is sandboxed, because theme templates come from the source bucket:
    they may read the values the pages pass, but never reach Python internals. The
    packaged templates alone are ours and render without the sandbox's cost (about
    twice as fast for a full listings rebuild).
    """
    loaders: list[BaseLoader] = [DictLoader(dict(theme))] if theme else []
    loaders.append(PackageLoader("polypub", "site/templates"))
    kind = SandboxedEnvironment if theme else Environment
    return kind(
        loader=ChoiceLoader(loaders),
        # On for every template and string, not only .html/.xml: a teacher's title must
        # never become markup, whatever the template is called.
        autoescape=select_autoescape(
            enabled_extensions=("html", "xml"), default_for_string=True, default=True
        ),
        # A misspelt variable fails the build instead of silently publishing a blank.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render(template: str, *, theme: Theme = (), strict: bool = False, **context: Any) -> str:
    """Render with the theme's templates first; a failing theme falls back to the package.

    A theme that breaks must never stop a post from being published: the check made
    when the theme is uploaded reports the error (strict=True raises it instead).
    """
    if theme:
        try:
            return environment(theme).get_template(template).render(**context)
        except Exception:
            if strict:
                raise
            log.warning("theme failed to render %s; using the packaged template", template)
    return environment().get_template(template).render(**context)
