"""Parse one uploaded post: bytes -> Post, or a named ContentError. Pure: no I/O."""

from __future__ import annotations

import codecs
import hashlib
import html
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal
from urllib.parse import unquote

import yaml
from frontmatter.default_handlers import YAMLHandler

from polypub.content.errors import (
    ContentError,
    DuplicateKeyError,
    FrontMatterShapeError,
    FrontMatterSyntaxError,
    FrontMatterTooComplexError,
    InvalidCharacterError,
    InvalidFieldError,
    InvalidSlugError,
    MissingTitleError,
    NotUtf8Error,
    PostTooLargeError,
)
from polypub.content.keys import address_name, classify_key, dated_name, extension_problem
from polypub.content.markdown import body_excerpt, check_complexity
from polypub.content.text import clean_field, join_surrogates
from polypub.languages import DEFAULT_SITE_LANGUAGES

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# Front matter is a handful of fields; these bounds keep a hostile upload from
# costing more than milliseconds of the pure-Python YAML parser.
MAX_FRONT_MATTER_CHARS = 64 * 1024
# Values after expanding YAML aliases (*name). A CMS writes no aliases at all;
# a "billion laughs" front matter expands to ~10^9 values and is refused here.
MAX_FRONT_MATTER_NODES = 10_000
MAX_FRONT_MATTER_DEPTH = 20
MAX_SLUG_LENGTH = 100
ASSETS_ROOT = "/assets/"

_NULL_TAG = "tag:yaml.org,2002:null"
_SLUG_RE = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
# Letters NFKD does not decompose into ASCII + accents. The Catalan middle dot
# (col·legi) is dropped so "col·legi" becomes "collegi", as Catalan slugs write it.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "Þ": "th",
        "\u0131": "i",  # dotless i (Turkish), which NFKD keeps as is
        "·": "",
    }
)
_MINIMAL_EXAMPLE = "---\ntitle: My trip to Rome\n---"
# An HTML character reference that ends in ';' (&#8217; &#x2019; &hellip; &amp;). WordPress
# exports write them into front matter, which is not HTML: decoded once, a title shows a
# curly apostrophe and an ellipsis; a bare '&' (or '&copy' without ';') is the author's
# own text and stays.
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# The fields other blog engines use for what Decap calls description and images, in the
# order they are tried (the documented field first). See README, "Front matter".
DESCRIPTION_FIELDS = ("description", "summary", "excerpt", "teaser")
PICTURE_FIELDS = ("image", "cover")
# Hugo's other names for the date, tried when there is no `date` (`published` is also
# Jekyll's flag: `published: false` hides the post, as `draft: true` does).
DATE_FIELDS = ("publishDate", "pubdate", "published")
# In `image:`/`cover:` written as a group of fields: where the path is (Hugo themes,
# jekyll-seo-tag).
_PICTURE_KEYS = ("image", "src", "url", "path")
# TOML front matter (Hugo): between lines of +++.
_TOML_OPEN_RE = re.compile(r"\+\+\+[ \t]*\n")
_TOML_CLOSE_RE = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
_TOML_ERROR_LINE_RE = re.compile(r"\(at line (\d+), column \d+\)$")
_TOML_KEY_RE = re.compile(r"""^[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z0-9_-]+))[ \t]*=""")


@dataclass(frozen=True)
class Post:
    """A parsed, validated post.

    ``name`` is the file stem (``posts/foo.en.md`` -> ``foo``); ``translation_lang``
    is set when the file is a person's translation (``posts/<name>.<lang>.md``).
    ``lang`` is the front matter's language (None: detect it from the text); for a
    translation it is always ``translation_lang``. ``body`` is the Markdown after
    the front matter, with ``\\n`` line ends, no leading blank lines and one final
    newline (empty when there is no text).
    """

    source_key: str
    name: str
    slug: str
    title: str
    body: str
    content_hash: str
    author: str | None = None
    description: str | None = None
    date: datetime | None = None
    project: str | None = None
    images: tuple[str, ...] = ()
    lang: str | None = None
    draft: bool = False
    translate: bool = True
    translation_lang: str | None = None
    # Authors after the first (`authors:` lists): shown on the page; `author` alone
    # has an author page.
    co_authors: tuple[str, ...] = ()
    # What the teacher should know although the post is published (a slug that was
    # changed, a picture that is not shown): the report beside the upload lists them.
    notes: tuple[str, ...] = ()


