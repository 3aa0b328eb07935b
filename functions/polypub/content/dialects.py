"""Template constructs of Jekyll, Hugo and WordPress in a body, resolved as their authors meant.

Posts moved from another blog keep ``{{ site.baseurl }}``, ``{% highlight %}``,
``{{< youtube ID >}}`` or ``[caption]``. Before Markdown is parsed, each construct
outside code is replaced by what the other tool would have made of it: a site path,
a fenced code block, an ``<iframe>`` or ``<figure>`` that content/rawhtml.py then
checks like any HTML the author wrote. The site is always served from its origin's
root, so ``site.baseurl`` is empty and ``site.url``/``absolute_url`` give root-relative
paths (the same page on every host the site is served from: the preview, CloudFront,
a custom domain). Links to other posts (``{% post_url %}``, ``{% link %}``, ``ref``)
become ``../<slug>/``: a post page is ``/<lang>/posts/<slug>/``, so the link stays in
the reader's language. Whatever is not understood is left out and named in a warning;
inside ``{% raw %}`` and code, everything stays as written.
"""

from __future__ import annotations

import bisect
import html
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from polypub.content import embeds, rawhtml
from polypub.content.errors import ContentError, TemplateLeftOutWarning
from polypub.content.keys import dated_name

# A link or picture whose address has spaces (kramdown takes them, CommonMark shows
# the whole thing as text): `![x]({{ site.baseurl }}/my photo.png)`.
_SPACED_ADDRESS = (
    r"\]\((?P<dest>[^()\n\"'<>]{0,300}? [^()\n\"'<>]{0,300}?"
    r"\.(?:png|jpe?g|gif|webp|avif|svg|pdf|mp3|mp4|docx?|odt))\)"
)
_SPACED = re.compile(_SPACED_ADDRESS)
# The WordPress shortcodes understood (or left out by name) as [name ...] ... [/name].
SHORTCODES = (
    "caption", "embed", "youtube", "vimeo", "video", "audio", "code", "sourcecode",
    "gallery", "playlist", "soundcloud", "contact-form-7", "contact-form", "googlemaps",
    "wpvideo", "slideshow",
)  # fmt: skip
_ARGS = r"(?:(?!\{\{[<%])[^\n]){0,3000}?"
_CONSTRUCT = re.compile(
    _SPACED_ADDRESS
    # A shortcode's arguments: a figure's caption is a paragraph of its own (a real one,
    # tests/corpus/fisiquimicamente, runs to 600 characters), never across another
    # shortcode's opening: 20,000 unclosed ones on a line cost no more than one.
    + r"|\{\{<\s*(?P<hclose>/)?\s*(?P<hname>[\w./-]+)(?P<hargs>"
    + _ARGS
    + r")\s*/?>\}\}"
    r"|\{\{%\s*(?P<pclose>/)?\s*(?P<pname>[\w./-]+)(?P<pargs>" + _ARGS + r")\s*/?%\}\}"
    r"|\{%-?\s*(?P<tname>\w+)(?P<targs>[^\n]{0,400}?)\s*-?%\}"
    r"|\{\{-?(?P<expr>[^\n{}]{0,400}?)-?\}\}"
    # WordPress shortcodes by name (never a Markdown link: "[code](url)", "[video][1]").
    r"|\[(?P<wclose>/)?(?P<wname>" + "|".join(SHORTCODES) + r")(?P<wargs>(?:\s[^\]\n]{0,400})?)"
    r"\](?!\(|\[(?!/)|:)"
    # kramdown's attribute lists ({:target="_blank"}, {: .note}, "* TOC\n{:toc}") and
    # Goldmark's heading attributes ("## Title {#id}"): styling this site does not
    # apply, so they go without a warning.
    r"|(?P<toc>^[*-][ \t]+TOC[ \t]*\n)?\{:[^}\n]{0,300}\}"
    r"|[ \t]*\{[#.][\w .#=\"'-]{0,200}\}[ \t]*(?=\n|$)",
    re.MULTILINE,
)
_TRIGGERS = ("{{", "{%", "{:", "{#", "{.", *(f"[{name}" for name in SHORTCODES))
_PARAM = re.compile(r"[A-Za-z_][\w-]*=")
_QUOTED = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)')\s*$""")
_FENCE = re.compile(r"`{3,}")


