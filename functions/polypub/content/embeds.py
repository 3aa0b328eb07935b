"""Video embeds: which hosts a post may embed, and the one privacy-friendly iframe each becomes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from markdown_it.token import Token

# The only origins a page may frame (the CSP's frame-src in template.yaml lists exactly
# these; tests/unit/test_embeds.py keeps it in step). YouTube's privacy-enhanced host
# sets no cookie until the reader presses play; Vimeo's player honours `dnt=1`.
FRAME_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")

# Addresses authors paste, by provider: watch pages, short links, embed URLs.
_YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com",
     "youtube-nocookie.com"}
)  # fmt: skip
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
# What an embed iframe's src may be, exactly (the sanitizer's last gate checks it).
_EMBED_SRC = re.compile(
    r"https://www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{11}"
    r"|https://player\.vimeo\.com/video/[0-9]{1,12}\?dnt=1"
)
# The player needs script and its own origin; it may open the video's page in a new
# tab (popups) and go full screen. It may never navigate our page (no allow-top-navigation).
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"
ALLOW = "encrypted-media; picture-in-picture; fullscreen"
EMBED_TYPE = "video_embed"
EMBED_CLASS = "video"


@dataclass(frozen=True)
class Video:
    """One video of an allow-listed host."""

    provider: str  # "youtube" | "vimeo"
    id: str

    @property
    def src(self) -> str:
        if self.provider == "youtube":
            return f"{FRAME_ORIGINS[0]}/embed/{self.id}"
        return f"{FRAME_ORIGINS[1]}/video/{self.id}?dnt=1"

    @property
    def title(self) -> str:
        # The iframe's accessible name; a provider name reads the same in every language.
        return "YouTube" if self.provider == "youtube" else "Vimeo"


def video(provider: str, ident: str) -> Video | None:
    """A shortcode's video (`{{< youtube ID >}}`), None for an unknown provider or a bad id."""
    provider = provider.lower()
    pattern = {"youtube": _YOUTUBE_ID, "vimeo": _VIMEO_ID}.get(provider)
    if pattern is None or not pattern.fullmatch(ident):
        return None
    return Video(provider, ident)


def video_from_url(url: str) -> Video | None:
    """The video an address of YouTube or Vimeo shows, None for any other address."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", ""):
        return None
    host = (parts.hostname or "").lower()
    path = [piece for piece in parts.path.split("/") if piece]
    if host in _YOUTUBE_HOSTS:
        if host == "youtu.be" and path:
            return video("youtube", path[0])
        if len(path) >= 2 and path[0] in ("embed", "v", "shorts", "live"):
            return video("youtube", path[1])
        if path == ["watch"]:
            return video("youtube", (parse_qs(parts.query).get("v") or [""])[0])
        return None
    if host in _VIMEO_HOSTS:
        if host == "player.vimeo.com":
            return video("vimeo", path[1]) if len(path) >= 2 and path[0] == "video" else None
        return video("vimeo", path[-1]) if path else None
    return None


def is_embed_src(url: str) -> bool:
    """True only for the exact iframe addresses `Video.src` makes."""
    return _EMBED_SRC.fullmatch(url) is not None


def embed_token(found: Video) -> Token:
    """The token of one embed; markdown.py renders it as an empty, sandboxed, lazy iframe."""
    token = Token(EMBED_TYPE, "iframe", 0)
    token.attrs = {
        "class": EMBED_CLASS,
        "src": found.src,
        "title": found.title,
        "loading": "lazy",
        "sandbox": SANDBOX,
        "allow": ALLOW,
        "allowfullscreen": "",
        "referrerpolicy": "strict-origin-when-cross-origin",
    }
    return token