def parse_post(
    key: str,
    data: bytes,
    *,
    languages: Sequence[str] = DEFAULT_SITE_LANGUAGES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Post:
    """Parse and validate the object stored at ``key``; raise a ContentError if unusable."""
    # Before decoding: a huge object must not cost memory for a second copy.
    if len(data) > max_bytes:
        raise PostTooLargeError(len(data), max_bytes)
    langs = tuple(lang.lower() for lang in languages)
    wrong_extension = extension_problem(key)
    if wrong_extension is not None:
        raise wrong_extension
    text = _decode(data)
    name, translation_lang = _name_of(key, langs)

    front = _split(text)
    if front is None:
        raise MissingTitleError(
            "This post has no front matter, so it has no title. Start the file with "
            f"the front matter, then the text of the post:\n{_MINIMAL_EXAMPLE}",
            line=1,
        )
    fields = _load_toml(front) if front.format == "toml" else _load(front, text)
    notes: list[str] = []
    # The title first: when several things are wrong, the most basic is reported.
    title = _title(fields)

    lang = _lang(fields, langs)
    if translation_lang is not None:
        if lang is not None and lang != translation_lang:
            raise InvalidFieldError(
                "lang",
                f"says '{lang}', but the file name says this is the '{translation_lang}' "
                f"translation. Remove the 'lang' line or make it 'lang: {translation_lang}'.",
                line=fields.line("lang"),
            )
        lang = translation_lang

    body = _body(front.body)
    check_complexity(body)
    named_day, plain_name = dated_name(address_name(key, name))
    authors = _authors(fields, notes)
    return Post(
        source_key=key,
        name=name,
        # A name that is only a date and symbols keeps its date as its address.
        slug=_slug(fields, plain_name if slugify(plain_name) else address_name(key, name), notes),
        title=title,
        body=body,
        content_hash=hashlib.sha256(data).hexdigest(),
        author=authors[0] if authors else None,
        # No description: WordPress's and Jekyll's excerpt, the text before <!--more-->.
        description=_description(fields) or body_excerpt(body),
        date=_date(fields) or _other_date(fields, notes) or _midnight(named_day),
        project=_project(fields),
        images=_pictures(fields, notes),
        lang=lang,
        # Jekyll hides a post with 'published: false', as 'draft: true' does here (in
        # Hugo, 'published' is a date: _other_date).
        draft=_flag(fields, "draft", default=False) or _unpublished(fields),
        translate=_flag(fields, "translate", default=True),
        translation_lang=translation_lang,
        co_authors=authors[1:],
        notes=tuple(notes),
    )


def decode_entities(text: str) -> str:
    """``text`` with each HTML character reference ending in ';' decoded, once.

    ``"It&#8217;s"`` -> ``"It\u2019s"``; ``"&amp;#8217;"`` -> ``"&#8217;"``; ``"R&D"`` stays.
    What a reference decodes to is cleaned like any front matter text (``&#8238;`` is
    a bidi override).
    """
    if "&" not in text:
        return text
    decoded = _ENTITY_RE.sub(lambda match: html.unescape(match.group()), text)
    return clean_field(decoded) if decoded != text else text


def slugify(text: str) -> str:
    """A slug from any text: accents transliterated, lowercase ASCII, digits and hyphens.

    ``"Año Nuevo"`` -> ``"ano-nuevo"``. May return "" (e.g. text with no Latin letters).
    """
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    ascii_text = "".join(ch for ch in plain if not unicodedata.combining(ch))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rsplit("-", 1)[0] or slug[:MAX_SLUG_LENGTH]
    return slug


def slug_problem(value: str) -> str | None:
    """Why ``value`` is not a safe slug, as a phrase that follows its name, or None.

    ``"is 'a/b', which contains '/' ..."`` reads after "The slug" or "The field 'project'".
    """
    if not value:
        return "is empty."
    if "/" in value or "\\" in value:
        return f"is '{value}', which contains '/' or '\\': it must be one name, not a folder path."
    if ".." in value:
        return f"is '{value}', which contains '..'."
    if _DRIVE_RE.match(value):
        return f"is '{value}', which looks like a Windows drive path (like 'C:')."
    if len(value) > MAX_SLUG_LENGTH:
        return f"is {len(value)} characters long; the limit is {MAX_SLUG_LENGTH}."
    if not _SLUG_RE.fullmatch(value):
        allowed = "abcdefghijklmnopqrstuvwxyz0123456789-"
        bad = sorted({ch for ch in value if ch not in allowed})
        suggestion = slugify(value)
        example = f" You could write '{suggestion}'." if suggestion else ""
        if bad:
            shown = " ".join(repr(ch) for ch in bad)
            return (
                f"is '{value}', which contains characters that are not allowed: {shown}.{example}"
            )
        return f"is '{value}', which must start and end with a letter or a digit.{example}"
    return None


# --- decoding and splitting -------------------------------------------------------


def _decode(data: bytes) -> str:
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        raise NotUtf8Error(
            offset,
            data.count(b"\n", 0, offset) + 1,
            data[offset],
            utf16=data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)),
        ) from None
    # Windows (CRLF) and old Mac (CR) line ends would otherwise end up in titles
    # and split YAML lines differently from what the teacher sees.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _name_of(key: str, languages: tuple[str, ...]) -> tuple[str, str | None]:
    source = classify_key(key, languages)
    if source.kind == "translation":
        return source.name, source.lang
    if source.kind == "post":
        return source.name, None
    # Not a key the pipeline would send here (tests, previews of loose files):
    # fall back to the file name so the function stays total.
    filename = key.replace("\\", "/").rsplit("/", 1)[-1]
    return (filename[:-3] if filename.lower().endswith(".md") else filename), None