@dataclass(frozen=True)
class Resolved:
    """A body with its constructs resolved, and the warnings for those left out."""

    text: str
    warnings: tuple[ContentError, ...] = ()


def resolve(text: str, code_lines: Callable[[], frozenset[int]]) -> Resolved:
    """``text`` with every construct outside code replaced; ``code_lines`` gives the code
    blocks' 0-based lines (asked only when the text has a construct at all)."""
    if not any(trigger in text for trigger in _TRIGGERS) and not _SPACED.search(text):
        return Resolved(text)
    return _resolve(text, code_lines())


@lru_cache(maxsize=8)
def _resolve(text: str, code_lines: frozenset[int]) -> Resolved:
    unknown: list[str] = []
    resolved = _resolve_in(text, _code_ranges(text, code_lines), unknown)
    warnings: tuple[ContentError, ...] = ()
    if unknown:
        warnings = (TemplateLeftOutWarning(list(dict.fromkeys(unknown))),)
    return Resolved(resolved, warnings)


def _resolve_in(text: str, protected: list[tuple[int, int]], unknown: list[str]) -> str:
    out: list[str] = []
    pos = 0
    while (match := _CONSTRUCT.search(text, pos)) is not None:
        if _inside(match.start(), protected):
            out.append(text[pos : match.end()])
            pos = match.end()
            continue
        out.append(text[pos : match.start()])
        replacement, end = _replace(match, text, unknown)
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _replace(match: re.Match[str], text: str, unknown: list[str]) -> tuple[str, int]:
    """What a construct becomes, and where scanning goes on (past its end tag, for pairs)."""
    end = match.end()
    groups = match.groupdict()
    if groups["dest"] is not None:
        address = _resolve_in(groups["dest"], [], unknown).strip()
        return f"]({address.replace(' ', '%20')})", end
    if groups["tname"]:
        name, args = groups["tname"].lower(), groups["targs"].strip()
        if name in ("raw", "highlight", "comment"):
            closing = re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}")
            found = closing.search(text, end)
            inner = text[end : found.start()] if found else text[end:]
            after = found.end() if found else len(text)
            if name == "raw":
                return inner, after
            if name == "comment":
                return "", after
            return _fence(inner, args.split()[0] if args else ""), after
        return _liquid_tag(name, args, match.group(), unknown), end
    if groups["hname"] or groups["pname"]:
        name = (groups["hname"] or groups["pname"]).lower()
        args = (groups["hargs"] if groups["hname"] else groups["pargs"]) or ""
        closing_tag = groups["hclose"] or groups["pclose"]
        if closing_tag:
            return "", end  # the end of a paired shortcode whose start was named
        if name == "highlight":
            pattern = r"\{\{[<%]\s*/\s*highlight\s*[>%]\}\}"
            found = re.compile(pattern).search(text, end)
            inner = text[end : found.start()] if found else text[end:]
            language = _arguments(args)[0][:1]
            return _fence(inner, language[0] if language else ""), (
                found.end() if found else len(text)
            )
        return _shortcode(name, args, match.group(), unknown), end
    if groups["wname"]:
        return _wordpress(match, text, unknown)
    if groups["expr"] is None:
        return "", end  # an attribute list
    return _expression(groups["expr"], match.group(), unknown), end


# --- Liquid ({{ }} and {% %}) -------------------------------------------------------------


def _expression(expr: str, written: str, unknown: list[str]) -> str:
    """`{{ site.baseurl }}`, `{{ "/x" | relative_url }}` and friends as a path."""
    parts = [part.strip() for part in expr.strip().split("|")]
    value = _value(parts[0])
    for flt in parts[1:]:
        if value is None:
            break
        name, _, argument = flt.partition(":")
        name = name.strip()
        if name in ("relative_url", "absolute_url"):
            value = _site_path(value)
        elif name in ("prepend", "append"):
            extra = _value(argument.strip())
            joined = (extra or "") + value if name == "prepend" else value + (extra or "")
            value = None if extra is None else joined
        else:
            value = None
    if value is None:
        unknown.append(written)
        return ""
    return value


