"""polypub import: Jekyll, Hugo and WordPress fixture blogs become posts the pipeline accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from polypub.cli import main
from polypub.content.post import parse_post
from polypub.importers.model import OutputNotEmptyError, UnknownSourceError, WxrError
from polypub.importers.run import REPORT_JSON, REPORT_MD, convert, render_post, write_tree
from polypub.importers.wordpress import read_wxr

LANGS = ("es", "en")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _import(source: Path, out: Path) -> dict[str, str]:
    result = convert(source, LANGS)
    write_tree(result, out)
    return {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in out.rglob("*.md")}


def _parsed(out: Path, key: str):  # type: ignore[no-untyped-def]
    return parse_post(key, (out / key).read_bytes(), languages=LANGS)


@pytest.fixture
def jekyll_site(tmp_path: Path) -> Path:
    site = tmp_path / "jekyll"
    _write(site / "assets/img/clase.png", PNG)
    _write(site / "images/Foto Patio.PNG", PNG)
    _write(site / "assets/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    _write(
        site / "_posts/2019-10-01-dia-de-la-ciencia.md",
        "---\nlayout: post\ntitle: Día de la ciencia\nauthors: [Ana Pérez, Pau Vidal]\n"
        "excerpt: Experimentos en el patio\ncategories: [Ciencias, Patio]\ntags: [química]\n"
        "image: /images/Foto Patio.PNG\n---\n"
        '![clase]({{ site.baseurl }}/assets/img/clase.png) y <img src="/assets/img/clase.png">\n'
        "![logo](/assets/logo.svg) ![falta](/img/none.jpg) [web](https://example.org/a.png)\n",
    )
    _write(
        site / "_posts/2014/05/2014-05-20-imported-from-wordpress.html",
        "---\nlayout: page\ndate: 2014-05-20 09:30:00 -0500\nauthor: Greg\n"
        "title: Imported\n---\n<p>Old &mdash; post</p>\n",
    )
    _write(site / "_posts/2020-01-01-borrador.md", "---\ntitle: Borrador\npublished: false\n---\nx")
    _write(site / "_posts/2020-01-02-roto.md", "---\ntitle: [unclosed\n---\nx")
    _write(site / "_posts/2020-01-03-sin-titulo.md", "---\nauthor: Ana\n---\nx")
    _write(site / "_drafts/idea.md", "---\ntitle: Idea\n---\n")
    return site


def test_jekyll_posts_keep_dates_authors_pictures_and_name_what_they_drop(
    jekyll_site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    files = _import(jekyll_site, out)

    assert set(files) == {
        "posts/dia-de-la-ciencia.md",
        "posts/imported-from-wordpress.md",
        "IMPORT-REPORT.md",
    }
    post = _parsed(out, "posts/dia-de-la-ciencia.md")
    assert (post.title, post.author, post.description) == (
        "Día de la ciencia",
        "Ana Pérez",
        "Experimentos en el patio",
    )
    assert post.date is not None
    assert post.date.date().isoformat() == "2019-10-01"
    assert post.project == "ciencias"
    assert post.images == ("/assets/images/foto-patio.png",)
    # Local pictures copied and their paths rewritten; web addresses and missing files kept.
    assert (out / "assets/img/clase.png").read_bytes() == PNG
    assert (out / "assets/images/foto-patio.png").read_bytes() == PNG
    body = files["posts/dia-de-la-ciencia.md"]
    assert "![clase](/assets/img/clase.png)" in body
    assert '<img src="/assets/img/clase.png">' in body
    assert "](/img/none.jpg)" in body
    assert "https://example.org/a.png" in body
    assert not (out / "assets/logo.svg").exists()  # the site refuses SVG: not copied

    old = _parsed(out, "posts/imported-from-wordpress.md")
    assert old.date is not None
    assert old.date.isoformat() == "2014-05-20T14:30:00+00:00"
    assert old.author == "Greg"

    report = (out / REPORT_MD).read_text("utf-8")
    for expected in (
        "[draft]",
        "[front-matter-unreadable]",
        "[no-title]",
        "_drafts/idea.md",
        "'/assets/logo.svg' is a file the site refuses",
        "'/img/none.jpg' is not in the source folder",
        "layout (2)",
        "tags (1)",
    ):
        assert expected in report


def test_hugo_bundles_languages_toml_and_sections(tmp_path: Path) -> None:
    content = tmp_path / "site/content"
    _write(
        content / "es/post/viaje_roma/index.md",
        '+++\ntitle = "Viaje a Roma"\ndate = 2024-05-22T10:00:00+02:00\nslug = "viaje_roma"\n'
        'summary = "Cinco días"\n+++\nMira ![](<Foto 1.JPG>) y {{< figure src="Foto 1.JPG" >}}\n',
    )
    _write(content / "es/post/viaje_roma/Foto 1.JPG", b"\xff\xd8\xff" + b"\x00" * 8)
    _write(content / "es/post/viaje_roma/featured.png", PNG)
    _write(content / "en/post/viaje_roma/index.md", "---\ntitle: Trip to Rome\n---\nLook\n")
    _write(content / "ca/post/viaje_roma/index.md", "---\ntitle: Viatge a Roma\n---\nMira\n")
    _write(content / "es/post/_index.md", "---\ntitle: Blog\n---\n")
    _write(content / "es/about/index.md", "---\ntitle: Quiénes somos\n---\n")
    _write(content / "es/post/borrador.md", "---\ntitle: B\ndraft: true\n---\n")
    out = tmp_path / "out"

    files = _import(content.parent, out)

    assert set(files) - {"IMPORT-REPORT.md"} == {
        "posts/viaje-roma.md",
        "posts/viaje-roma.en.md",
        "posts/viaje-roma-ca.md",
    }
    post = _parsed(out, "posts/viaje-roma.md")
    assert (post.title, post.lang, post.description) == ("Viaje a Roma", "es", "Cinco días")
    assert post.date is not None
    assert post.date.isoformat() == "2024-05-22T08:00:00+00:00"
    assert post.images == ("/assets/imported/viaje-roma/featured.png",)
    assert "![](/assets/imported/viaje-roma/foto-1.jpg)" in files["posts/viaje-roma.md"]
    assert 'src="/assets/imported/viaje-roma/foto-1.jpg"' in files["posts/viaje-roma.md"]
    translation = _parsed(out, "posts/viaje-roma.en.md")
    assert (translation.title, translation.translation_lang) == ("Trip to Rome", "en")
    # Catalan is not a site language: its own post, language left to detection.
    assert _parsed(out, "posts/viaje-roma-ca.md").lang is None
    report = (out / REPORT_MD).read_text("utf-8")
    assert "slug 'viaje_roma' written as 'viaje-roma'" in report
    assert "TOML front matter (+++) written as YAML" in report
    assert "content/es/about/index.md | a page, not in a posts section [page]" in report
    assert "a section's list page (_index) [page]" in report
    assert "[draft]" in report


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Escola</title><language>es-ES</language>
  <wp:author><wp:author_login><![CDATA[mgarcia]]></wp:author_login>
    <wp:author_display_name><![CDATA[Marta García]]></wp:author_display_name></wp:author>
  <item>
    <title>Foto del huerto</title><wp:post_id>7</wp:post_id>
    <wp:post_type><![CDATA[attachment]]></wp:post_type>
    <wp:attachment_url><![CDATA[https://escola.example/wp-content/huerto.jpg]]></wp:attachment_url>
  </item>
  <item>
    <title>El huerto escolar</title>
    <dc:creator><![CDATA[mgarcia]]></dc:creator>
    <content:encoded><![CDATA[<p>Plantamos <strong>tomates</strong>.</p>
<!--more-->
<img class="size-medium" src="https://escola.example/wp-content/huerto.jpg" />]]></content:encoded>
    <excerpt:encoded><![CDATA[Plantamos tomates]]></excerpt:encoded>
    <wp:post_id>8</wp:post_id>
    <wp:post_date><![CDATA[2023-04-02 12:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2023-04-02 10:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[el-huerto-escolar]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="ciencias"><![CDATA[Ciencias]]></category>
    <category domain="category" nicename="primaria"><![CDATA[Primaria]]></category>
    <category domain="post_tag" nicename="huerto"><![CDATA[huerto]]></category>
    <wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>7</wp:meta_value></wp:postmeta>
    <wp:comment><wp:comment_approved>1</wp:comment_approved></wp:comment>
    <wp:comment><wp:comment_approved>spam</wp:comment_approved></wp:comment>
  </item>
  <item>
    <title>Año nuevo</title><dc:creator>desconocido</dc:creator>
    <content:encoded><![CDATA[Feliz año]]></content:encoded>
    <wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>
    <wp:post_date>2024-01-01 09:00:00</wp:post_date>
    <wp:post_name>a%c3%b1o-nuevo</wp:post_name>
    <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
    <category domain="category" nicename="uncategorized">Uncategorized</category>
  </item>
  <item><title>Contacto</title><wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>
  <item><title>Idea</title><wp:status>draft</wp:status><wp:post_type>post</wp:post_type></item>
  <item><title>Notas</title><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
    <wp:post_password>secreto</wp:post_password></item>
  <item><title></title><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>
"""


