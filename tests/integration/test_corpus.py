"""A slice of the real-post corpus through `polypub import` and the real pipeline (Apertium).

Whatever the figures of `make corpus` say about the whole corpus, this holds for every
post of the slice: no traceback anywhere, each imported post is published in the site's
languages or refused with a named report (each source item not imported is named too),
no page shows markup as text and no markup reaches the translator.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import (  # noqa: E402
    CORPUS,
    build,
    import_source,
    markup_sent,
    page_text,
    shown_markup,
)

from polypub.settings import Settings  # noqa: E402

pytestmark = [
    pytest.mark.apertium,
    pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium is not installed"),
]

# One of each kind: a WordPress-era HTML post, a Jekyll Markdown post with template
# constructs, Hugo posts with HTML and a table, a Spanish bundle with shortcodes and a
# <script>, and its Catalan sibling (not a site language).
SLICE = {
    "swcarpentry-website": [
        "_posts/2012-05-17-halifax-in-july.html",
        "_posts/2016-03-17-new-maintainers.md",
    ],
    "carpentries-org": ["content/posts/2023/04/2023-04-04-workbench-beta-phase-complete.md"],
    "fisiquimicamente": [
        "content/es/post/contraste-color/index.md",
        "content/ca/post/contraste-color/index.md",
    ],
}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("source", sorted(SLICE))
def test_every_corpus_post_is_published_or_refused_by_name(source: str, tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    for relative in SLICE[source]:
        target = blog / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / source / relative, target)
    report = import_source(blog, tmp_path / "import")  # raises on a traceback
    assert all(skipped["code"] for skipped in report["skipped"])
    settings = Settings.from_env({"POLYPUB_TRANSLATOR": "apertium"})

    summary, received = build(settings, tmp_path / "import", tmp_path / "site", tmp_path / "st")

    assert not [f for f in summary.failures if f.code == "internal-error"]
    refused = {f.key for f in summary.failures}
    originals = [p["key"] for p in report["posts"] if p["key"].count(".") == 1]
    assert len(originals) == len(SLICE[source])
    for key in originals:
        slug = key.removeprefix("posts/").removesuffix(".md")
        # A post in none of the site's languages (the Catalan one) is published as is, at
        # the default language's address only, and the build's notes say so.
        as_is = any(note.startswith(f"{key}: published as is") for note in summary.notes)
        languages = (settings.default_language,) if as_is else settings.languages
        pages = [tmp_path / "site" / lang / "posts" / slug / "index.html" for lang in languages]
        if key in refused:
            continue
        assert all(page.is_file() for page in pages), key
        for page in pages:
            article = page_text(page)
            assert article.parts, f"{page} has no article text"
            # HTML, template constructs, entities and link syntax: none shown as text.
            assert shown_markup(" ".join(article.parts)) == [], page
    total, markup, sent = markup_sent(received)
    assert total > 0
    assert markup == 0, sent