class _SafeFrontMatterLoader(yaml.SafeLoader):
    """SafeLoader (no Python objects) with a nesting limit, whose impossible timestamps stay text.

    PyYAML turns ``2024-13-45`` into a ValueError that names no field; as text it
    reaches the date check, which tells the teacher which field and how to fix it.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # The composer recurses once per level: "[[[[..." would otherwise burn
        # seconds climbing to Python's recursion limit before failing.
        self._depth += 1
        try:
            if self._depth > MAX_FRONT_MATTER_DEPTH:
                raise FrontMatterTooComplexError(
                    "The front matter is nested too deeply (lists inside lists inside "
                    "lists...). A post needs only a few 'name: value' lines."
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _lenient_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    assert isinstance(node, yaml.ScalarNode)
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_SafeFrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


class SafeYAMLHandler(YAMLHandler):
    """python-frontmatter's YAML handler with a safe, bounded loader."""

    def load(self, fm: str, **kwargs: object) -> Any:
        return load_yaml(fm)[0]


def load_yaml(
    source: str, *, first_line: int = 1, where: str = "the front matter"
) -> tuple[Any, yaml.Node | None]:
    """Safely load YAML: the data and its node tree (for raw text and line numbers).

    Raises FrontMatterTooComplexError for alias bombs and self-referencing aliases
    before anything is constructed, DuplicateKeyError for a key written twice,
    InvalidCharacterError for a lone surrogate, and yaml.YAMLError for syntax errors.
    Every text is cleaned of invisible and control characters (content/text.py)
    before it becomes a value. ``first_line`` is the file line of ``source``'s first
    line, and ``where`` names the file in their messages ("config/site.yml").
    """
    loader = _SafeFrontMatterLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node)
        _check_nodes(node, first_line, where)
        return loader.construct_document(node), node
    finally:
        loader.dispose()


def _check_nodes(root: yaml.Node, first_line: int, where: str) -> None:
    # Checked on the node tree, before construction: a surrogate would otherwise only
    # fail when a report quoting it is encoded, and a duplicate key is gone once
    # PyYAML has built the dict (it keeps the last value without a word).
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # aliases share nodes; _check_expansion bounded the tree
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            joined = join_surrogates(node.value)
            if joined is None:
                raise InvalidCharacterError(line=first_line + node.start_mark.line, where=where)
            node.value = clean_field(joined)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            _check_duplicates(node, first_line, where)
            for key, value in node.value:
                stack += (key, value)


def _check_duplicates(node: yaml.MappingNode, first_line: int, where: str) -> None:
    lines: dict[tuple[str, str], int] = {}
    for key, _ in node.value:
        # Merge keys (<<) may repeat; complex keys (lists as keys) are not fields.
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        identity = (key.tag, clean_field(key.value))
        line = first_line + key.start_mark.line
        if identity in lines:
            raise DuplicateKeyError(identity[1], lines[identity], line, where=where)
        lines[identity] = line


def _check_expansion(root: yaml.Node) -> None:
    # Aliases share nodes, so composing and constructing a billion laughs is cheap;
    # the harm comes later when anything walks the result. Count the values the
    # tree stands for (memoised per node, so this is linear in the real tree).
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        ident = id(node)
        if ident in sizes:
            return sizes[ident]
        if ident in open_nodes:
            raise FrontMatterTooComplexError(
                "The front matter contains a value that refers to itself through an "
                "alias (*name). Write the values out instead of using & and *."
            )
        open_nodes.add(ident)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_FRONT_MATTER_NODES:
                raise FrontMatterTooComplexError(
                    "The front matter is too complex: it holds more than "
                    f"{MAX_FRONT_MATTER_NODES} values, counting every copy that an alias "
                    "(*name) makes. A post needs only a few fields; write them out, "
                    "without & and *."
                )
        open_nodes.discard(ident)
        sizes[ident] = total
        return total

    size(root)


