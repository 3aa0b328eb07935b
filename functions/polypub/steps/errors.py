"""The errors steps raise about the catalog's state (the content's own are in content/errors)."""

from __future__ import annotations

from polypub.content.errors import ContentError


class SlugTakenError(ContentError):
    """Two different source files claim the same slug."""

    code = "slug-taken"


class OriginalMissingError(ContentError):
    """A person's translation arrived for a post that is not published."""

    code = "original-missing"


class SameLanguageTranslationError(ContentError):
    """A person's translation names the language the original is already written in."""

    code = "translation-same-language"


class TranslationOfAnotherPostError(ContentError):
    """A machine translation's copy uploaded under another post's name (its translation_of)."""

    code = "translation-of-another-post"


class LanguageUnknownNotice(ContentError):
    """Not an error: the post is published, as is, because its language is not a site language."""

    code = "language-unknown"


class InternalError(ContentError):
    """Polyglot Press itself failed on the file: not the teacher's mistake, but they must know."""

    code = "internal-error"


# Not an error class: the status code of a post whose translation failed for now.
TRANSLATION_PENDING = "translation-pending"


class ListingsUnsettledError(Exception):
    """The catalog kept changing while the listings were rebuilt; the caller retries later."""

    retryable = True
