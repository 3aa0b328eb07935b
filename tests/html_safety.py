"""active_content(): what in an HTML document could run script; tests assert it finds nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements that run or embed active content, or change where URLs and forms go.
FORBIDDEN_ELEMENTS = frozenset(
    {"frame", "frameset", "object", "embed", "applet", "base", "form", "svg", "math"}
)
# The only frames a page may hold: a video player of these two hosts, sandboxed (written
# out here, not imported, so that a change to the embeds must change this check too). An
# iframe with neither src nor srcdoc shows an empty, same-origin about:blank: inert.
ALLOWED_FRAME = re.compile(
    r"https://www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{11}"
    r"|https://player\.vimeo\.com/video/[0-9]+\?dnt=1"
)
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "poster", "data", "background", "cite", "xlink:href"}
)
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")


def _squash(value: str) -> str:
    # Browsers ignore ASCII whitespace and control characters inside a URL scheme.
    return "".join(ch for ch in value if ord(ch) > 0x20).lower()


class _Finder(HTMLParser):
    def __init__(self, allowed_scripts: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_scripts = allowed_scripts
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"<{tag}>")
        if tag == "iframe" and (
            "srcdoc" in values
            or ("src" in values and not ALLOWED_FRAME.fullmatch(values["src"]))
            or ("src" in values and "allow-top" in values.get("sandbox", "allow-top"))
        ):
            self.found.append(f"<iframe src={values.get('src', '')[:60]!r}>")
        if tag == "script":
            self._in_script = True
            if values.get("src") not in self.allowed_scripts:
                self.found.append(f"<script src={values.get('src')!r}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            squashed = _squash(value)
            if name in URL_ATTRIBUTES and squashed.startswith(BAD_SCHEMES):
                self.found.append(f"<{tag} {name}={value[:40]!r}>")
            elif name == "srcset" and any(s in squashed for s in BAD_SCHEMES):
                self.found.append(f"<{tag} srcset={value[:40]!r}>")
            elif name == "style" and ("url(" in squashed or "expression(" in squashed):
                self.found.append(f"<{tag} style={value[:40]!r}>")
            elif squashed.startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value[:40]!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("inline script")


def active_content(document: str, *, allowed_scripts: frozenset[str] = frozenset()) -> list[str]:
    """Every element or attribute in ``document`` that could run script or load a bad URL.

    ``allowed_scripts`` are the `src` values of the site's own script files, which the
    templates include on purpose (same origin, allowed by the CSP).
    """
    finder = _Finder(allowed_scripts)
    finder.feed(document)
    finder.close()
    return finder.found