@dataclass(frozen=True)
class _Front:
    yaml_text: str  # the front matter's text, YAML or TOML (see format)
    first_line: int  # 1-based file line of yaml_text's first line
    body: str
    format: Literal["yaml", "toml"] = "yaml"


_HANDLER = SafeYAMLHandler()


def _split(text: str) -> _Front | None:
    # Leading blank lines are forgiven (python-frontmatter does too), but counted
    # so that line numbers in messages match what the teacher's editor shows.
    stripped = text.lstrip()
    skipped_lines = text.count("\n", 0, len(text) - len(stripped))
    toml_open = _TOML_OPEN_RE.match(stripped)
    if toml_open is not None:
        return _split_toml(stripped, toml_open.end(), skipped_lines)
    if not _HANDLER.detect(stripped):
        return None
    assert _HANDLER.FM_BOUNDARY is not None
    opening = _HANDLER.FM_BOUNDARY.match(stripped)
    assert opening is not None
    try:
        yaml_text, body = _HANDLER.split(stripped)
    except ValueError:
        raise FrontMatterSyntaxError(
            f"The front matter starts with --- on line {skipped_lines + 1} but never ends. "
            "Add a line with only --- after the last field, before the text of the post:\n"
            f"{_MINIMAL_EXAMPLE}",
            line=skipped_lines + 1,
        ) from None
    first_line = skipped_lines + stripped.count("\n", 0, opening.end()) + 1
    return _Front(yaml_text, first_line, body)


def _split_toml(stripped: str, start: int, skipped_lines: int) -> _Front:
    closing = _TOML_CLOSE_RE.search(stripped, start)
    if closing is None:
        raise FrontMatterSyntaxError(
            f"The front matter starts with +++ on line {skipped_lines + 1} but never ends. "
            "Add a line with only +++ after the last field, before the text of the post.",
            line=skipped_lines + 1,
        )
    body = stripped[closing.end() :]
    return _Front(stripped[start : closing.start()], skipped_lines + 2, body, "toml")


def _body(body: str) -> str:
    body = body.lstrip("\n").rstrip()
    return body + "\n" if body else ""


# --- front matter fields ---------------------------------------------------------


_Shape = Literal["scalar", "list", "mapping"]


@dataclass(frozen=True)
class _Fields:
    """The front matter's values, with what the teacher typed and where (YAML or TOML).

    Every text in it has its HTML character references decoded once (decode_entities).
    """

    values: dict[str, Any]
    lines: dict[str, int]  # file line of each field's name
    raw: dict[str, str | None]  # each single value as typed (None: empty); not lists
    shapes: dict[str, _Shape]
    first_line: int
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)  # of list items

    def line(self, name: str) -> int | None:
        return self.lines.get(name)

    def item_line(self, name: str, index: int) -> int | None:
        lines = self.item_lines.get(name, ())
        return lines[index] if index < len(lines) else self.line(name)

    def is_scalar(self, name: str) -> bool:
        return self.shapes.get(name) == "scalar"

    def text(self, name: str) -> str | None:
        """The field as the teacher typed it (``no`` stays "no", ``1.10`` stays "1.10")."""
        shape = self.shapes.get(name)
        if shape is None:
            return None
        if shape != "scalar":
            kind = "a list" if shape == "list" else "a group of fields"
            raise InvalidFieldError(
                name,
                f"must be a single text value, but it is {kind}. Write it on one line, "
                f"like '{name}: some text'.",
                line=self.line(name),
            )
        return self.raw.get(name)


def _decoded(value: Any) -> Any:
    """A constructed front matter value with every text in it decoded (decode_entities)."""
    if isinstance(value, str):
        return decode_entities(value)
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    if isinstance(value, dict):
        return {key: _decoded(item) for key, item in value.items()}
    return value


