"""Post sources as a teacher uploads them: YAML front matter, then Markdown."""

from __future__ import annotations

from collections.abc import Callable

PostBuilder = Callable[..., bytes]


def post(title: str, body: str, **fields: str) -> bytes:
    """A post's bytes: `title`, then `fields` in order, as front matter; then `body`."""
    lines = [f"title: {title}", *(f"{k}: {v}" for k, v in fields.items())]
    return ("---\n" + "\n".join(lines) + "\n---\n" + body + "\n").encode()


def post_builder(**defaults: str) -> PostBuilder:
    """`post` with front matter fields every post of a test file shares (a call's own win)."""

    def build(title: str, body: str, **fields: str) -> bytes:
        return post(title, body, **{**defaults, **fields})

    return build
