"""What the teacher is told: the report beside the upload, the e-mail and the status line."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from polypub.content.errors import ContentError
from polypub.content.keys import classify_key, key_problem, report_key
from polypub.model import SourceStatus, TranslationJob
from polypub.steps.context import Outcome, Services
from polypub.steps.errors import TRANSLATION_PENDING, InternalError, LanguageUnknownNotice
from polypub.translate.errors import TranslationError

log = logging.getLogger(__name__)

PLAIN_TEXT = "text/plain; charset=utf-8"


def report_failure(
    key: str, error: ContentError, services: Services, *, claimed_slug: str | None = None
) -> Outcome:
    """Tell the teacher (report object beside the upload, e-mail, status line); unpublish nothing.

    The same failure reported again (a redelivered event, the same broken file uploaded
    twice) writes and sends nothing new. The status is written last: a status that says
    "failed" means the report exists and was sent.
    """
    status = services.catalog.get_status(key)
    slug = status.slug if status else None
    published = slug is not None and (entry := services.catalog.get_post(slug)) is not None
    published = published and entry is not None and entry.source_key == key
    # A file refused for a taken slug never published: it records the slug it asked for.
    slug = claimed_slug if claimed_slug is not None and not published else slug
    outcome = Outcome(key, "failed", slug=slug, message=str(error), error_code=error.code)
    if (
        status is not None
        and status.state == "failed"
        and (status.error_code, status.message) == (error.code, str(error))
        and services.source.head(report_key(key)) is not None
    ):
        return outcome
    text = (
        f"Polyglot Press could not publish {key}\n\n"
        f"Error: {error.code}\n{error}\n\n"
        + (
            "The version published before stays online until a fixed file is uploaded.\n"
            if published
            else "Nothing was published from this file.\n"
        )
        + "Fix the file and upload it again; this report disappears once it is published.\n"
        f"Checked at {services.now()}\n"
    )
    services.source.put(report_key(key), text.encode("utf-8"), PLAIN_TEXT)
    if services.notifier is not None:
        try:
            services.notifier.notify(f"Polyglot Press could not publish {key}", text)
        except Exception:
            # E-mail is a convenience: the report object and the status already tell.
            log.warning("could not send the report for %s by e-mail", key, exc_info=True)
    services.catalog.put_status(
        SourceStatus(
            key=key,
            state="failed",
            updated=services.now(),
            slug=slug,
            error_code=error.code,
            message=str(error),
        )
    )
    return outcome


def record_status(
    services: Services,
    key: str,
    state: Literal["published", "deleted", "skipped"],
    *,
    slug: str | None,
    message: str | None = None,
    digest: str | None = None,
    chars_sent: int = 0,
) -> None:
    """The file's status line; a published file's report (if any) goes."""
    services.catalog.put_status(
        SourceStatus(
            key=key,
            state=state,
            updated=services.now(),
            slug=slug,
            message=message,
            content_hash=digest,
            chars_sent=chars_sent,
        )
    )
    if state == "published":
        clear_report(key, services)


def clear_report(key: str, services: Services) -> None:
    """Remove the report beside ``key`` if there is one.

    HEAD first: in the versioned source bucket a DELETE of a missing key still adds a
    delete marker, one per publish otherwise.
    """
    if services.source.head(report_key(key)) is not None:
        services.source.delete(report_key(key))


def report_notes(
    key: str,
    services: Services,
    *,
    untranslated: str | None = None,
    notes: Sequence[str] = (),
    warnings: Sequence[ContentError] = (),
) -> None:
    """A published post the teacher should still hear about, in one report beside the upload.

    ``untranslated`` says why it is published as is, without translations
    (language-unknown); ``notes`` are what the teacher should know although the post is
    online (a slug changed, a picture left out: Post.notes); ``warnings`` name what its
    page leaves out (HTML, template code). The status records the first code. Nothing
    to say: nothing written.
    """
    if untranslated is None and not notes and not warnings:
        return
    status = services.catalog.get_status(key)
    if status is not None and (untranslated is not None or warnings):
        first = LanguageUnknownNotice.code if untranslated is not None else warnings[0].code
        message = status.message or "; ".join(f"{w.code}: {w}" for w in warnings)
        services.catalog.put_status(replace(status, error_code=first, message=message))
    parts = []
    if untranslated is not None:
        parts.append(f"Note: {LanguageUnknownNotice.code}\n{untranslated}\n")
    if notes:
        parts.append("Notes:\n" + "".join(f"- {note}\n" for note in notes))
    parts += [f"Warning: {warning.code}\n{warning}\n" for warning in warnings]
    how = " as is, without translations" if untranslated is not None else ""
    if notes and not how:
        how = ", with notes"
    clean = "without notes" if notes and not warnings else "without warnings"
    if notes and warnings:
        clean = "without notes or warnings"
    gone = (
        "once the post is published with translations"
        + (f" and {clean}" if notes or warnings else "")
        if untranslated is not None
        else f"once the post is published {clean}"
    )
    text = (
        f"Polyglot Press published {key}{how}.\n\n"
        + "\n".join(parts)
        + f"\nThis report disappears {gone}.\n"
        f"Checked at {services.now()}\n"
    )
    services.source.put(report_key(key), text.encode("utf-8"), PLAIN_TEXT)


def note_translation_failure(
    job: TranslationJob, error: TranslationError | None, services: Services
) -> None:
    """Show a failed translation on the post's status (None: clear it after a success)."""
    status = services.catalog.get_status(job.source_key)
    if status is None or status.state != "published" or status.content_hash != job.content_hash:
        return
    if error is None:
        if status.error_code == TRANSLATION_PENDING:
            services.catalog.put_status(replace(status, error_code=None, message=None))
        return
    services.catalog.put_status(
        replace(
            status,
            error_code=TRANSLATION_PENDING,
            message=(
                f"online in '{job.source_lang}'; the translation into "
                f"{', '.join(job.targets)} failed and will be tried again: {error}"
            ),
        )
    )


def refuse_unusable_key(key: str, services: Services) -> Outcome | None:
    """A report for an upload whose name alone makes it unusable (`posts/a.MD`, a key
    with `..` or a backslash); None for usable names.

    A post deleted under such a name goes on to the normal delete (None), so a page
    published from it before is taken down.
    """
    problem = key_problem(key)
    if problem is None:
        return None
    try:
        present = services.source.head(key) is not None
    except ValueError:
        # A folder will not resolve an unsafe key, even one it listed itself: look for
        # it among the keys of its top folder instead (rare: bad keys only).
        present = key in set(services.source.list_keys(key.split("/", 1)[0] + "/"))
    if present:
        return report_failure(key, problem, services)
    if classify_key(key, services.settings.languages).kind in ("post", "translation"):
        return None
    clear_report(key, services)
    record_status(services, key, "deleted", slug=None)
    return Outcome(key, "removed", message="the unusable upload is gone")


def report_internal_error(
    key: str, error: BaseException, services: Services, *, attempts: int = 1
) -> Outcome | None:
    """Tell the teacher that Polyglot Press failed on `key` (a bug or an outage): once the
    last attempt failed, so that a file never fails silently. None if even that fails."""
    tries = "once" if attempts == 1 else f"{attempts} times"
    notice = InternalError(
        f"Polyglot Press failed while handling this file ({type(error).__name__}), "
        f"{tries}; this is not a mistake in the file. Your IT person can see why in the "
        "logs and try it again (polypub replay); uploading the file again also tries again."
    )
    try:
        return report_failure(key, notice, services)
    except Exception:
        log.exception("could not report the internal error on %s", key)
        return None
