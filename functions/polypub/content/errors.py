"""The named reasons a post is refused, each with a stable code and a message for teachers."""

from __future__ import annotations

from typing import ClassVar

# Examples the messages quote, so that every hint shows the exact shape to type.
_FRONT_MATTER_EXAMPLE = "---\ntitle: My trip to Rome\ndate: 2024-05-22\n---"


def _at(line: int | None) -> str:
    return f" (line {line})" if line is not None else ""


class ContentError(Exception):
    """A post that cannot be published, and why.

    ``code`` is stable (status records, tests and dashboards match on it, never on
    the message); ``message`` is plain language for the teacher who uploaded the
    file: what is wrong, where, and how to fix it.
    """

    code: ClassVar[str] = "invalid-post"

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        # 1-based line in the uploaded file, when we know it.
        self.line = line

    def __str__(self) -> str:
        return self.message


class NotUtf8Error(ContentError):
    """The bytes are not UTF-8 text (typically Windows-1252 from Word or Notepad)."""

    code: ClassVar[str] = "not-utf8"

    def __init__(self, offset: int, line: int, byte: int, *, utf16: bool = False) -> None:
        self.offset = offset
        if utf16:
            detail = (
                "The file is saved as UTF-16 (Notepad calls it 'Unicode'), but posts must be UTF-8."
            )
        else:
            guess = bytes([byte]).decode("cp1252", errors="replace")
            hint = f", which in Windows-1252 would be '{guess}'" if guess.isprintable() else ""
            detail = (
                f"The file is not UTF-8 text: byte {offset} (line {line}) is 0x{byte:02X}{hint}. "
                "Files saved by Word or by Windows programs in 'ANSI' / Windows-1252 "
                "encoding break accented letters like á, é, ñ."
            )
        super().__init__(
            f"{detail} Open the file in your editor, choose 'Save as' and pick the "
            "encoding 'UTF-8', then upload it again.",
            line=line,
        )


class PostTooLargeError(ContentError):
    """The object is bigger than a post may be; checked before reading it as text."""

    code: ClassVar[str] = "post-too-large"

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(
            f"The post is {_human_size(size)}, more than the {_human_size(limit)} a post may be. "
            "Upload pictures separately under assets/ and link to them instead of pasting "
            "them into the text, or split the post into several posts."
        )


class MarkdownTooComplexError(ContentError):
    """The body has so much inline markup that rendering it would take too long."""

    code: ClassVar[str] = "markdown-too-complex"

    def __init__(self, count: int, limit: int) -> None:
        self.count = count
        self.limit = limit
        super().__init__(
            f"The text of the post contains {count:,} markup characters "
            "([ ] ( ) ! * _ ` < > | & \\ ~), more than the "
            f"{limit:,} a post may have. This usually means something was pasted that is not "
            "a post (a program, a data dump, a file converted badly). Check the text, "
            "remove what does not belong there, or split it into several posts."
        )


class FrontMatterSyntaxError(ContentError):
    """The front matter is not valid YAML."""

    code: ClassVar[str] = "invalid-yaml"


class FrontMatterTooComplexError(ContentError):
    """The front matter would expand beyond any sane size (YAML alias bombs) or nest too deep."""

    code: ClassVar[str] = "front-matter-too-complex"


class FrontMatterShapeError(ContentError):
    """The front matter parses, but as a list or a plain text instead of `name: value` lines."""

    code: ClassVar[str] = "front-matter-not-mapping"

    def __init__(self, found: str, *, hint: str = "", line: int | None = None) -> None:
        super().__init__(
            f"The front matter (the part between the two --- lines) is {found}, "
            "but it must be a set of 'name: value' lines, one per field. "
            f"{hint + ' ' if hint else ''}For example:\n{_FRONT_MATTER_EXAMPLE}",
            line=line,
        )


class MissingTitleError(ContentError):
    """The post has no title: no front matter at all, no `title` field, or a blank one."""

    code: ClassVar[str] = "missing-title"


class InvalidFieldError(ContentError):
    """One front matter field has a value the site cannot use."""

    code: ClassVar[str] = "invalid-field"

    def __init__(self, field: str, problem: str, *, line: int | None = None) -> None:
        self.field = field
        super().__init__(f"The field '{field}'{_at(line)} {problem}", line=line)


class InvalidSlugError(ContentError):
    """The slug (the post's web address) is unsafe or empty."""

    code: ClassVar[str] = "invalid-slug"

    def __init__(self, problem: str, *, line: int | None = None) -> None:
        super().__init__(
            f"The slug{_at(line)} {problem} A slug is the last part of the post's web "
            "address: use only lowercase letters a-z, digits and hyphens, "
            "for example 'slug: my-trip-to-rome'.",
            line=line,
        )


