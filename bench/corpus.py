"""Issue 13's figures on the real-post corpus: import, build with Apertium, inspect the pages.

    python bench/corpus.py [--sources a,b] [--json FILE] [--keep DIR] [--direct]

`--direct` is the baseline: the same source files uploaded as they are, without the import.

Each source under tests/corpus/ is imported with `polypub import` (a subprocess, as a
school would run it), then built with the real pipeline (`run_build`, what `polypub build`
runs) with Apertium, whose `translate` is wrapped to keep every text it receives. Then:

- published cleanly in both languages: the post has a page under every site language and
  none of them shows markup as text;
- markup shown as text: literal `<tag`, `{{`, `{%`, `&#NNN;`/`&name;`, `](` or `[^1]` in the visible
  text of the post's article (text nodes, script and style excluded);
- dates or authors lost: the source file's date (`date`/`publishDate`, else the Jekyll
  file name) and first author (`author`/`authors`) against the page's <time datetime>
  and author link, read from the source with plain YAML/TOML, not with the importer;
- characters of markup sent to the translator: in what Apertium received, once the
  pipeline's own placeholders (<g1>, <x2/>) and its escaping are taken away, the
  characters of HTML tags, template constructs, entities, URLs and link syntax;
- build time: the builds' own seconds (BuildSummary.seconds), import excluded.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from polypub.local.build import BuildSummary, run_build
from polypub.settings import Settings
from polypub.translate.providers.apertium import ApertiumTranslator

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"

# Markup as a reader would see it if it leaked into a page's text.
SHOWN_MARKUP = {
    "html-tag": re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*[\s/>]"),
    "template": re.compile(r"\{\{|\{%"),
    "entity": re.compile(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]+);"),
    "link-syntax": re.compile(r"\]\("),
    "footnote": re.compile(r"\[\^[^\]\s]{1,40}\]"),
}
# Markup in what a translator receives (after the pipeline's placeholders are removed).
SENT_MARKUP = re.compile(
    r"<\s*/?\s*[A-Za-z][^<>]*>"  # HTML tags
    r"|\{\{.*?\}\}|\{%.*?%\}"  # Liquid/Go templates, shortcodes
    r"|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]+);"  # entities shown literally
    r"|https?://\S+|www\.\S+"  # URLs
    r"|\]\([^)]*\)",  # Markdown link syntax
    re.DOTALL,
)
_PLACEHOLDER = re.compile(r"<\s*/?\s*[gx]\s*\d+\s*/?\s*>", re.IGNORECASE)
_JEKYLL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


@dataclass
class PostFigure:
    source: str
    key: str
    languages: list[str] = field(default_factory=list)
    shown: dict[str, list[str]] = field(default_factory=dict)  # lang -> kinds of markup shown
    refused: str | None = None
    date_lost: bool = False
    author_lost: bool = False


@dataclass
class SourceFigures:
    name: str
    kind: str = ""
    imported: int = 0
    not_imported: dict[str, int] = field(default_factory=dict)
    posts: list[PostFigure] = field(default_factory=list)
    chars_sent: int = 0
    markup_chars_sent: int = 0
    markup_samples: list[str] = field(default_factory=list)
    build_seconds: float = 0.0
    failures: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def recording_apertium() -> Iterator[list[str]]:
    """Every text Apertium's ``translate`` receives while the block runs."""
    received: list[str] = []
    original = ApertiumTranslator.translate

    def translate(
        self: ApertiumTranslator, texts: Sequence[str], source: str, target: str
    ) -> list[str]:
        received.extend(texts)
        return original(self, texts, source, target)

    ApertiumTranslator.translate = translate  # type: ignore[method-assign]
    try:
        yield received
    finally:
        ApertiumTranslator.translate = original  # type: ignore[method-assign]