def _yaml_fields(data: dict[Any, Any], root: yaml.Node | None, first_line: int) -> _Fields:
    lines: dict[str, int] = {}
    raw: dict[str, str | None] = {}
    shapes: dict[str, _Shape] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    if isinstance(root, yaml.MappingNode):
        # After construction, merge keys (<<) are already flattened into root.value.
        for key_node, value_node in root.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _NULL_TAG:
                continue
            name = str(key_node.value)
            lines[name] = first_line + key_node.start_mark.line
            if isinstance(value_node, yaml.ScalarNode):
                shapes[name] = "scalar"
                null = value_node.tag == _NULL_TAG
                raw[name] = None if null else decode_entities(str(value_node.value))
            elif isinstance(value_node, yaml.SequenceNode):
                shapes[name] = "list"
                item_lines[name] = tuple(
                    first_line + item.start_mark.line for item in value_node.value
                )
            else:
                shapes[name] = "mapping"
    values = {k: _decoded(v) for k, v in data.items() if isinstance(k, str)}
    return _Fields(values, lines, raw, shapes, first_line, item_lines)


def _load(front: _Front, text: str) -> _Fields:
    if len(front.yaml_text) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterTooComplexError(
            f"The front matter (between the --- lines) is {len(front.yaml_text) // 1024} KB; "
            f"the limit is {MAX_FRONT_MATTER_CHARS // 1024} KB. Keep only the fields and "
            "move long text into the body of the post.",
            line=front.first_line,
        )
    try:
        data, root = load_yaml(front.yaml_text, first_line=front.first_line)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, front, text) from None
    except yaml.YAMLError as exc:
        raise FrontMatterSyntaxError(
            f"The front matter is not valid YAML ({exc}). Check that each line is "
            "'name: value' with a space after the colon."
        ) from None
    except RecursionError:
        raise FrontMatterTooComplexError(
            "The front matter is nested too deeply. A post needs only a few 'name: value' lines."
        ) from None
    except (ValueError, OverflowError):
        # e.g. an integer with thousands of digits, which Python refuses to build.
        raise FrontMatterSyntaxError(
            "The front matter has a value that cannot be read (for example a number "
            "thousands of digits long). Put unusual values in double quotes."
        ) from None

    if data is None:
        data = {}
    if not isinstance(data, dict):
        if isinstance(data, list):
            raise FrontMatterShapeError("a list (lines starting with '- ')", line=front.first_line)
        raise FrontMatterShapeError(
            f"a single text ({_short(str(data))!r})",
            hint="Check that each field has a space after its colon: 'title: Hello', "
            "not 'title:Hello'.",
            line=front.first_line,
        )

    return _yaml_fields(data, root, front.first_line)


def _load_toml(front: _Front) -> _Fields:
    """TOML front matter (Hugo's +++), read with the standard library's tomllib."""
    source = front.yaml_text
    if len(source) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterTooComplexError(
            f"The front matter (between the +++ lines) is {len(source) // 1024} KB; "
            f"the limit is {MAX_FRONT_MATTER_CHARS // 1024} KB. Keep only the fields and "
            "move long text into the body of the post.",
            line=front.first_line,
        )
    try:
        # Decoded from UTF-8, the text has no lone surrogates, and TOML's \u escapes
        # cannot make one (tomllib refuses them): only YAML needs join_surrogates.
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, source, front.first_line) from None
    except RecursionError:
        raise FrontMatterTooComplexError(
            "The front matter is nested too deeply. A post needs only a few 'name = value' lines."
        ) from None
    _check_toml_depth(data)
    data = _toml_cleaned(data)
    lines = _toml_key_lines(source, front.first_line)
    raw: dict[str, str | None] = {}
    shapes: dict[str, _Shape] = {}
    for name, value in data.items():
        lines.setdefault(name, front.first_line)
        if isinstance(value, list):
            shapes[name] = "list"
        elif isinstance(value, dict):
            shapes[name] = "mapping"
        else:
            shapes[name] = "scalar"
            raw[name] = _toml_text(value)
    item_lines = {
        name: (lines[name],) * len(value) for name, value in data.items() if isinstance(value, list)
    }
    return _Fields(data, lines, raw, shapes, front.first_line, item_lines)


