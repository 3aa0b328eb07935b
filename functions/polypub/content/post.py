"""Parse one uploaded post: bytes -> Post, or a named ContentError. Pure: no I/O."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from polypub.content.errors import (
    FrontMatterShapeError,
    FrontMatterSyntaxError,
    FrontMatterTooComplexError,
    InvalidFieldError,
    InvalidSlugError,
    MissingTitleError,
    NotUtf8Error,
    PostTooLargeError,
)
from polypub.content.keys import classify_key
from polypub.content.markdown import check_complexity

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


def parse_post(
    key: str,
    data: bytes,
    *,
    languages: Sequence[str] = ("es", "en"),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Post:
    """Parse and validate the object stored at ``key``; raise a ContentError if unusable."""
    # Before decoding: a huge object must not cost memory for a second copy.
    if len(data) > max_bytes:
        raise PostTooLargeError(len(data), max_bytes)
    langs = tuple(lang.lower() for lang in languages)
    text = _decode(data)
    name, translation_lang = _name_of(key, langs)

    front = _split(text)
    if front is None:
        raise MissingTitleError(
            "This post has no front matter, so it has no title. Start the file with "
            f"the front matter, then the text of the post:\n{_MINIMAL_EXAMPLE}",
            line=1,
        )
    fields = _load(front, text)
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
    return Post(
        source_key=key,
        name=name,
        slug=_slug(fields, name),
        title=title,
        body=body,
        content_hash=hashlib.sha256(data).hexdigest(),
        author=_clean(fields.text("author")),
        description=_clean(fields.text("description")),
        date=_date(fields),
        project=_project(fields),
        images=_images(fields),
        lang=lang,
        draft=_flag(fields, "draft", default=False),
        translate=_flag(fields, "translate", default=True),
        translation_lang=translation_lang,
    )


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


def load_yaml(source: str) -> tuple[Any, yaml.Node | None]:
    """Safely load YAML: the data and its node tree (for raw text and line numbers).

    Raises FrontMatterTooComplexError for alias bombs and self-referencing aliases
    before anything is constructed, and yaml.YAMLError for syntax errors.
    """
    loader = _SafeFrontMatterLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node)
        return loader.construct_document(node), node
    finally:
        loader.dispose()


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
    yaml_text: str
    first_line: int  # 1-based file line of yaml_text's first line
    body: str


_HANDLER = SafeYAMLHandler()


def _split(text: str) -> _Front | None:
    # Leading blank lines are forgiven (python-frontmatter does too), but counted
    # so that line numbers in messages match what the teacher's editor shows.
    stripped = text.lstrip()
    skipped_lines = text.count("\n", 0, len(text) - len(stripped))
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


def _body(body: str) -> str:
    body = body.lstrip("\n").rstrip()
    return body + "\n" if body else ""


# --- front matter fields ---------------------------------------------------------


@dataclass(frozen=True)
class _Fields:
    """The front matter's values, with their YAML nodes for raw text and line numbers."""

    values: dict[str, Any]
    keys: dict[str, yaml.Node]
    nodes: dict[str, yaml.Node]
    first_line: int

    def line_of(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def line(self, name: str) -> int | None:
        node = self.keys.get(name)
        return None if node is None else self.line_of(node)

    def text(self, name: str) -> str | None:
        """The field as the teacher typed it (``no`` stays "no", ``1.10`` stays "1.10")."""
        node = self.nodes.get(name)
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a group of fields"
            raise InvalidFieldError(
                name,
                f"must be a single text value, but it is {kind}. Write it on one line, "
                f"like '{name}: some text'.",
                line=self.line(name),
            )
        if node.tag == _NULL_TAG:
            return None
        return str(node.value)


def _load(front: _Front, text: str) -> _Fields:
    if len(front.yaml_text) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterTooComplexError(
            f"The front matter (between the --- lines) is {len(front.yaml_text) // 1024} KB; "
            f"the limit is {MAX_FRONT_MATTER_CHARS // 1024} KB. Keep only the fields and "
            "move long text into the body of the post.",
            line=front.first_line,
        )
    try:
        data, root = load_yaml(front.yaml_text)
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

    keys: dict[str, yaml.Node] = {}
    nodes: dict[str, yaml.Node] = {}
    if isinstance(root, yaml.MappingNode):
        # After construction, merge keys (<<) are already flattened into root.value.
        for key_node, value_node in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _NULL_TAG:
                keys[str(key_node.value)] = key_node
                nodes[str(key_node.value)] = value_node
    values = {k: v for k, v in data.items() if isinstance(k, str)}
    return _Fields(values, keys, nodes, front.first_line)


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
    if "title" in fields.keys:
        line = fields.line("title")
        raise MissingTitleError(
            f"The title (line {line}) is empty. Write it after 'title: ', "
            "like 'title: My trip to Rome'.",
            line=line,
        )
    # 'Title:' or 'TITLE :' are the usual slips; say so rather than "no title".
    misspelt = next((k for k in fields.keys if k.strip().lower() == "title"), None)
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


def _slug(fields: _Fields, name: str) -> str:
    raw = _clean(fields.text("slug"))
    if raw is not None:
        # Case is forgiven (web addresses are lowercase here); everything else is checked.
        slug = raw.lower()
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
    shown = fields.text(name) if isinstance(fields.nodes.get(name), yaml.ScalarNode) else value
    quoted = " (without quotes)" if isinstance(value, str) else ""
    raise InvalidFieldError(
        name,
        f"must be true or false{quoted}, but it is '{shown}'. Write '{name}: true' or "
        f"'{name}: false'.",
        line=fields.line(name),
    )


def _date(fields: _Fields) -> datetime | None:
    value = fields.values.get("date")
    if value is None:
        return None
    if isinstance(value, datetime):
        # A date without a zone is taken as UTC: the CMS writes UTC ("...Z") anyway.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
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
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    shown = fields.text("date") if isinstance(fields.nodes.get("date"), yaml.ScalarNode) else value
    raise InvalidFieldError(
        "date",
        f"is '{shown}', which is not a date the site understands. Write it as "
        "year-month-day, like 'date: 2024-05-22', or with a time: "
        "'date: 2024-05-22T21:12:00Z'.",
        line=fields.line("date"),
    )


def _images(fields: _Fields) -> tuple[str, ...]:
    value = fields.values.get("images")
    if value is None:
        return ()
    how = "Write each image on its own line, starting with '- ', under 'images:'."
    if not isinstance(value, list):
        raise InvalidFieldError(
            "images", f"must be a list of image paths. {how}", line=fields.line("images")
        )
    node = fields.nodes.get("images")
    item_nodes = node.value if isinstance(node, yaml.SequenceNode) else []
    images: list[str] = []
    for index, item in enumerate(value):
        item_node = item_nodes[index] if index < len(item_nodes) else None
        line = fields.line_of(item_node) if item_node is not None else fields.line("images")
        if not isinstance(item, str) or not item.strip():
            raise InvalidFieldError(
                "images",
                f"has an item that is not an image path ({_short(repr(item))}). {how}",
                line=line,
            )
        path = item.strip()
        problem = image_path_problem(path)
        if problem:
            raise InvalidFieldError(
                "images", f"has an image path, '{_short(path)}', that {problem}", line=line
            )
        images.append(path)
    return tuple(images)


def image_path_problem(path: str) -> str | None:
    """Why `path` cannot be a site image (a post's `images:`, the school's logo), or None."""
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
