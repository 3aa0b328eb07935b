"""Read one source file's front matter (YAML between ---, TOML between +++) and its body."""

from __future__ import annotations

import tomllib
from typing import Any, Literal

import yaml

from polypub.content.errors import ContentError
from polypub.content.post import MAX_FRONT_MATTER_CHARS, load_yaml
from polypub.importers.model import FrontMatterReadError

Format = Literal["yaml", "toml", "none"]


def read_front_matter(text: str) -> tuple[dict[str, Any], str, Format]:
    """(fields, body, format) of a Jekyll or Hugo source file; FrontMatterReadError if unreadable.

    A file without front matter is all body. YAML goes through the pipeline's own bounded,
    safe loader (no alias bombs, no duplicate keys), so the importer never accepts what an
    upload of the same file would refuse for its shape.
    """
    text = text.removeprefix("\ufeff")
    stripped = text.lstrip("\r\n\t ")
    for fence, fmt in (("---", "yaml"), ("+++", "toml")):
        if stripped.startswith(fence) and stripped[len(fence) : len(fence) + 1] in ("\n", "\r"):
            head, body = _split(stripped, fence)
            fields = _yaml(head) if fmt == "yaml" else _toml(head)
            return fields, body, fmt  # type: ignore[return-value]
    return {}, text, "none"


def _split(text: str, fence: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    closing = ("---", "...") if fence == "---" else ("+++",)
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in closing:
            head = "".join(lines[1:index])
            if len(head) > MAX_FRONT_MATTER_CHARS:
                raise FrontMatterReadError(
                    f"The front matter is {len(head)} characters long; a post's front matter "
                    f"is a few lines (the limit is {MAX_FRONT_MATTER_CHARS})."
                )
            return head, "".join(lines[index + 1 :])
    raise FrontMatterReadError(f"The front matter starts with {fence} but never ends.")


def _yaml(head: str) -> dict[str, Any]:
    try:
        data, _node = load_yaml(head, first_line=2)
    except ContentError as exc:
        raise FrontMatterReadError(exc.message) from None
    except yaml.YAMLError as exc:
        raise FrontMatterReadError(
            f"The YAML front matter is not valid: {_one_line(exc)}"
        ) from None
    return _mapping(data)


def _toml(head: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(head)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise FrontMatterReadError(
            f"The TOML front matter is not valid: {_one_line(exc)}"
        ) from None
    return _mapping(data)


def _mapping(data: object) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterReadError(
            "The front matter is not a list of 'name: value' fields "
            f"(it is a {type(data).__name__})."
        )
    return {str(key): value for key, value in data.items()}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]