def _toml_text(value: object) -> str:
    """A TOML value as its author wrote it, near enough for messages and text fields."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _toml_cleaned(value: Any) -> Any:
    # The same cleaning YAML texts get in _check_nodes, then entities decoded once.
    if isinstance(value, str):
        return decode_entities(clean_field(value))
    if isinstance(value, list):
        return [_toml_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {clean_field(key): _toml_cleaned(item) for key, item in value.items()}
    return value


def _check_toml_depth(data: dict[str, Any]) -> None:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_FRONT_MATTER_DEPTH:
            raise FrontMatterTooComplexError(
                "The front matter is nested too deeply (lists inside lists inside "
                "lists...). A post needs only a few 'name = value' lines."
            )
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, (dict, list)):
            stack.extend((child, depth + 1) for child in children)


def _toml_key_lines(source: str, first_line: int) -> dict[str, int]:
    """The file line of each top-level key (before the first [table]), first spelling.

    tomllib gives no positions; this reading is only for the line numbers of messages
    and for naming a field written twice.
    """
    return {name: lines[0] for name, lines in _toml_top_keys(source, first_line).items()}


def _toml_top_keys(source: str, first_line: int) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for offset, line in enumerate(source.split("\n")):
        if line.lstrip().startswith("["):
            break
        match = _TOML_KEY_RE.match(line)
        if match is not None:
            name = next(group for group in match.groups() if group is not None)
            found.setdefault(name, []).append(first_line + offset)
    return found


def _toml_error(exc: tomllib.TOMLDecodeError, source: str, first_line: int) -> ContentError:
    for name, lines in _toml_top_keys(source, first_line).items():
        if len(lines) > 1:
            # tomllib refuses it too ("Cannot overwrite a value"); this names the field.
            return DuplicateKeyError(name, lines[0], lines[1])
    message = str(exc)
    at = _TOML_ERROR_LINE_RE.search(message)
    line = first_line + int(at.group(1)) - 1 if at else None
    problem = _TOML_ERROR_LINE_RE.sub("", message).strip()
    where = f" on line {line}" if line is not None else ""
    return FrontMatterSyntaxError(
        f"The front matter (TOML, between the +++ lines) has a mistake{where}. Each field "
        "must be 'name = value', with text in double quotes, like: title = \"My trip to "
        f'Rome". (TOML says: {problem}.)',
        line=line,
    )


def _syntax_error(exc: yaml.MarkedYAMLError, front: _Front, text: str) -> FrontMatterSyntaxError:
    lines = text.split("\n")

    def quote(line: int) -> str:
        content = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return f": {_short(content)}" if content else ""

    problem = exc.problem or exc.context or "unreadable YAML"
    mark = exc.problem_mark or exc.context_mark
    if "end of stream" in problem and exc.context_mark is not None:
        # Only noticed at the closing ---; where the quote or bracket opened is what to fix.
        mark = exc.context_mark
    line = front.first_line + mark.line if mark is not None else None
    where = f" on line {line}{quote(line)}" if line is not None else ""
    message = (
        f"The front matter has a mistake{where}. {_yaml_hint(problem)} (YAML says: {problem}.)"
    )
    if exc.context_mark is not None and mark is exc.problem_mark:
        start = front.first_line + exc.context_mark.line
        if start != line:
            message += f" The problem may start on line {start}{quote(start)}."
    return FrontMatterSyntaxError(message, line=line)


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return (
            "A value contains ': ' (a colon and a space). Put the whole value in double "
            'quotes, like: title: "Erasmus+: our trip".'
        )
    if "\\t" in problem or "\t" in problem:
        return "Indent with spaces, not with the Tab key."
    if "could not find expected ':'" in problem:
        return (
            "Each field must be 'name: value' with a space after the colon; a value that "
            "goes on over several lines must be indented or put in double quotes."
        )
    if "end of stream" in problem or "quoted scalar" in problem:
        return "A quote (\" or ') is opened but never closed."
    if "alias" in problem or "anchor" in problem:
        return "A value starts with * or &, which YAML reserves: put it in double quotes."
    return (
        "Check that each line is 'name: value' with a space after the colon, and put "
        "values that contain ': ' or ' #', or that start with [ { * & ! | > ' \" % @ `, "
        "in double quotes."
    )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _title(fields: _Fields) -> str:
    raw = fields.text("title")
    # A title is one line: folded or literal YAML blocks must not put newlines in <title>.
    title = " ".join(raw.split()) if raw is not None else ""
    if title:
        return title
    if "title" in fields.lines:
        line = fields.line("title")
        raise MissingTitleError(
            f"The title (line {line}) is empty. Write it after 'title: ', "
            "like 'title: My trip to Rome'.",
            line=line,
        )
    # 'Title:' or 'TITLE :' are the usual slips; say so rather than "no title".
    misspelt = next((k for k in fields.lines if k.strip().lower() == "title"), None)
    if misspelt is not None:
        line = fields.line(misspelt)
        raise MissingTitleError(
            f"The post has no title: line {line} says '{misspelt}', but field names are "
            "lowercase. Write 'title: ...'.",
            line=line,
        )
    raise MissingTitleError(
        "The post has no title. Add a line like 'title: My trip to Rome' between the "
        "two --- lines at the top of the file.",
        line=fields.first_line,
    )


def _slug(fields: _Fields, name: str, notes: list[str]) -> str:
    raw = _clean(fields.text("slug"))
    if raw is not None:
        # Case is forgiven (web addresses are lowercase here); everything else is checked.
        slug = raw.lower()
        hyphens = slug.replace("_", "-")
        if hyphens != slug and slug_problem(hyphens) is None:
            # Hugo and Jekyll take underscores; this site's addresses use hyphens only.
            notes.append(
                f"The slug{_at(fields.line('slug'))} is '{raw}': web addresses here use "
                f"hyphens, not underscores, so the post is at '{hyphens}'. Write "
                f"'slug: {hyphens}' to keep this address and make this note go away."
            )
            return hyphens
        problem = slug_problem(slug)
        if problem:
            raise InvalidSlugError(problem, line=fields.line("slug"))
        return slug
    slug = slugify(name)
    if not slug:
        raise InvalidSlugError(
            f"cannot be made from the file name '{name}.md', which has no letters a-z "
            "or digits. Add a line like 'slug: my-post' to the front matter, or rename "
            "the file."
        )
    return slug


def _project(fields: _Fields) -> str | None:
    raw = _clean(fields.text("project"))
    if raw is None:
        return None
    project = raw.lower()
    problem = slug_problem(project)
    if problem:
        raise InvalidFieldError(
            "project",
            f"{problem} A project name becomes part of a "
            "web address: use only lowercase letters a-z, digits and hyphens, like "
            "'project: proyecto-1'.",
            line=fields.line("project"),
        )
    return project


def _lang(fields: _Fields, languages: tuple[str, ...]) -> str | None:
    choices = ", ".join(languages)
    value = fields.values.get("lang")
    if isinstance(value, bool):
        raw = fields.text("lang")
        raise InvalidFieldError(
            "lang",
            f"is '{raw}', which YAML reads as the yes/no value {str(value).lower()}, not as a "
            f"language code. Write one of: {choices}, or remove the line to let the site "
            "detect the language.",
            line=fields.line("lang"),
        )
    raw = _clean(fields.text("lang"))
    if raw is None:
        return None
    # "es-ES", "en_GB", "ES" all mean a site language; only the primary subtag matters.
    primary = raw.lower().replace("_", "-").split("-", 1)[0]
    if primary not in languages:
        raise InvalidFieldError(
            "lang",
            f"is '{raw}', which is not a language of this site. Write one of: {choices}, "
            "or remove the line to let the site detect the language.",
            line=fields.line("lang"),
        )
    return primary


def _flag(fields: _Fields, name: str, *, default: bool) -> bool:
    value = fields.values.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    shown = fields.text(name) if fields.is_scalar(name) else value
    quoted = " (without quotes)" if isinstance(value, str) else ""
    raise InvalidFieldError(
        name,
        f"must be true or false{quoted}, but it is '{shown}'. Write '{name}: true' or "
        f"'{name}: false'.",
        line=fields.line(name),
    )


def _date(fields: _Fields, name: str = "date") -> datetime | None:
    value = fields.values.get(name)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _in_utc(value, fields, name)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return _in_utc(parsed, fields, name)
    shown = fields.text(name) if fields.is_scalar(name) else value
    raise InvalidFieldError(
        name,
        f"is '{shown}', which is not a date the site understands. Write it as "
        "year-month-day, like 'date: 2024-05-22', or with a time: "
        "'date: 2024-05-22T21:12:00Z'.",
        line=fields.line(name),
    )


def _unpublished(fields: _Fields) -> bool:
    value = fields.values.get("published")
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _other_date(fields: _Fields, notes: list[str]) -> datetime | None:
    """The first of Hugo's other date fields that holds a date; one that does not is noted."""
    for name in DATE_FIELDS:
        value = fields.values.get(name)
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            continue  # Jekyll's flag, quoted (_unpublished)
        try:
            found = _date(fields, name)
        except InvalidFieldError as problem:
            notes.append(f"{problem.message} It is not used as the post's date.")
            continue
        if found is not None:
            return found
    return None


