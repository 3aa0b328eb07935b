"""Video embeds: the addresses authors paste, and the one host list the CSP allows."""

from __future__ import annotations

from pathlib import Path

import pytest

from polypub.content import embeds
from polypub.local.template import describe

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ?si=abc",
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "//www.youtube.com/embed/dQw4w9WgXcQ?rel=0",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
    ],
)
def test_every_youtube_address_gives_the_nocookie_player(url: str) -> None:
    found = embeds.video_from_url(url)
    assert found is not None
    assert found.src == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert embeds.is_embed_src(found.src)


@pytest.mark.parametrize(
    "url", ["https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?h=x"]
)
def test_vimeo_addresses_give_the_do_not_track_player(url: str) -> None:
    found = embeds.video_from_url(url)
    assert found is not None
    assert found.src == "https://player.vimeo.com/video/76979871?dnt=1"


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/embed/dQw4w9WgXcQ",
        "https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ",
        "javascript:alert(1)//www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/embed/short",
        'https://www.youtube.com/embed/dQw4w9WgXcQ"onload="x',
        "https://vimeo.com/channels/staff",
        "https://[::1",
    ],
)
def test_anything_else_is_no_video(url: str) -> None:
    assert embeds.video_from_url(url) is None


def test_the_csp_frames_exactly_the_embed_hosts_in_the_cloud_and_the_preview() -> None:
    # describe() is what both CloudFront's policy and the preview server's headers use.
    csp = describe(TEMPLATE).security_headers["Content-Security-Policy"]
    directives = dict(
        ([*part.strip().split(" ", 1), ""])[:2] for part in csp.split(";") if part.strip()
    )
    assert directives["frame-src"].split() == list(embeds.FRAME_ORIGINS)
    # Every other kind of resource stays on the site's own origin.
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
