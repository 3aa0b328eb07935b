"""Hypothesis over every input a teacher controls: only the project's named errors come out.

`make test` runs the "ci" profile (tests/conftest.py: bounded, derandomized); `make fuzz`
the "fuzz" profile (HYPOTHESIS_PROFILE=fuzz: thousands of random examples per property).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from html_safety import active_content
from polypub.adapters.localfs import FolderStorage
from polypub.content.assets import ASSET_TYPES, asset_content_type
from polypub.content.errors import AssetTypeNotAllowedError, ContentError
from polypub.content.keys import _is_unsafe, classify_key, key_problem, report_key
from polypub.content.markdown import body_warnings, render_body
from polypub.content.post import Post, image_problem, parse_post, slug_problem
from polypub.content.sanitize import sanitize_html
from polypub.content.segments import parse_tagged, segment_body
from polypub.site.design import DesignError, load_design, parse_site_config
from polypub.site.images import measure_images
from polypub.translate.glossary import Glossary, parse_glossary

pytestmark = pytest.mark.fuzz

LANGS = ("es", "en")
FIELDS = ("title", "author", "description", "date", "project", "images", "lang", "slug")
FLAGS = ("draft", "translate")
# What must never be in a published text field (content/text.py strips them).
INVISIBLE = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]} | {
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u2060\ufeff"
}

# ------------------------------------------------------------------ building blocks

# Any code point, surrogates included: YAML escapes can produce them.
any_char = st.characters(codec=None, exclude_categories=())
# S3 keys are UTF-8 (and arrive %-decoded): no surrogates there.
key_char = st.characters(codec="utf-8")
# What YAML accepts as typed text (raw controls are a syntax error, tested raw below);
# controls and surrogates reach the values through escapes instead.
yaml_char = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
tricky = st.sampled_from(
    [
        "\u202e", "\u2066", "\u200b", "\ufeff", "\x00", "\x1b", "\x85", "\t", "\n", ":",
        ": ", " #", "'", '"', "\\", "%2e%2e", "..", "/", "//", "&a", "*a", "!!", "<<",
        "---", "...", "{", "[", "|", ">", "-", "?", "@", "`", "é", "ñ", "€", "😀", "\u2028",
    ]
)  # fmt: skip
texts = st.lists(st.one_of(tricky, st.text(yaml_char, max_size=8)), max_size=8).map("".join)
# The same, as a teacher's editor could type them between quotes (no raw controls).
typed = texts.map(lambda t: "".join(ch for ch in t if ch >= " " and not "\x7f" <= ch <= "\x9f"))
escapes = st.sampled_from(
    ["\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u202e", "\\x1b", "\\0", "\\e", "\\x85",
     "\\u200b", "\\ufeff", "\\N", "\\_", "\\L", "\\P", "\\t", "\\\\", '\\"', "\\U0001F600"]
)  # fmt: skip
zones = st.sampled_from(["", "Z", "+14:00", "-12:00", "+05:30", "-00:00", "+23:59"])


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        # The calendar's first and last moments, where a time zone pushes a date out.
        year = draw(st.sampled_from([1, 9999]))
        month, day, hour = (1, 1, 0) if year == 1 else (12, 31, 23)
    else:
        year, month = draw(st.integers(1, 9999)), draw(st.integers(1, 12))
        day, hour = draw(st.integers(1, 31)), draw(st.integers(0, 23))
    date = f"{year:04d}-{month:02d}-{day:02d}"
    stamp = date if not draw(st.integers(0, 3)) else f"{date}T{hour:02d}:30:00{draw(zones)}"
    return f'"{stamp}"' if draw(st.booleans()) else stamp


def _escape_for_double(text: str) -> str:
    # Inside double quotes every character can be written: controls and surrogates as
    # \\u escapes, which YAML turns back into the characters themselves.
    return "".join(
        f"\\u{ord(ch):04x}"
        if ch in '"\\' or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or 0xD800 <= ord(ch) <= 0xDFFF
        else ch
        for ch in text
    )


# Plain YAML scalars that stay one valid value, so most documents reach the field checks.
plain_text = (
    st.text(
        st.characters(
            codec="utf-8",
            # Zl/Zp: YAML reads U+2028 and U+2029 as line breaks.
            exclude_categories=("Cc", "Cs", "Zl", "Zp"),
            exclude_characters=":#'\"[]{},&*!|>%@`\\",
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda t: t and not t.startswith(("-", "?", "~")))
)


@st.composite
def scalars(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(["double", "plain", "stamp", "path", "single", "number", "bool", "raw"])
    )
    if kind == "plain":
        return draw(plain_text)
    if kind == "double":
        parts = st.one_of(escapes, tricky.map(_escape_for_double), plain_text)
        return '"' + "".join(draw(st.lists(parts, min_size=1, max_size=6))) + '"'
    if kind == "single":
        return "'" + draw(typed).replace("'", "''") + "'"
    if kind == "stamp":
        return draw(timestamps())
    if kind == "number":
        return draw(st.sampled_from(["1", "-0", "1e400", "0x1F", "9" * 5000, ".inf", "1_000"]))
    if kind == "path":
        segment = st.sampled_from(["%2e%2e", "images", "..", "%2E%2e", ".", "", "a%2Fb", "x.png"])
        return "/assets/" + "/".join(draw(st.lists(segment, min_size=1, max_size=4)))
    if kind == "bool":
        return draw(st.sampled_from(["yes", "no", "true", "False", "~", "null", "on"]))
    return draw(texts).replace("\n", " ")  # anything, often not YAML at all


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> str:
    shape = draw(st.sampled_from(["scalar"] * 4 + ([] if depth > 1 else ["list", "map"])))
    if shape == "scalar":
        return " " + draw(scalars())
    if shape == "list":
        items = draw(st.lists(scalars(), max_size=4))
        return "".join(f"\n{'  ' * (depth + 1)}- {item}" for item in items) or " []"
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(FIELDS) | texts, values(depth + 1)),
            max_size=3,
            unique_by=lambda pair: pair[0],
        )
    )
    indent = "  " * (depth + 1)
    return "".join(f"\n{indent}{_key(k)}:{v}" for k, v in pairs) or " {}"


def _key(name: str) -> str:
    plain = name and name.isidentifier()
    return name if plain else '"' + _escape_for_double(name) + '"'


# Mostly segments that look harmless until %-decoded.
segments = st.sampled_from(["%2e%2e", "x.png", "%2E%2e", "a%2Fb", "%5c", "%2e", "..", ".", ""])
paths = st.lists(segments, min_size=1, max_size=3).map(lambda parts: "/assets/" + "/".join(parts))


@st.composite
def path_lists(draw: st.DrawFn) -> str:
    items = draw(st.lists(st.one_of(paths, paths, paths, scalars()), min_size=1, max_size=2))
    return "".join(f"\n  - {item}" for item in items)


# Each known field with values shaped for it (and sometimes anything at all).
FIELD_VALUES: dict[str, st.SearchStrategy[str]] = {
    "title": scalars(),
    "author": scalars(),
    "description": scalars(),
    "date": timestamps(),
    "images": path_lists(),
    "lang": st.sampled_from(["es", "en", "EN", "es-ES", "fr", "no", '"\\u202ees"']),
    "slug": scalars(),
    "project": scalars(),
    "draft": st.sampled_from(["true", "no", '"false"', "1"]),
    "translate": st.sampled_from(["false", "yes", "~"]),
}


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    # Known fields three times as often as made-up names.
    known = st.sampled_from(list(FIELD_VALUES))
    names = st.one_of(known, known, known, texts)
    lines: list[str] = []
    # Mostly with a usable title, so that the other fields get checked too.
    title = draw(st.sampled_from(["plain"] * 6 + ["any"] * 3 + ["none"]))
    if title != "none":
        lines.append(f"title: {draw(plain_text if title == 'plain' else scalars())}")
    chosen = [
        n for n in draw(st.lists(names, max_size=6, unique=True)) if n != "title" or not lines
    ]
    if chosen and not draw(st.integers(0, 9)):
        chosen.append(chosen[0])  # now and then a field written twice
    for name in chosen:
        shaped = FIELD_VALUES.get(name)
        if shaped is not None and draw(st.integers(0, 4)):
            value = draw(shaped)
            lines.append(f"{name}:{value}" if value.startswith("\n") else f"{name}: {value}")
        else:
            lines.append(f"{_key(name)}:{draw(values())}")
    return "\n".join(lines)


markdown_atoms = st.sampled_from(
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
        "[a](JaVaScRiPt:alert(1))", "[a](java\tscript:x)", "![i](data:text/html;base64,PHNj)",
        "<a href='javascript:x'>a</a>", "<svg onload=x>", "&#27;", "&#0;", "&#x6A;avascript:",
        "\x00", "\x1b[31m", "\u202e", "`code`", "```\n<script>\n```", "**b**", "_i_", "> q",
        "- item", "1. item", "| a | b |\n|---|---|\n| c | d |", "<https://ok.example>",
        "[ok](https://ok.example)", "[x]: javascript:alert(1)\n\n[y][x]", "\n\n", "<!-- c -->",
        "<iframe src=//evil>", "<style>*{}</style>", "[a](<javascript:x>)", "![](vbscript:x)",
    ]
)  # fmt: skip
bodies = st.lists(st.one_of(markdown_atoms, st.text(any_char, max_size=20)), max_size=12).map(
    "".join
)


# ------------------------------------------------------------------ properties


def _check_post(post: Post) -> None:
    for text in (post.title, post.author, post.description, post.slug, post.project):
        if text is not None:
            text.encode("utf-8")  # what the report, status, page and e-mail need
            assert not INVISIBLE & set(text), repr(text)
    assert post.title.strip()
    assert slug_problem(post.slug) is None
    if post.date is not None:
        assert post.date.utcoffset() is not None
        assert post.date.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    for path in post.images:
        assert image_problem(path) is None
    # What the page step does with them: measure each through the real folder adapter
    # (which refuses any key outside its folder).
    with tempfile.TemporaryDirectory() as folder:
        measure_images(post.images, FolderStorage(Path(folder)).get)


def _parse(key: str, data: bytes) -> Post | None:
    try:
        post = parse_post(key, data, languages=LANGS)
    except ContentError as error:
        # A report, a status line and an e-mail are made of these two.
        str(error).encode("utf-8")
        assert error.code  # noqa: PT017 - the property is about the error that came out
        event(error.code)
        return None
    event("published")
    _check_post(post)
    return post


# The shapes that once raised a traceback (issue 11) are always among the examples.
@example(front="title: a\ndate: 9999-12-31T23:30:00-12:00", body="")
@example(front='title: a\ndate: "0001-01-01T00:00:00+14:00"', body="")
@example(front='title: "a \\ud800"', body="")
@example(front="title: a\nimages:\n  - /assets/%2e%2e/x.png", body="")
@given(front=front_matters(), body=bodies)
def test_yaml_like_front_matter_gives_a_post_or_a_named_error(front: str, body: str) -> None:
    _parse("posts/fuzz.md", f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"))


@given(front=st.text(any_char, max_size=300), body=st.text(any_char, max_size=100))
def test_raw_text_front_matter_gives_a_post_or_a_named_error(front: str, body: str) -> None:
    _parse("posts/fuzz.en.md", f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"))


@given(data=st.binary(max_size=400))
def test_any_bytes_give_a_post_or_a_named_error(data: bytes) -> None:
    _parse("posts/fuzz.md", b"---\ntitle: x\n" + data)
    _parse("posts/fuzz.md", data)


@example(body="\ud800")  # make fuzz found it: nh3 raised UnicodeEncodeError
@given(body=bodies)
def test_a_rendered_and_sanitized_body_never_holds_active_content(body: str) -> None:
    html = sanitize_html(render_body(body))
    assert active_content(html) == []
    assert "\x00" not in html
    assert "\x1b" not in html
    post = _parse(
        "posts/fuzz.md", f"---\ntitle: Fuzz\n---\n{body}".encode("utf-8", "surrogatepass")
    )
    if post is not None:
        assert active_content(sanitize_html(render_body(post.body))) == []


# Hostile HTML as authors (and attackers) write it: any tag, allowed or not, with
# attributes that run script, URLs of every scheme, embeds of real and fake hosts,
# unbalanced and interleaved with Markdown and template constructs.
HTML_TAGS = [
    "a", "img", "iframe", "script", "style", "svg", "math", "details", "summary", "figure",
    "figcaption", "table", "tr", "td", "th", "p", "div", "span", "em", "b", "code", "pre",
    "br", "form", "input", "object", "embed", "base", "meta", "template", "noscript",
    "textarea", "title", "select", "video", "audio", "source", "g1", "x1",
]  # fmt: skip
ATTRIBUTE_NAMES = [
    "href", "src", "onerror", "onclick", "onload", "ontoggle", "style", "class", "srcdoc",
    "srcset", "sandbox", "width", "height", "title", "alt", "xlink:href", "formaction",
    "action", "open", "allow", "http-equiv", "content", "poster", "autoplay", "controls",
]  # fmt: skip
ATTRIBUTE_VALUES = [
    "javascript:alert(1)", "JaVa\tScRiPt:x", "&#106;avascript:x", "data:text/html,<script>",
    "https://www.youtube.com/embed/dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ\" onload=\"x",
    "https://player.vimeo.com/video/1", "//evil.example/x", "600px", "allow-top-navigation",
    "\"><script>alert(1)</script>", "expression(alert(1))", "url(javascript:x)", "/ok.png",
    "{{ site.baseurl }}/a.png", "refresh", "0;url=javascript:x", "",
]  # fmt: skip


@st.composite
def html_fragments(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(HTML_TAGS))
    attributes = "".join(
        f' {name}="{value}"' if quoted else f" {name}={value}"
        for name, value, quoted in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(ATTRIBUTE_NAMES),
                    st.sampled_from(ATTRIBUTE_VALUES),
                    st.booleans(),
                ),
                max_size=3,
            )
        )
    )
    inner = draw(
        st.lists(
            st.one_of(
                st.text(any_char, max_size=8),
                markdown_atoms,
                html_fragments(depth + 1) if depth < 2 else st.just("x"),
            ),
            max_size=3,
        )
    )
    close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}", "</a>", "/>"]))
    return f"<{tag}{attributes}>{''.join(inner)}{close}"


template_atoms = st.sampled_from(
    [
        "{{< youtube dQw4w9WgXcQ >}}", '{{< youtube "x\" onload=\"y" >}}', "{{ site.baseurl }}",
        '{{ "javascript:alert(1)" | relative_url }}', "{% raw %}<script>{% endraw %}",
        "{% highlight html %}<script>alert(1)</script>{% endhighlight %}", "{% include x %}",
        "[caption]<img src=x onerror=alert(1)> c[/caption]", "[embed]javascript:x[/embed]",
        '{{< figure src="javascript:alert(1)" caption="<script>" >}}', "{{", "{%", "<!--more-->",
    ]
)  # fmt: skip
html_bodies = st.lists(
    st.one_of(html_fragments(), markdown_atoms, template_atoms, st.text(any_char, max_size=10)),
    max_size=8,
).map("".join)


@given(body=html_bodies)
def test_hostile_html_in_a_body_is_safe_in_every_language_and_never_sent(body: str) -> None:
    # The page in the post's own language; even before the last gate, no element or
    # handler that runs script (link titles of Markdown are the sanitizer's to judge).
    rendered = render_body(body)
    assert not [found for found in active_content(rendered) if "title=" not in found], rendered
    assert active_content(sanitize_html(rendered)) == []
    for warning in body_warnings(body):
        assert warning.code in ("html-left-out", "template-left-out")
        str(warning).encode("utf-8")
    # Every translated page: hostile answers around each segment's own placeholders.
    segmented = segment_body(body)
    for segment in segmented.segments:
        # A translator sees words and our placeholders, never the author's markup.
        for piece in parse_tagged(segment.text):
            if isinstance(piece, str):
                assert "<" not in piece, segment.text
    answers = [
        f"<script>alert(1)</script>{s.text}<img src=x onerror=y>" for s in segmented.segments
    ]
    translated = segmented.render(answers)
    assert active_content(translated) == []
    assert active_content(sanitize_html(translated)) == []


keys = st.one_of(
    st.text(key_char, max_size=40),
    st.tuples(
        st.sampled_from(["posts/", "assets/", "config/", "theme/", "", "/"]),
        st.lists(
            st.sampled_from(["a", "..", ".", "", "\\", "\x00", "b.md", "c.MD", ".x"]), max_size=4
        ),
        st.sampled_from(["", ".md", ".MD", ".en.md", ".es.Md", ".png", ".error.txt"]),
    ).map(lambda parts: parts[0] + "/".join(parts[1]) + parts[2]),
)


@given(key=keys)
def test_every_key_is_classified_and_its_report_is_writable(key: str) -> None:
    source = classify_key(key, LANGS)
    assert source.key == key
    if source.kind in ("post", "translation"):
        assert source.name
        assert not _is_unsafe(key)
    problem = key_problem(key)
    assert problem is None or isinstance(problem, ContentError)
    target = report_key(key)
    assert target.endswith(".error.txt")
    assert not _is_unsafe(target) or (_is_unsafe(key) and target == "invalid-key.error.txt")


@st.composite
def glossaries(draw: st.DrawFn) -> str:
    keep = draw(st.lists(scalars(), max_size=4))
    fixed = draw(
        st.lists(
            st.lists(st.tuples(st.sampled_from(["es", "en", "ca", "fr"]), scalars()), max_size=3),
            max_size=3,
        )
    )
    lines = ["keep:", *(f"  - {term}" for term in keep), "fixed:"]
    for entry in fixed:
        lines += [
            f"  - {lang}: {text}" if i == 0 else f"    {lang}: {text}"
            for i, (lang, text) in enumerate(entry)
        ]
    if draw(st.booleans()):
        lines.append(f"{_key(draw(texts))}:{draw(values())}")
    return "\n".join(lines)


@given(text=st.one_of(glossaries(), st.text(any_char, max_size=200)))
def test_a_glossary_is_usable_or_a_named_error(text: str) -> None:
    try:
        glossary = parse_glossary(text.encode("utf-8", "surrogatepass"), languages=LANGS)
    except ContentError as error:
        str(error).encode("utf-8")
        return
    assert isinstance(glossary, Glossary)
    for term in glossary.keep:
        term.encode("utf-8")


@st.composite
def site_configs(draw: st.DrawFn) -> str:
    names = st.sampled_from(["name", "tagline", "logo", "colors", "colours", "Name"]) | texts
    lines = []
    for name in draw(st.lists(names, max_size=5)):
        if name == "logo" and draw(st.booleans()):
            lines.append(f"logo: {draw(paths)}")
        else:
            lines.append(f"{_key(name)}:{draw(values())}")
    return "\n".join(lines)


@example(text="logo: /assets/%2e%2e/config/site.yml")
@example(text='name: "\\ud800"')
@example(text="name: a\nname: b")
@given(text=st.one_of(site_configs(), st.text(any_char, max_size=200)))
def test_a_site_config_is_read_through_the_real_folder_adapter_without_a_traceback(
    text: str,
) -> None:
    data = text.encode("utf-8", "surrogatepass")
    design, problems = parse_site_config(data, LANGS)
    assert all(isinstance(problem, DesignError) for problem in problems)
    for value in (design.name, design.logo, *design.tagline.values()):
        if value is not None:
            value.encode("utf-8")
    # The logo is measured by reading it through FolderStorage, which refuses keys
    # outside its folder: any logo path that passed the check must be readable.
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "config").mkdir()
        (Path(folder) / "config" / "site.yml").write_bytes(data)
        loaded = load_design(FolderStorage(Path(folder)), LANGS)
    assert all(isinstance(problem, DesignError) for _, problem in loaded.problems)


SIGNATURES = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\0\0\0\0WEBP", b"%PDF-",
              b"ID3", b"OggS", b"fLaC", b"\x1a\x45\xdf\xa3", b"\0\0\0\x20ftypisom",
              b"<html>", b"<svg", b"<?xml"]  # fmt: skip
PASSIVE = {content_type for kind in ASSET_TYPES for content_type in kind.types.values()}


@given(
    name=st.text(key_char, max_size=12),
    ext=st.sampled_from(
        ["png", "JPG", "gif", "webp", "pdf", "mp3", "ogg", "html", "svg", "js", "", "xml"]
    ),
    head=st.sampled_from(SIGNATURES),
    tail=st.binary(max_size=40),
)
def test_an_asset_is_passive_or_a_named_error(
    name: str, ext: str, head: bytes, tail: bytes
) -> None:
    key = f"assets/{name}.{ext}" if ext else f"assets/{name}"
    try:
        content_type = asset_content_type(key, head + tail)
    except AssetTypeNotAllowedError as error:
        str(error).encode("utf-8")
        return
    assert content_type in PASSIVE