def _in_utc(value: datetime, fields: _Fields, name: str = "date") -> datetime:
    # A date without a zone is taken as UTC: the CMS writes UTC ("...Z") anyway.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # 9999-12-31T23:00-12:00 is in the year 10000 in UTC, 0001-01-01T00:00+14:00
        # in the year 0: neither exists for Python, nor for any reader.
        raise InvalidFieldError(
            name,
            f"is '{fields.text(name)}', which falls outside the years 1 to 9999 once its "
            "time zone is taken into account. Write the post's real date, like "
            "'date: 2024-05-22'.",
            line=fields.line(name),
        ) from None


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def _at(line: int | None) -> str:
    return f" (line {line})" if line is not None else ""


def _description(fields: _Fields) -> str | None:
    """``description``, else the first of the other engines' names for it that has text."""
    for name in DESCRIPTION_FIELDS:
        text = _clean(fields.text(name))
        if text is not None:
            return text
    return None


def _authors(fields: _Fields, notes: list[str]) -> tuple[str, ...]:
    """``author`` then ``authors``: each a name, a list of names, or ``name:`` fields.

    Names repeated (the same person in both fields) count once.
    """
    names: list[str] = []
    for name in ("author", "authors"):
        value = fields.values.get(name)
        if value is None:
            continue
        if fields.is_scalar(name):
            value = fields.raw.get(name)  # as typed: 'author: no' is the name "no"
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            person = item.get("name") if isinstance(item, dict) else item
            if isinstance(person, (str, int, float)) and not isinstance(person, bool):
                text = _clean(" ".join(str(person).split()))
                if text is not None and text not in names:
                    names.append(text)
                continue
            if person is None and not isinstance(item, dict):
                continue
            notes.append(
                f"The field '{name}'{_at(fields.item_line(name, index))} has an author that "
                f"is not a name ({_short(repr(item))}), so it is not shown. Write each "
                f"author's name, like '{name}: Lucía Pérez'."
            )
    return tuple(names)


