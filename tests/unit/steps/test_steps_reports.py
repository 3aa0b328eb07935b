"""steps/reports.py: a report beside the upload, an e-mail, a status; each once per problem."""

from __future__ import annotations

from dataclasses import replace

from conftest import Site, post
from polypub.content.errors import ContentError
from polypub.model import TranslationJob
from polypub.steps.reports import note_translation_failure, report_failure
from polypub.translate.errors import ProviderUnavailable


class Mailbox:
    def __init__(self, *, broken: bool = False) -> None:
        self.sent: list[str] = []
        self.broken = broken

    def notify(self, subject: str, message: str) -> None:
        if self.broken:
            raise ConnectionError("SNS is down")
        self.sent.append(subject)


class Broken(ContentError):
    code = "broken"


def test_a_failure_is_reported_once_in_every_channel(site: Site) -> None:
    mailbox = Mailbox()
    services = replace(site.services, notifier=mailbox)
    report_failure("posts/a.md", Broken("line 2 is wrong"), services)
    report_failure("posts/a.md", Broken("line 2 is wrong"), services)  # redelivered
    assert mailbox.sent == ["Polyglot Press could not publish posts/a.md"]
    text = site.report("posts/a.md") or ""
    assert "Error: broken\nline 2 is wrong" in text
    assert "Nothing was published from this file." in text
    assert site.status("posts/a.md") == ("failed", "broken")


def test_a_report_on_a_published_post_says_the_old_version_stays(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    site.upload("posts/a.md", "---\ntitle: [unclosed\n---\n")
    site.run("posts/a.md")
    assert "The version published before stays online" in (site.report("posts/a.md") or "")
    assert site.page("en", "a") is not None
    # Fixed: the report goes.
    site.upload("posts/a.md", post("A fixed"))
    site.run("posts/a.md")
    assert site.report("posts/a.md") is None


def test_mail_that_cannot_be_sent_does_not_lose_the_report(site: Site) -> None:
    services = replace(site.services, notifier=Mailbox(broken=True))
    report_failure("posts/a.md", Broken("bad"), services)
    assert site.report("posts/a.md") is not None
    assert site.status("posts/a.md") == ("failed", "broken")


def test_a_failed_translation_shows_on_the_status_until_it_succeeds(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    status = site.services.catalog.get_status("posts/a.md")
    assert status is not None
    assert status.content_hash is not None
    job = TranslationJob("posts/a.md", status.content_hash, "a", "en", ("es",))
    note_translation_failure(job, ProviderUnavailable("timeout", provider="tag"), site.services)
    assert site.status("posts/a.md") == ("published", "translation-pending")
    note_translation_failure(job, None, site.services)
    assert site.status("posts/a.md") == ("published", None)