def test_wordpress_export_becomes_posts_with_html_bodies(tmp_path: Path) -> None:
    export = _write(tmp_path / "escola.WordPress.2024-01-01.xml", WXR)
    out = tmp_path / "out"

    files = _import(export, out)

    assert set(files) - {"IMPORT-REPORT.md"} == {"posts/el-huerto-escolar.md", "posts/ano-nuevo.md"}
    post = _parsed(out, "posts/el-huerto-escolar.md")
    assert (post.title, post.author, post.description, post.project, post.lang) == (
        "El huerto escolar",
        "Marta García",
        "Plantamos tomates",
        "ciencias",
        "es",
    )
    assert post.date is not None
    assert post.date.isoformat() == "2023-04-02T10:00:00+00:00"
    # The HTML stays as it was written (the pipeline makes it safe); no network, so the
    # picture keeps its address on the old site.
    assert (
        'src="https://escola.example/wp-content/huerto.jpg"' in files["posts/el-huerto-escolar.md"]
    )
    second = _parsed(out, "posts/ano-nuevo.md")
    assert second.author == "desconocido"
    assert second.project is None
    assert second.date is not None
    assert second.date.isoformat() == "2024-01-01T09:00:00+00:00"
    report = (out / REPORT_MD).read_text("utf-8")
    for expected in (
        "a page, not a post [page]",
        "status 'draft', not published [draft]",
        "password-protected [private]",
        "no title: give it one in WordPress and export again [no-title]",
        "1 comments: the site has no comments [comments]",
        "featured image stays at https://escola.example/wp-content/huerto.jpg",
        "only the first category is the project; also in: Primaria",
        "1 media files (attachments) stay on the old site",
        "tags (1)",
    ):
        assert expected in report
    assert (out / REPORT_JSON).is_file()


