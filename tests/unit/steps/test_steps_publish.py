"""steps/publish.py: a post in its own language first, a taken slug refused, drafts down."""

from __future__ import annotations

from conftest import Site, post
from polypub.steps.publish import publish_post, unpublish_post


def test_a_post_is_online_in_its_language_and_queued_for_the_others(site: Site) -> None:
    site.upload("posts/trip.md", post("Our trip"))
    outcome = site.run("posts/trip.md")
    assert outcome.action == "published"
    assert "Our trip" in (site.page("en", "trip") or "")
    assert site.page("es", "trip") is None  # the translation comes from the queue
    assert [job.targets for job in site.queue] == [("es",)]
    assert site.status("posts/trip.md") == ("published", None)


def test_a_second_file_with_the_same_slug_is_refused_and_the_first_stays(site: Site) -> None:
    site.upload("posts/a.md", post("A", slug="shared"))
    site.run("posts/a.md")
    site.upload("posts/b.md", post("B", slug="shared"))
    outcome = site.run("posts/b.md")
    assert (outcome.action, outcome.error_code, outcome.slug) == ("failed", "slug-taken", "shared")
    assert "posts/a.md" in (site.report("posts/b.md") or "")
    assert "<title>A" in (site.page("en", "shared") or "")


def test_a_draft_takes_the_published_post_down(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    site.upload("posts/a.md", post("A", draft="true"))
    outcome = site.run("posts/a.md")
    assert outcome.action == "skipped"
    assert outcome.freed_slug == "a"
    assert site.page("en", "a") is None
    assert site.status("posts/a.md") == ("skipped", None)


def test_a_new_slug_takes_the_old_pages_down(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    site.upload("posts/a.md", post("A", slug="renamed"))
    site.run("posts/a.md")
    assert site.page("en", "a") is None
    assert site.page("en", "renamed") is not None


def test_a_post_in_no_site_language_is_published_as_is_with_a_note(site: Site) -> None:
    text = "Dieser Beitrag ist auf Deutsch geschrieben und erzählt von unserer Reise nach Rom."
    site.upload("posts/de.md", "---\ntitle: Reise nach Rom\n---\n" + text + "\n")
    outcome = site.run("posts/de.md")
    assert outcome.action == "published"
    assert site.queue == []
    assert site.status("posts/de.md") == ("published", "language-unknown")
    assert "lang: es" in (site.report("posts/de.md") or "")
    assert site.page("es", "de") is not None  # the default language's address


def test_unpublishing_a_file_that_never_published_records_the_delete(site: Site) -> None:
    outcome = unpublish_post("posts/never.md", site.services)
    assert (outcome.action, outcome.freed_slug) == ("unpublished", None)
    assert site.status("posts/never.md") == ("deleted", None)


def test_publishing_the_same_bytes_again_writes_nothing(site: Site) -> None:
    site.upload("posts/a.md", post("A"))
    site.run("posts/a.md")
    data = site.services.source.get("posts/a.md")
    assert data is not None
    again = publish_post("posts/a.md", data, site.services)
    assert again.changed == []
    assert again.entries_before == {}


def test_notes_of_a_published_post_are_in_its_report_and_status(site: Site) -> None:
    text = "Dieser Beitrag ist auf Deutsch geschrieben und erzählt von unserer Reise nach Rom."
    site.upload("posts/de.md", f"---\ntitle: Rom\nslug: reise_rom\n---\n{text}\n")
    outcome = site.run("posts/de.md")
    assert (outcome.action, outcome.slug) == ("published", "reise-rom")
    report = site.report("posts/de.md") or ""
    assert "without translations" in report  # the language note first
    assert "Notes:\n- The slug (line 3) is 'reise_rom'" in report
    status = site.services.catalog.get_status("posts/de.md")
    assert status is not None
    assert status.error_code == "language-unknown"
    assert "reise-rom" in (status.message or "")

    site.upload("posts/de.md", post("Rom", slug="reise_rom"))  # English: translated, a note
    site.run("posts/de.md")
    assert site.status("posts/de.md") == ("published", None)
    report = site.report("posts/de.md") or ""
    assert "published posts/de.md, with notes.\n\nNotes:\n- The slug" in report

    site.upload("posts/de.md", post("Rom", slug="reise-rom"))
    site.run("posts/de.md")
    assert site.report("posts/de.md") is None


def test_two_jekyll_posts_with_the_same_name_on_different_days_are_told_why(site: Site) -> None:
    site.upload("posts/2024-01-08-weekly-news.md", post("News 1"))
    site.run("posts/2024-01-08-weekly-news.md")
    site.upload("posts/2024-01-15-weekly-news.md", post("News 2"))
    outcome = site.run("posts/2024-01-15-weekly-news.md")
    assert (outcome.error_code, outcome.slug) == ("slug-taken", "weekly-news")
    assert "the date at the start of a file name" in (site.report(outcome.key) or "")


def test_co_authors_are_shown_escaped_and_have_no_page(site: Site) -> None:
    authors = '[Ana, "<script>alert(1)</script>", "Luis &amp; Marta"]'
    site.upload("posts/a.md", post("A", authors=authors))
    site.run("posts/a.md")
    page = site.page("en", "a") or ""
    assert "Ana</a>, &lt;script&gt;alert(1)&lt;/script&gt;, Luis &amp; Marta" in page
    assert "<script>alert" not in page
    entry = site.services.catalog.get_post("a")
    assert entry is not None
    assert (entry.author, entry.co_authors) == (
        "Ana",
        ("<script>alert(1)</script>", "Luis & Marta"),
    )


def test_html_and_template_code_left_out_reach_the_authors_report_and_the_post_is_online(
    site: Site,
) -> None:
    body = (
        "Our robots.\n\n<script>alert(1)</script>\n\n"
        '<form action="/x"><input name="q"></form>\n\n{% include toc.html %}\n'
    )
    site.upload("posts/robots.md", "---\ntitle: Our robots\nlang: en\n---\n" + body)
    outcome = site.run("posts/robots.md")
    assert outcome.action == "published"
    assert "Our robots." in (site.page("en", "robots") or "")
    assert site.status("posts/robots.md") == ("published", "template-left-out")
    report = site.report("posts/robots.md") or ""
    assert "Polyglot Press published posts/robots.md." in report
    assert "Warning: html-left-out" in report
    assert "<form>" in report
    assert "<input>" in report
    assert "<script>" in report
    assert "Warning: template-left-out" in report
    assert "{% include toc.html %}" in report
    # Fixed: published without warnings, and the report goes.
    site.upload("posts/robots.md", "---\ntitle: Our robots\nlang: en\n---\nOur robots.\n")
    site.run("posts/robots.md")
    assert site.report("posts/robots.md") is None
    assert site.status("posts/robots.md") == ("published", None)


def test_a_post_published_as_is_with_warnings_has_one_report_with_both(site: Site) -> None:
    text = "Dieser Beitrag ist auf Deutsch geschrieben und erzählt von unserer Reise nach Rom."
    site.upload("posts/de.md", f"---\ntitle: Reise nach Rom\n---\n{text}\n\n<marquee>x</marquee>\n")
    site.run("posts/de.md")
    assert site.status("posts/de.md") == ("published", "language-unknown")
    report = site.report("posts/de.md") or ""
    assert "Note: language-unknown" in report
    assert "Warning: html-left-out" in report
    assert "<marquee>" in report