def import_source(source: Path, out: Path) -> dict[str, Any]:
    """`polypub import SOURCE --out OUT --json`, as a school would run it; its report."""
    done = subprocess.run(
        [sys.executable, "-m", "polypub.cli", "import", str(source), "--out", str(out), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"polypub import {source} failed ({done.returncode}): {done.stderr}")
    if "Traceback" in done.stderr:
        raise RuntimeError(f"polypub import {source} printed a traceback:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def build(
    settings: Settings, content: Path, site: Path, state: Path
) -> tuple[BuildSummary, list[str]]:
    with recording_apertium() as received:
        summary = run_build(settings, content, site, state)
    return summary, received


class _ArticleText(HTMLParser):
    """Text nodes inside <article class="post">, without script/style; author and time."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []
        self.time: str | None = None
        self.in_author = False
        self.author = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.depth == 0 and tag == "article" and "post" in (values.get("class") or "").split():
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "article":
            self.depth += 1
        if tag in ("script", "style", "template"):
            self.skip += 1
        if tag == "time" and self.time is None:
            self.time = values.get("datetime")
        if tag == "span" and "author" in (values.get("class") or "").split():
            self.in_author = True

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "article":
            self.depth -= 1
        elif tag in ("script", "style", "template") and self.skip:
            self.skip -= 1
        elif tag == "span":
            self.in_author = False

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)
            if self.in_author:
                self.author += data


def page_text(page: Path) -> _ArticleText:
    parser = _ArticleText()
    parser.feed(page.read_text("utf-8"))
    parser.close()
    return parser


def shown_markup(text: str) -> list[str]:
    return [kind for kind, pattern in SHOWN_MARKUP.items() if pattern.search(text)]


def markup_sent(texts: Sequence[str]) -> tuple[int, int, list[str]]:
    """(characters received, of which markup, a few samples)."""
    total = markup = 0
    samples: list[str] = []
    for text in texts:
        plain = html.unescape(_PLACEHOLDER.sub("", text))
        total += len(plain)
        for match in SENT_MARKUP.finditer(plain):
            markup += len(match.group(0))
            if len(samples) < 8:
                samples.append(match.group(0)[:60])
    return total, markup, samples


def source_facts(path: Path) -> tuple[str | None, str | None]:
    """(date as UTC yyyy-mm-dd, first author) as the source file states them."""
    text = path.read_text("utf-8").removeprefix("\ufeff")
    meta: Any = {}
    for fence, load in (("---", yaml.safe_load), ("+++", tomllib.loads)):
        if text.startswith(fence + "\n"):
            head = text[len(fence) + 1 :].split("\n" + fence, 1)[0]
            try:
                meta = load(head) or {}
            except Exception:
                meta = {}
    if not isinstance(meta, dict):
        meta = {}
    when = meta.get("date") or meta.get("publishDate")
    day: str | None = None
    if isinstance(when, datetime):
        day = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).date().isoformat()
    elif isinstance(when, date):
        day = when.isoformat()
    elif isinstance(when, str) and when.strip():
        try:
            parsed = datetime.fromisoformat(when.strip().replace("Z", "+00:00"))
            day = (
                (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
                .astimezone(UTC)
                .date()
                .isoformat()
            )
        except ValueError:
            day = when.strip()[:10]
    if day is None:
        match = _JEKYLL_DATE.match(path.name) or _JEKYLL_DATE.match(path.parent.name)
        day = match.group(1) if match else None
    author = meta.get("author") or meta.get("authors")
    if isinstance(author, list):
        author = author[0] if author else None
    return day, (str(author).strip() if author else None)


def direct_copy(report: dict[str, Any], base: Path, content: Path) -> None:
    """The source files as a teacher would upload them without the import: same names."""
    for entry in report["posts"]:
        target = content / entry["key"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / entry["source"], target)


def measure_source(
    name: str, settings: Settings, work: Path, *, direct: bool = False
) -> SourceFigures:
    figures = SourceFigures(name)
    source = CORPUS / name
    imported = work / name / "import"
    report = import_source(source, imported)
    if direct:
        imported = work / name / "direct"
        direct_copy(report, Path(report["source"]), imported)
    figures.kind = report["kind"]
    for skipped in report["skipped"]:
        figures.not_imported[skipped["code"]] = figures.not_imported.get(skipped["code"], 0) + 1
    originals = [p for p in report["posts"] if p["key"].count(".") == 1]
    figures.imported = len(originals)
    site = work / name / "site"
    summary, received = build(settings, imported, site, work / name / "state")
    figures.build_seconds = summary.seconds
    figures.failures = [f.__dict__ for f in summary.failures]
    refused = {f.key: f.code for f in summary.failures}
    figures.chars_sent, figures.markup_chars_sent, figures.markup_samples = markup_sent(received)
    # The report names each post by its path under the blog's root (the source given).
    base = Path(report["source"])
    for entry in originals:
        slug = entry["key"].removeprefix("posts/").removesuffix(".md")
        post = PostFigure(entry["source"], entry["key"], refused=refused.get(entry["key"]))
        day, author = source_facts(base / entry["source"])
        for lang in settings.languages:
            page = site / lang / "posts" / slug / "index.html"
            if not page.is_file():
                continue
            post.languages.append(lang)
            article = page_text(page)
            kinds = shown_markup("".join(article.parts))
            if kinds:
                post.shown[lang] = kinds
            if lang == post.languages[0]:
                post.date_lost = bool(day) and not (article.time or "").startswith(day or "")
                post.author_lost = bool(author) and author not in article.author
        if not post.languages:
            post.date_lost = bool(day)
            post.author_lost = bool(author)
        figures.posts.append(post)
    return figures


def totals(sources: list[SourceFigures], languages: Sequence[str]) -> dict[str, Any]:
    posts = [p for s in sources for p in s.posts]
    return {
        "sources": len(sources),
        "posts": len(posts),
        "left_out_by_the_import": sum(sum(s.not_imported.values()) for s in sources),
        "published_cleanly_in_all_languages": sum(
            1 for p in posts if set(p.languages) == set(languages) and not p.shown
        ),
        "refused_with_a_named_report": sum(1 for p in posts if p.refused),
        "with_markup_shown_as_text": sum(1 for p in posts if p.shown),
        "dates_lost": sum(1 for p in posts if p.date_lost),
        "authors_lost": sum(1 for p in posts if p.author_lost),
        "chars_sent_to_translator": sum(s.chars_sent for s in sources),
        "markup_chars_sent_to_translator": sum(s.markup_chars_sent for s in sources),
        "build_seconds": round(sum(s.build_seconds for s in sources), 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sources", help="comma-separated folders of tests/corpus (default: all)")
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "corpus.json"))
    parser.add_argument("--keep", help="keep the imported trees and built sites in this folder")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="upload the source files as they are, without polypub import (the baseline)",
    )
    args = parser.parse_args(argv)
    names = (
        [n.strip() for n in args.sources.split(",") if n.strip()]
        if args.sources
        else sorted(p.name for p in CORPUS.iterdir() if (p / "SOURCE.md").is_file())
    )
    env = dict(os.environ)
    env["POLYPUB_TRANSLATOR"] = "apertium"
    settings = Settings.from_env(env)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="polypub-corpus-") as scratch:
        work = Path(args.keep) if args.keep else Path(scratch)
        sources = [measure_source(name, settings, work, direct=args.direct) for name in names]
    figures = totals(sources, settings.languages)
    how = "source files uploaded as they are" if args.direct else "polypub import, then build"
    print(
        f"Corpus: {', '.join(names)} (tests/corpus/; {how}; "
        f"{time.perf_counter() - started:.1f} s in all)"
    )
    print(f"{'figure':52} {'value':>10}")
    for key, value in figures.items():
        print(f"{key.replace('_', ' '):52} {value:>10}")
    for source in sources:
        print(
            f"\n{source.name} ({source.kind}): {source.imported} imported, not imported "
            f"{source.not_imported or '-'}, build {source.build_seconds:.1f} s, "
            f"markup sent {source.markup_chars_sent}/{source.chars_sent} chars"
        )
        for post in source.posts:
            flags = []
            if post.refused:
                flags.append(f"refused [{post.refused}]")
            if post.shown:
                flags.append(
                    "shown: " + "; ".join(f"{k} {','.join(v)}" for k, v in post.shown.items())
                )
            if post.date_lost:
                flags.append("date lost")
            if post.author_lost:
                flags.append("author lost")
            shown = "/".join(post.languages) or "-"
            print(f"  {post.key:48} {shown:6} {' | '.join(flags) or 'clean'}")
        if source.markup_samples:
            print("  markup sent, e.g.: " + " · ".join(repr(s) for s in source.markup_samples[:5]))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"totals": figures, "sources": [asdict(s) for s in sources]},
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nWritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