@pytest.mark.parametrize(
    "data",
    [
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<rss><channel><title>&b;</title></channel></rss>",
        # external entity (would read a local file with the stdlib parser's defaults elsewhere)
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><title>&x;</title></channel></rss>",
        b"not xml at all",
        b"<rss><channel><item>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
        b"\xff\xfe<\x00r\x00",
    ],
    ids=["entity-bomb", "external-entity", "text", "truncated", "atom", "utf16-garbage"],
)
def test_hostile_or_foreign_xml_is_a_named_error(data: bytes) -> None:
    with pytest.raises(WxrError):
        read_wxr(data)


def test_cli_exit_codes_and_named_errors(
    jekyll_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site-out"
    # One unreadable post in the source: imported the rest, exit 1 so a script notices.
    assert main(["import", str(jekyll_site), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "Imported 2 posts and 2 files from a jekyll blog" in printed
    assert (out / REPORT_MD).is_file()

    assert main(["import", str(jekyll_site), "--out", str(out)]) == 2
    assert "[output-not-empty]" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o2")]) == 2
    assert "[unknown-source]" in capsys.readouterr().err
    bomb = _write(tmp_path / "bomb.xml", '<!DOCTYPE r [<!ENTITY a "a">]><rss>&a;</rss>')
    assert main(["import", str(bomb), "--out", str(tmp_path / "o3")]) == 2
    assert "[wxr-unreadable]" in capsys.readouterr().err


def test_errors_are_named_for_sources_that_are_no_blog(tmp_path: Path) -> None:
    with pytest.raises(UnknownSourceError):
        convert(_write(tmp_path / "notes.txt", "hello"), LANGS)
    with pytest.raises(UnknownSourceError):
        convert(tmp_path, LANGS)
    result = convert(_write(tmp_path / "e.xml", WXR), LANGS)
    (tmp_path / "full").mkdir()
    _write(tmp_path / "full/keep.txt", "mine")
    with pytest.raises(OutputNotEmptyError):
        write_tree(result, tmp_path / "full")


def test_rendered_front_matter_round_trips_awkward_values() -> None:
    from polypub.importers.model import ConvertedPost

    post = ConvertedPost(
        "posts/x.md",
        "src",
        {"title": "yes: no # not a comment", "author": "O'Brien", "date": "2024-05-22"},
        "Body\n",
    )
    parsed = parse_post("posts/x.md", render_post(post).encode("utf-8"), languages=LANGS)
    assert (parsed.title, parsed.author) == ("yes: no # not a comment", "O'Brien")


def test_only_the_blogs_own_real_pictures_are_copied(tmp_path: Path) -> None:
    """A path out of the blog, or a page dressed as a picture, is not copied anywhere."""
    _write(tmp_path / "private.png", PNG)
    site = tmp_path / "blog"
    _write(site / "assets/fake.png", "<html><script>alert(1)</script></html>")
    _write(
        site / "_posts/2021-01-01-x.md",
        "---\ntitle: X\n---\n![a](../../private.png) ![b](/assets/fake.png)\n",
    )
    out = tmp_path / "out"

    files = _import(site, out)

    assert not (out / "assets").exists()
    assert "](../../private.png)" in files["posts/x.md"]
    report = (out / REPORT_MD).read_text("utf-8")
    assert "'/assets/fake.png' is a file the site refuses" in report
    assert "'../../private.png' is not in the source folder" in report
