"""A reader in Debian's Chromium: language landing, switching, cookie, accessibility, CSP."""

from __future__ import annotations

import os
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from support.stack import StackFactory

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# The machine's network is closed: everything Chromium would fetch or report by itself
# is switched off, so no request leaves loopback.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
MOBILE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
POST = "erasmus-etwinning-experience"

SITE_YML = """\
name: IES Abastos
tagline:
  es: Proyectos europeos del instituto
  en: Our school's European projects
logo: /assets/images/uploads/logo.png
projects:
  proyecto-1:
    es: Huerto escolar europeo
    en: European school garden
authors:
  Departamento de Biología:
    en: Biology Department
"""
# The README's own example: a picture under images: that the text shows too.
GARDEN = "huerto-escolar-europeo"
GARDEN_PICTURE = "/assets/images/uploads/erasmusdays_logo_2021_sin_fechas.jpg"
WIDTHS = (375, 1280)
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def _missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.is_file():
        return "no /usr/bin/chromium: run scripts/install-system-deps --browser"
    if not AXE.is_file():
        return "no node_modules/axe-core: run npm ci"
    for tool in ("node", "apertium"):
        if shutil.which(tool) is None:
            return f"{tool} is not on PATH: run scripts/install-system-deps"
    return None


MISSING = _missing()
# CI installs everything (.ci/run), so there a missing piece fails instead of skipping.
REQUIRED = os.environ.get("POLYPUB_REQUIRE_BROWSER") == "1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(MISSING is not None and not REQUIRED, reason=str(MISSING)),
]


def logo_png() -> bytes:
    """A small, real PNG: the school's logo for this test's site config."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    width, height = 64, 64
    gold, blue = b"\xf5\xb8\x2e", b"\x1f\x4e\x8c"
    rows = b"".join(
        b"\x00" + b"".join(gold if (x + y) % 16 < 8 else blue for x in range(width))
        for y in range(height)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def site_url(dev_stack: StackFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`polypub dev` on the seed content: embedded AWS, real handlers, the preview server."""
    if MISSING is not None:
        pytest.fail(f"browser test required (POLYPUB_REQUIRE_BROWSER=1) but {MISSING}")
    content = tmp_path_factory.mktemp("browser") / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "config").mkdir(exist_ok=True)
    (content / "config" / "site.yml").write_text(SITE_YML, encoding="utf-8")
    (content / "assets" / "images" / "uploads" / "logo.png").write_bytes(logo_png())
    with dev_stack(content) as session:
        session.upload_content()
        session.drain()
        assert session.preview is not None
        yield session.preview.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Debian's Chromium, never a downloaded browser build.
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


