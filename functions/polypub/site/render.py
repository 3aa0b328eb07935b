"""The one Jinja2 environment: package templates, autoescaping everywhere, strict undefined."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Built once per process: a Lambda reuses it across invocations."""
    return Environment(
        loader=PackageLoader("polypub", "site/templates"),
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


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
