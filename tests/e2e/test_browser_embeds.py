"""A reader in Chromium on imported posts: the author's HTML as elements, embeds within the CSP."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import CHROMIUM, CHROMIUM_FLAGS, CSP_RECORDER, MISSING, REQUIRED, Reader

from support.stack import StackFactory

ROOT = Path(__file__).resolve().parents[2]
IMPORTED = ROOT / "tests" / "fixtures" / "imported"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(MISSING is not None and not REQUIRED, reason=str(MISSING)),
]
# The machine's network is closed: the players answer from here, as an empty page.
PLAYERS = ("https://www.youtube-nocookie.com/**", "https://player.vimeo.com/**")


@pytest.fixture(scope="module")
def site_url(dev_stack: StackFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if MISSING is not None:
        pytest.fail(f"browser test required (POLYPUB_REQUIRE_BROWSER=1) but {MISSING}")
    content = tmp_path_factory.mktemp("embeds") / "content"
    (content / "posts").mkdir(parents=True)
    for post in IMPORTED.glob("*.md"):
        shutil.copy(post, content / "posts" / post.name)
    with dev_stack(content) as session:
        session.upload_content()
        session.drain()
        assert session.preview is not None
        yield session.preview.url


@pytest.fixture
def reader(browser: Any, site_url: str) -> Iterator[Reader]:
    context = browser.new_context(locale="en-GB")
    context.add_init_script(CSP_RECORDER)
    frames: list[str] = []

    def player(route: Any) -> None:
        frames.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><p>player")

    for pattern in PLAYERS:
        context.route(pattern, player)
    page = context.new_page()
    found = Reader(context, page, site_url)
    page.on("pageerror", lambda error: found.errors.append(f"page error: {error}"))
    found.frames = frames  # type: ignore[attr-defined]
    yield found
    context.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_videos_play_in_the_csp_and_html_shows_as_elements(reader: Reader, lang: str) -> None:
    reader.goto(f"/{lang}/posts/hugo-visit/")
    frames = reader.page.locator("iframe.video")
    assert frames.count() == 2
    for i in range(2):
        frames.nth(i).scroll_into_view_if_needed()  # loading=lazy: the player loads here
    reader.page.wait_for_timeout(500)
    assert sorted(reader.frames) == [  # type: ignore[attr-defined]
        "https://player.vimeo.com/video/76979871?dnt=1",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    ]
    assert reader.page.locator("kbd").count() == 2
    assert reader.page.locator("figure figcaption").count() == 1
    box = frames.first.bounding_box()
    assert box is not None
    assert abs(box["width"] / box["height"] - 16 / 9) < 0.05
    violations = reader.page.evaluate("window.__cspViolations || []")
    assert violations == [], violations
    assert reader.errors == []
    assert reader.axe() == []  # iframes have titles, figures and details are readable


def test_details_open_and_tables_and_pictures_of_imported_html(reader: Reader) -> None:
    reader.goto("/en/posts/jekyll-robots/")
    summary = reader.page.locator("details summary")
    assert not reader.page.locator("details").evaluate("d => d.open")
    summary.click()
    assert reader.page.locator("details").evaluate("d => d.open")
    text = reader.page.locator("main").inner_text()
    assert "site.baseurl" not in text
    assert "{%" not in text
    reader.goto("/es/posts/wordpress-huerto/")
    assert reader.page.locator("table td").count() == 4
    assert reader.page.locator("img[src='/assets/images/uploads/huerto.jpg']").count() == 1
    assert "<img" not in reader.page.locator("main").inner_text()
    assert reader.axe() == []