class DuplicateKeyError(ContentError):
    """A front matter field is written twice; YAML would silently keep the last one."""

    code: ClassVar[str] = "duplicate-key"

    def __init__(
        self, field: str, first: int | None, again: int | None, *, where: str = "the front matter"
    ) -> None:
        self.field = field
        lines = f" (lines {first} and {again})" if first is not None and again is not None else ""
        super().__init__(
            f"The field '{field}' is written twice in {where}{lines}, so the site "
            "cannot tell which one you mean. Keep one of the two lines and delete the other.",
            line=again,
        )


class InvalidCharacterError(ContentError):
    """The front matter holds a code that is not a character (a lone surrogate such as \\ud800)."""

    code: ClassVar[str] = "invalid-character"

    def __init__(self, *, line: int | None = None, where: str = "the front matter") -> None:
        super().__init__(
            f'{where[0].upper()}{where[1:]}{_at(line)} contains an escape like "\\ud800" '
            "that stands for half of a character, which no page can show. Type the character "
            "itself (an emoji, an accented letter) instead of its \\u code, or remove it.",
            line=line,
        )


class PostExtensionError(ContentError):
    """A post's name ends in .MD (or .Md, .mD): S3 keys are case-sensitive, posts end in .md."""

    code: ClassVar[str] = "post-extension-case"

    def __init__(self, key: str) -> None:
        self.key = key
        stem, _, _ = key.rpartition(".")
        super().__init__(
            f"The file {key} ends in '.{key.rsplit('.', 1)[-1]}', but posts must end in "
            f"lowercase '.md'. Rename it to {stem}.md (or upload it again under that name) "
            "and delete this one."
        )


class InvalidKeyError(ContentError):
    """An uploaded file's name (its S3 key) is unusable: '..', '//', a backslash, a control code."""

    code: ClassVar[str] = "invalid-key"

    def __init__(self, key: str) -> None:
        self.key = key
        shown = key.encode("unicode_escape").decode("ascii")
        super().__init__(
            f"The file name '{shown[:200]}' cannot be published: it contains '..', '.', an "
            "empty folder name ('//' or a leading '/'), a backslash or an invisible character. "
            "Upload it again with a plain name, folders separated by single '/', like "
            "assets/images/uploads/photo.jpg, and delete this one."
        )


class AssetTypeNotAllowedError(ContentError):
    """An upload under assets/ is not one of the passive types the site publishes."""

    code: ClassVar[str] = "asset-type-not-allowed"


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


class HtmlLeftOutWarning(ContentError):
    """Not an error: the post is published, without some HTML the site does not show."""

    code = "html-left-out"

    def __init__(self, counts: dict[str, int]) -> None:
        names = ", ".join(
            f"{name} ({count}x)" if count > 1 else name for name, count in sorted(counts.items())
        )
        super().__init__(
            f"left out of the page: {names}. The site shows text, links, pictures, tables, "
            "figures, details and YouTube or Vimeo videos written in HTML; other elements "
            "(scripts, forms, styles, frames of other sites) are never published. Their "
            "text, if any, is kept."
        )
        self.counts = dict(counts)

    def __reduce__(self) -> tuple[type[HtmlLeftOutWarning], tuple[dict[str, int]]]:
        # Rebuilt from what it was made of (a forked build worker may pickle it).
        return (type(self), (self.counts,))


class TemplateLeftOutWarning(ContentError):
    """Not an error: the post is published, without template code the site cannot run."""

    code = "template-left-out"

    def __init__(self, constructs: list[str]) -> None:
        more = f" and {len(constructs) - 5} more" if len(constructs) > 5 else ""
        shown = ", ".join(constructs[:5]) + more
        super().__init__(
            f"left out of the page: {shown}. Polyglot Press understands {{{{ site.baseurl }}}}, "
            "{{ site.url }}, relative_url and absolute_url, {% raw %}, {% highlight %}, "
            "{% link %}, {% post_url %}, video and picture includes, Hugo's youtube, vimeo, "
            "figure, highlight and ref, and WordPress's caption, embed, video, audio and "
            "code; write anything else as Markdown or HTML."
        )
        self.constructs = list(constructs)

    def __reduce__(self) -> tuple[type[TemplateLeftOutWarning], tuple[list[str]]]:
        return (type(self), (self.constructs,))