# Every CSP violation is recorded by the page itself, before any of its own scripts run.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
    window.__cspViolations.push(event.violatedDirective + ' blocked ' + event.blockedURI);
});
"""


@dataclass
class Reader:
    """One browser context (a reader's device) and what went wrong in it."""

    context: Any
    page: Any
    base: str
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        self.settle()
        return response

    def settle(self) -> None:
        """Wait for the page and its lazy pictures, then collect CSP violations."""
        self.page.wait_for_load_state("load")
        self.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        # Polled from here: page.wait_for_function would eval() in the page, which the
        # page's own CSP rightly forbids.
        deadline = time.monotonic() + 15
        while not self.page.evaluate("Array.from(document.images).every((i) => i.complete)"):
            assert time.monotonic() < deadline, f"pictures never loaded on {self.page.url}"
            self.page.wait_for_timeout(50)
        self.page.evaluate("window.scrollTo(0, 0)")
        violations = self.page.evaluate("window.__cspViolations || []")
        self.errors += [f"CSP {self.page.url}: {v}" for v in violations]

    @property
    def path(self) -> str:
        return str(self.page.url).removeprefix(self.base)

    def lang(self) -> str:
        return str(self.page.get_attribute("html", "lang"))

    def axe(self, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
        """Accessibility violations of the current page (by default serious and critical)."""
        if not self.page.evaluate("typeof window.axe === 'object'"):
            # Evaluated through the DevTools protocol: the page's CSP does not apply,
            # so the page under test keeps its real policy.
            self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        results = self.page.evaluate(
            "async () => await window.axe.run(document, {resultTypes: ['violations']})"
        )
        # A check that ran no rule would pass anything.
        assert results["testEngine"]["name"] == "axe-core"
        assert len(results["passes"]) > 10, results["passes"]
        return [
            f"{self.path}: {violation['id']} ({violation['impact']}): "
            + "; ".join(node["target"][0] for node in violation["nodes"][:3])
            for violation in results["violations"]
            if violation["impact"] in impacts
        ]

    def dark_axe(self, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
        """axe on the same page with the reader's system in dark mode."""
        self.page.emulate_media(color_scheme="dark")
        try:
            return [f"dark {problem}" for problem in self.axe(impacts)]
        finally:
            self.page.emulate_media(color_scheme="light")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def reader_factory(browser: Any, site_url: str) -> Iterator[Any]:
    readers: list[Reader] = []

    def make(**options: Any) -> Reader:
        context = browser.new_context(**options)
        context.add_init_script(CSP_RECORDER)
        page = context.new_page()
        reader = Reader(context, page, site_url)
        page.on(
            "console",
            lambda message: (
                reader.errors.append(f"console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: reader.errors.append(f"page error: {error}"))
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        reader.context.close()


def english_reader(factory: Any, **options: Any) -> Reader:
    reader: Reader = factory(
        locale="en-GB",
        extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"},
        **options,
    )
    return reader


def test_a_reader_lands_in_english_switches_to_spanish_and_is_remembered(
    reader_factory: Any,
) -> None:
    reader = english_reader(reader_factory, viewport=DESKTOP)
    page = reader.page
    problems: list[str] = []

    response = reader.goto("/")
    assert reader.path == "/en/"
    assert reader.lang() == "en"
    # The security headers of template.yaml arrive with the page, and it satisfies them.
    headers = response.all_headers()
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    problems += reader.axe()

    page.get_by_role("link", name="Erasmus+ Experience eTwinning").click()
    reader.settle()
    assert reader.path == f"/en/posts/{POST}/"
    assert reader.lang() == "en"
    assert page.locator("h1").inner_text() == "Erasmus+ Experience eTwinning"
    gallery = page.locator(".gallery img")
    assert gallery.count() == 3
    assert gallery.first.get_attribute("width") == "1200"
    problems += reader.axe()
    reader.screenshot("desktop-post-en")

    page.get_by_role("link", name="Leer en español").click()
    reader.settle()
    assert reader.path == f"/es/posts/{POST}/"
    assert reader.lang() == "es"
    assert "Hola" in page.locator("main").inner_text()
    cookies = {c["name"]: c["value"] for c in reader.context.cookies()}
    assert cookies.get("lang") == "es"
    problems += reader.axe()

    # Back at "/" with the same English browser: the reader's choice wins.
    reader.goto("/")
    assert reader.path == "/es/"
    assert reader.lang() == "es"
    problems += reader.axe()
    reader.screenshot("desktop-home-es")

    assert reader.errors == []
    # CloudFront's one error page, in both languages, for a missing English post.
    response = reader.goto("/en/posts/no-such-post/")
    assert response.status == 404
    assert page.locator("section[lang='en'] h2").inner_text() == "Page not found"
    problems += reader.axe()
    # Chromium logs the 404 of the page itself; nothing else may fail.
    assert [e for e in reader.errors if "status of 404" not in e] == []
    assert len(reader.errors) == 1

    assert problems == []


def test_mobile_pages_fit_320_to_360_pixels_and_pass_axe(reader_factory: Any) -> None:
    problems: list[str] = []
    for width in (320, MOBILE["width"]):
        reader = english_reader(
            reader_factory,
            viewport={"width": width, "height": MOBILE["height"]},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        for path in (
            "/en/",
            f"/en/posts/{POST}/",
            f"/es/posts/{POST}/",
            "/es/projects/proyecto-2/",
        ):
            reader.goto(path)
            # Nothing wider than the phone: no sideways scrolling.
            overflow = reader.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (width, path, overflow)
            if width == MOBILE["width"]:
                problems += reader.axe()
        if width == MOBILE["width"]:
            reader.goto(f"/en/posts/{POST}/")
            reader.screenshot("mobile-post-en")
            reader.goto("/es/")
            reader.screenshot("mobile-home-es")
        assert reader.errors == []
    assert problems == []


def test_dark_mode_and_keyboard_focus(reader_factory: Any) -> None:
    reader = english_reader(reader_factory, viewport=DESKTOP, color_scheme="dark")
    reader.goto(f"/en/posts/{POST}/")
    background = reader.page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 20, 23)"
    assert reader.axe() == []
    reader.screenshot("desktop-post-en-dark")

    # The first Tab shows the skip link, with a visible focus ring.
    reader.page.keyboard.press("Tab")
    focused = reader.page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return [e.className, s.outlineStyle, s.outlineWidth,"
        " e.getBoundingClientRect().top]; })()"
    )
    assert focused[0] == "skip-link"
    assert focused[1] == "solid"
    assert focused[2] == "3px"
    assert focused[3] >= 0
    reader.page.keyboard.press("Enter")
    assert reader.page.evaluate("document.activeElement.id") == "main"
    assert reader.errors == []


def test_home_and_post_in_both_languages_at_375_and_1280_pixels(reader_factory: Any) -> None:
    """The school's look: one site name, picture cards, names in the reader's language,
    each picture once, a footer at the bottom of short pages; axe clean light and dark.

    Writes the screenshots a person looks at: test-artifacts/browser/{home,post}-{lang}-{width}.png
    (and -dark). The post is the README's example of a picture under images: and in the text.
    """
    problems: list[str] = []
    for width in WIDTHS:
        reader: Reader = reader_factory(viewport={"width": width, "height": 900})
        for lang in ("es", "en"):
            for name, path in (("home", f"/{lang}/"), ("post", f"/{lang}/posts/{GARDEN}/")):
                reader.goto(path)
                page = reader.page
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (width, path, overflow)
                # The site's name once: in the header (the home's <h1>), never a second title.
                assert page.locator(".site-header").get_by_text("IES Abastos").count() == 1
                assert page.locator("h1").count() == 1
                if name == "home":
                    assert page.locator("h1.site-title").inner_text() == "IES Abastos"
                    cards = page.locator(".card")
                    assert cards.count() == 3
                    pictures = page.locator(".card img.card-image")
                    assert pictures.count() == 3
                    for n in range(3):
                        picture = pictures.nth(n)
                        assert picture.get_attribute("loading") == "lazy"
                        assert picture.get_attribute("alt") == ""
                        assert int(picture.get_attribute("width") or 0) > 0
                        assert page.evaluate("(i) => i.naturalWidth", picture.element_handle())
                    garden = "European school garden" if lang == "en" else "Huerto escolar europeo"
                    assert page.locator(".card .meta").get_by_text(garden).count() == 1
                else:
                    # Under images: and in the text: shown once, where the teacher put it.
                    assert page.locator(f"img[src='{GARDEN_PICTURE}']").count() == 1
                    assert page.locator(".gallery").count() == 0
                    crumbs = page.locator("nav.breadcrumbs")
                    expected = (
                        "European school garden" if lang == "en" else "Huerto escolar europeo"
                    )
                    assert crumbs.get_by_role("link", name=expected).count() == 1
                    if lang == "en":
                        assert page.locator(".post-header").get_by_text("Biology Department")
                # The school's look passes axe with no violation at all, minor included.
                problems += reader.axe(ALL_IMPACTS)
                problems += reader.dark_axe(ALL_IMPACTS)
                reader.screenshot(f"{name}-{lang}-{width}")
                reader.page.emulate_media(color_scheme="dark")
                reader.screenshot(f"{name}-{lang}-{width}-dark")
                reader.page.emulate_media(color_scheme="light")
        # A short page: the footer sits at the bottom of the window, not in its middle.
        reader.goto("/en/404.html")
        bottom = reader.page.evaluate(
            "document.querySelector('.site-footer').getBoundingClientRect().bottom"
        )
        assert abs(bottom - 900) <= 1, (width, bottom)
        assert reader.errors == []
    assert problems == []