def _value(term: str) -> str | None:
    quoted = _QUOTED.match(term)
    if quoted:
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    # The site's address and path prefix: empty, since every page is at the origin's
    # root (see the module docstring). Hugo's BaseURL ends in a slash.
    if term in ("site.baseurl", "site.url", "site.baseURL", ".Site.BaseURL", "site.BaseURL"):
        return "/" if term.endswith("BaseURL") else ""
    return None


def _site_path(value: str) -> str:
    return value if value.startswith(("/", "http://", "https://", "#")) else "/" + value


def _liquid_tag(name: str, args: str, written: str, unknown: list[str]) -> str:
    if name == "post_url":
        return _post_link(args)
    if name == "link":
        target = args.split()[0] if args else ""
        if target.startswith("_posts/") or "/_posts/" in target:
            return _post_link(target)
        return _site_path(target) if target else ""
    if name == "include":
        made = _include(args)
        if made is not None:
            return made
    unknown.append(written)
    return ""


def _include(args: str) -> str | None:
    """Includes whose meaning their parameters tell: a video, a picture."""
    pieces, params = _arguments(args)
    file = pieces[0].lower() if pieces else ""
    for key in ("id", "video_id", "video", "youtube_id", "vimeo_id", "src", "url"):
        if key in params:
            provider = "vimeo" if "vimeo" in file or key == "vimeo_id" else "youtube"
            found = embeds.video_from_url(params[key]) or embeds.video(provider, params[key])
            if found is not None and ("video" in file or "youtube" in file or "vimeo" in file):
                return _iframe(found)
    image = next((params[k] for k in ("url", "src", "file", "image", "path") if k in params), None)
    if image is not None and any(word in file for word in ("image", "figure", "img", "picture")):
        caption = next((params[k] for k in ("caption", "description", "title") if k in params), "")
        return _figure(image, params.get("alt", caption), caption)
    return None


# --- Hugo shortcodes ----------------------------------------------------------------------


def _shortcode(name: str, args: str, written: str, unknown: list[str]) -> str:
    pieces, params = _arguments(args)
    if name in ("youtube", "vimeo"):
        ident = params.get("id") or (pieces[0] if pieces else "")
        found = embeds.video(name, ident) or embeds.video_from_url(ident)
        if found is not None:
            return _iframe(found)
    elif name == "figure" and "src" in params:
        caption = params.get("caption") or params.get("title", "")
        alt = params.get("alt") or rawhtml.link_words(caption)
        return _figure(_site_path(params["src"]), alt, caption)
    elif name in ("ref", "relref") and (pieces or "path" in params):
        return _post_link(params.get("path") or pieces[0])
    unknown.append(written)
    return ""


def _arguments(args: str) -> tuple[list[str], dict[str, str]]:
    """Positional and `key=value` arguments, quoted the shell's way; ([], {}) if unbalanced."""
    try:
        words = shlex.split(args)
    except ValueError:
        return [], {}
    named = [word for word in words if _PARAM.match(word)]
    params = dict(word.split("=", 1) for word in named)
    return [word for word in words if word not in named], params


# --- WordPress shortcodes -----------------------------------------------------------------


def _wordpress(match: re.Match[str], text: str, unknown: list[str]) -> tuple[str, int]:
    name, end = match.group("wname"), match.end()
    if match.group("wclose"):
        return "", end
    closing = _find_closer(text, f"[/{name}]", end)
    inner = text[end:closing] if closing >= 0 else ""
    after = closing + len(name) + 3 if closing >= 0 else end
    if name == "caption" and closing >= 0:
        # [caption ...]<img ...> The caption.[/caption]: the picture, then its words.
        picture = re.match(r"\s*(?:<a\b[^>]*>\s*)?(<img\b[^>]*>)(?:\s*</a>)?", inner)
        if picture is not None:
            caption = inner[picture.end() :].strip()
            return (
                f"\n\n<figure>{picture.group(1)}<figcaption>{caption}</figcaption></figure>\n\n",
                after,
            )
        return inner, after
    pieces, params = _arguments(match.group("wargs") or "")
    if name in ("code", "sourcecode") and closing >= 0:
        language = params.get("lang") or params.get("language") or ""
        return _fence(inner, language), after
    if name in ("embed", "youtube", "vimeo", "video", "wpvideo"):
        source = inner.strip() if name == "embed" and closing >= 0 else ""
        source = source or params.get("src") or params.get("url") or " ".join(pieces)
        found = embeds.video_from_url(source)
        if found is not None:
            return _iframe(found), after if closing >= 0 else end
    if name in ("video", "audio"):
        kinds = ("src", "mp4", "webm", "ogv") if name == "video" else ("src", "mp3", "ogg", "wav")
        media = next((params[k] for k in kinds if k in params), None)
        if media is not None:
            quoted = html.escape(_site_path(media), quote=True)
            return f'<{name} src="{quoted}"></{name}>', after if closing >= 0 else end
    unknown.append(match.group())
    return "", end