def _pictures(fields: _Fields, notes: list[str]) -> tuple[str, ...]:
    """``images``, then ``image`` and ``cover`` (a path, or fields with one), each once.

    A picture other engines' fields name that this site cannot show (a web address, a
    path outside assets/) is left out with a note: those fields are not the documented
    format, so they do not stop the post.
    """
    pictures = list(_images(fields))
    for name in PICTURE_FIELDS:
        value = fields.values.get(name)
        if isinstance(value, dict):
            value = next((value[k] for k in _PICTURE_KEYS if isinstance(value.get(k), str)), None)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # Hugo themes write 'cover:' with an empty 'image: ""'
        if not isinstance(value, str):
            notes.append(
                f"The field '{name}'{_at(fields.line(name))} is not a picture's path "
                f"({_short(repr(value))}), so no picture is taken from it."
            )
            continue
        path = value.strip()
        # Jekyll sites often write the path without its first '/'.
        path = "/" + path if path.startswith(ASSETS_ROOT[1:]) else path
        problem = image_problem(path)
        if problem:
            notes.append(
                f"The field '{name}'{_at(fields.line(name))} names the picture "
                f"'{_short(path)}', which {problem} The post is published without it."
            )
        elif path not in pictures:
            pictures.append(path)
    return tuple(pictures)


def _images(fields: _Fields) -> tuple[str, ...]:
    value = fields.values.get("images")
    if value is None:
        return ()
    how = "Write each image on its own line, starting with '- ', under 'images:'."
    if not isinstance(value, list):
        raise InvalidFieldError(
            "images", f"must be a list of image paths. {how}", line=fields.line("images")
        )
    images: list[str] = []
    for index, item in enumerate(value):
        line = fields.item_line("images", index)
        if not isinstance(item, str) or not item.strip():
            raise InvalidFieldError(
                "images",
                f"has an item that is not an image path ({_short(repr(item))}). {how}",
                line=line,
            )
        path = item.strip()
        problem = image_problem(path)
        if problem:
            raise InvalidFieldError(
                "images", f"has an image path, '{_short(path)}', that {problem}", line=line
            )
        images.append(path)
    return tuple(images)


def image_problem(path: str) -> str | None:
    """Why ``path`` (an ``images:`` item, the site logo) is not a usable image path, or None.

    Judged as written and once %-decoded.

    The page and the image measurement read the decoded path (``%2e%2e`` is ``..``), so
    a check of the raw text alone would let a path out of assets/.
    """
    problem = _raw_image_problem(path)
    decoded = unquote(path)
    if problem is None and decoded != path:
        problem = _raw_image_problem(decoded)
    return problem


def _raw_image_problem(path: str) -> str | None:
    if not path.startswith(ASSETS_ROOT):
        return (
            f"is not under {ASSETS_ROOT}. Upload the image to the assets/ folder and write "
            "its path starting with /assets/, like /assets/images/uploads/photo.jpg."
        )
    if "\\" in path or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return "contains a backslash or an invisible character. Use / between folders."
    if any(part in ("", ".", "..") for part in path[1:].split("/")):
        return (
            "contains '..', '.' or '//'. Write the plain path, "
            "like /assets/images/uploads/photo.jpg."
        )
    return None