@lru_cache(maxsize=4)
def _last(text: str, needle: str) -> int:
    return text.rfind(needle)


def _find_closer(text: str, needle: str, start: int) -> int:
    # An opener without a closer must not cost a scan of the rest of the body each
    # time ("[caption]" 20,000 times): past the last closer there is none.
    return -1 if _last(text, needle) < start else text.find(needle, start)


# --- what constructs become ---------------------------------------------------------------


def _iframe(found: embeds.Video) -> str:
    # Written as HTML so that the one path for embeds (content/rawhtml.py) makes it.
    return f'<iframe src="{found.src}"></iframe>'


def _figure(src: str, alt: str, caption: str) -> str:
    quoted = html.escape(src, quote=True)
    picture = f'<img src="{quoted}" alt="{html.escape(alt, quote=True)}">'
    words = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"\n\n<figure>{picture}{words}</figure>\n\n"


def _fence(code: str, language: str) -> str:
    longest = max((len(run) for run in _FENCE.findall(code)), default=2)
    ticks = "`" * max(3, longest + 1)
    info = re.sub(r"[^\w+#.-]", "", language)
    return f"\n{ticks}{info}\n{code.strip(chr(10))}\n{ticks}\n"


def post_slug(reference: str) -> str:
    """The slug of a post named by file or by Jekyll name (`_posts/2019-10-01-trip.md`)."""
    name = reference.strip().strip("\"'").rstrip("/").rsplit("/", 1)[-1]
    name = re.sub(r"\.(md|markdown|html)$", "", name)
    # The same rule as the slug of a Jekyll-named upload (content/keys.py).
    return dated_name(name)[1]


def _post_link(reference: str) -> str:
    slug = post_slug(reference)
    return f"../{slug}/" if slug else ""


# --- where code is ------------------------------------------------------------------------


def _code_ranges(text: str, code_lines: frozenset[int]) -> list[tuple[int, int]]:
    """Character ranges of code blocks and code spans: constructs there are code."""
    ranges: list[tuple[int, int]] = []
    # Lines as markdown-it counts them: "\n" only (str.splitlines also splits at \x0c).
    starts = [0, *(m.end() for m in re.finditer("\n", text)), len(text)]
    for number in sorted(code_lines):
        if number < len(starts) - 1:
            ranges.append((starts[number], starts[number + 1]))
    # Code spans: a run of backticks up to the next run of the same length, within
    # one paragraph (CommonMark's rule, without the rarer escapes).
    runs = [m for m in re.finditer(r"`+", text) if not _inside(m.start(), ranges)]
    i = 0
    while i < len(runs):
        opener = runs[i]
        # Bounded: a paragraph of unmatched backticks must not cost quadratic time.
        for j in range(i + 1, min(len(runs), i + 200)):
            closer = runs[j]
            if "\n\n" in text[opener.end() : closer.start()]:
                break
            if len(closer.group()) == len(opener.group()):
                ranges.append((opener.start(), closer.end()))
                i = j
                break
        i += 1
    return sorted(ranges)


def _inside(pos: int, ranges: list[tuple[int, int]]) -> bool:
    """True when ``pos`` lies in one of ``ranges`` (sorted, not overlapping)."""
    at = bisect.bisect_right(ranges, (pos, len(ranges) and 1 << 62)) - 1
    return at >= 0 and ranges[at][0] <= pos < ranges[at][1]
