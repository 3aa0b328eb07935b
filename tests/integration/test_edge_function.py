"""infra/cloudfront/viewer-request.js run in node against real-shaped CloudFront events."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from polypub.local.preview import EdgeFunction

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = ROOT / "infra" / "cloudfront" / "viewer-request.js"

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH"),
]


def event(
    uri: str,
    *,
    accept_language: str | None = None,
    cookies: dict[str, str] | None = None,
    query: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """A viewer-request event as CloudFront builds it (lowercase names, {value} entries)."""
    headers: dict[str, Any] = {"host": {"value": "d111111abcdef8.cloudfront.net"}}
    if accept_language is not None:
        headers["accept-language"] = {"value": accept_language}
    querystring: dict[str, Any] = {}
    for name, value in query or []:
        if name in querystring:
            entry = querystring[name]
            entry.setdefault("multiValue", [{"value": entry["value"]}]).append({"value": value})
        else:
            querystring[name] = {"value": value}
    return {
        "version": "1.0",
        "context": {"eventType": "viewer-request", "distributionId": "EDFDVBD6EXAMPLE"},
        "viewer": {"ip": "198.51.100.11"},
        "request": {
            "method": "GET",
            "uri": uri,
            "querystring": querystring,
            "headers": headers,
            "cookies": {name: {"value": value} for name, value in (cookies or {}).items()},
        },
    }


@pytest.fixture(scope="module")
def edge() -> Iterator[EdgeFunction]:
    # One node child for the module, run in a context without `module` or `require`
    # as in CloudFront (see functions/polypub/local/edge_runner.js).
    function = EdgeFunction(FUNCTION)
    yield function
    function.close()


ROOT_REDIRECTS = [
    pytest.param({"accept_language": "en-GB,en;q=0.9,es;q=0.8"}, "/en/", id="regional-english"),
    pytest.param({"accept_language": "es-ES,es;q=0.9,en;q=0.8"}, "/es/", id="regional-spanish"),
    pytest.param({"accept_language": "en-US"}, "/en/", id="region-only-matches-base"),
    pytest.param({"accept_language": "es;q=0.5, en;q=0.8"}, "/en/", id="higher-q-wins"),
    pytest.param({"accept_language": "en;q=0.8, es;q=0.8"}, "/en/", id="tie-goes-to-first"),
    pytest.param({"accept_language": "fr-FR,fr;q=0.9,en;q=0.5"}, "/en/", id="skips-unknown"),
    pytest.param({"accept_language": "fr-FR,de"}, "/es/", id="no-match-default-spanish"),
    pytest.param({}, "/es/", id="no-header-default-spanish"),
    pytest.param({"accept_language": ""}, "/es/", id="empty-header"),
    pytest.param({"accept_language": "en;q=0, es;q=0.1"}, "/es/", id="q0-excluded"),
    pytest.param({"accept_language": "en;q=0"}, "/es/", id="only-q0-default"),
    pytest.param({"accept_language": "es;q=0, *"}, "/en/", id="wildcard-skips-refused"),
    pytest.param({"accept_language": "en;q=abc, es;q=0.2"}, "/es/", id="malformed-q"),
    pytest.param({"accept_language": "EN-gb"}, "/en/", id="case-insensitive"),
    pytest.param({"accept_language": "es", "cookies": {"lang": "en"}}, "/en/", id="cookie-wins"),
    pytest.param(
        {"accept_language": "en", "cookies": {"lang": "es"}}, "/es/", id="cookie-wins-spanish"
    ),
    pytest.param(
        {"accept_language": "en", "cookies": {"lang": "fr"}}, "/en/", id="invalid-cookie-ignored"
    ),
    pytest.param({"cookies": {"lang": "EN"}}, "/en/", id="cookie-case-insensitive"),
    pytest.param(
        {"accept_language": "en", "query": [("utm_source", "mail"), ("q", "a%20b")]},
        "/en/?utm_source=mail&q=a%20b",
        id="query-preserved",
    ),
    pytest.param(
        {"query": [("tag", "a"), ("tag", "b"), ("flag", "")]},
        "/es/?tag=a&tag=b&flag",
        id="query-multivalue",
    ),
]


@pytest.mark.parametrize(("options", "location"), ROOT_REDIRECTS)
def test_root_redirects_to_the_reader_language(
    edge: EdgeFunction, options: dict[str, Any], location: str
) -> None:
    result = edge.run(event("/", **options))

    assert result["statusCode"] == 302
    assert result["headers"]["location"]["value"] == location
    # The answer depends on the reader: no cache may keep it.
    assert result["headers"]["cache-control"]["value"] == "private, no-store"
    assert "accept-language" in result["headers"]["vary"]["value"].lower()
    assert "cookie" in result["headers"]["vary"]["value"].lower()


@pytest.mark.parametrize(
    ("uri", "forwarded"),
    [
        pytest.param("/en/", "/en/index.html", id="language-home"),
        pytest.param("/es/", "/es/index.html", id="spanish-home"),
        pytest.param("/en/posts/my.slug/", "/en/posts/my.slug/index.html", id="dotted-slug-dir"),
        pytest.param("/en/projects/erasmus/", "/en/projects/erasmus/index.html", id="project"),
        pytest.param("/assets/", "/assets/index.html", id="any-directory"),
        pytest.param("/en/feed.xml", "/en/feed.xml", id="feed"),
        pytest.param("/en/assets/photo.JPG", "/en/assets/photo.JPG", id="extension-any-case"),
        pytest.param("/en/posts/a/index.html", "/en/posts/a/index.html", id="explicit-file"),
        pytest.param("/sitemap.xml", "/sitemap.xml", id="sitemap"),
        pytest.param("/404.html", "/404.html", id="error-page"),
        pytest.param(
            "/assets/images/uploads/a.b.png", "/assets/images/uploads/a.b.png", id="asset"
        ),
        pytest.param("/fr/posts/hello", "/fr/posts/hello", id="unknown-prefix-unchanged"),
        pytest.param("/english/posts/x", "/english/posts/x", id="prefix-must-be-exact"),
        pytest.param("/robots", "/robots", id="no-prefix-unchanged"),
    ],
)
def test_requests_pass_through(edge: EdgeFunction, uri: str, forwarded: str) -> None:
    result = edge.run(event(uri))

    assert "statusCode" not in result
    assert result["uri"] == forwarded


@pytest.mark.parametrize(
    ("uri", "query", "location"),
    [
        pytest.param("/en/posts/my.slug", [], "/en/posts/my.slug/", id="dotted-slug"),
        pytest.param("/es/posts/hola", [], "/es/posts/hola/", id="plain-slug"),
        pytest.param("/en/posts/v1.2.3", [], "/en/posts/v1.2.3/", id="version-like-slug"),
        pytest.param("/en", [], "/en/", id="bare-language"),
        pytest.param(
            "/en/posts/my.slug",
            [("ref", "home"), ("x", "1")],
            "/en/posts/my.slug/?ref=home&x=1",
            id="query-preserved",
        ),
    ],
)
def test_extensionless_language_paths_get_a_slash(
    edge: EdgeFunction, uri: str, query: list[tuple[str, str]], location: str
) -> None:
    result = edge.run(event(uri, query=query))

    assert result["statusCode"] == 301
    assert result["headers"]["location"]["value"] == location


def test_languages_constant_is_the_default_order() -> None:
    # The default language is the first: Spanish, per the design (polypub.languages).
    text = FUNCTION.read_text(encoding="utf-8")
    assert "var LANGUAGES = 'es,en'.split(',');" in text


def test_fits_cloudfront_functions_size_limit() -> None:
    # CloudFront Functions reject code over 10 KB.
    assert len(FUNCTION.read_bytes()) < 10 * 1024


@pytest.mark.parametrize(
    "pattern",
    [
        r"\bexport\b",
        r"\bimport\b",
        r"\brequire\s*\(",
        r"\bmodule\b",
        r"\bexports\b",
        r"\bprocess\.",
        r"\bfetch\s*\(",
        r"\bsetTimeout\b",
    ],
)
def test_uses_nothing_the_cloudfront_runtime_lacks(pattern: str) -> None:
    # The runtime is not node: a function that fails to load turns every request
    # into a 503, so node-only scaffolding must not creep in "for tests".
    code = "\n".join(
        line
        for line in FUNCTION.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("//")
    )
    assert re.search(pattern, code) is None


def test_runs_without_node_globals() -> None:
    # What edge_runner.js does, spelled out: a bare context, as in CloudFront.
    script = (
        "const vm = require('vm'); const fs = require('fs');"
        "const box = {}; vm.createContext(box);"
        "vm.runInContext(fs.readFileSync(process.argv[1], 'utf8'), box);"
        "box.handler({request: {uri: '/en/', headers: {}, cookies: {}, querystring: {}}})"
        ".then(r => console.log(JSON.stringify({uri: r.uri, languages: box.LANGUAGES})));"
    )
    output = subprocess.run(
        ["node", "-e", script, str(FUNCTION)],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    assert json.loads(output) == {"uri": "/en/index.html", "languages": ["es", "en"]}


def test_the_switcher_script_sets_the_cookie_this_function_reads(edge: EdgeFunction) -> None:
    # functions/polypub/site/static/lang.js writes the cookie; this function reads it.
    script = (ROOT / "functions" / "polypub" / "site" / "static" / "lang.js").read_text("utf-8")
    found = re.search(r"var COOKIE = '([^']+)';", script)
    assert found is not None
    cookie = found.group(1)
    assert f"request.cookies.{cookie}" in FUNCTION.read_text(encoding="utf-8")
    for lang in ("es", "en"):
        other = "en" if lang == "es" else "es"
        result = edge.run(event("/", accept_language=other, cookies={cookie: lang}))
        assert result["headers"]["location"]["value"] == f"/{lang}/"


def test_a_stack_with_catalan_routes_catalan() -> None:
    # What CloudFormation deploys with SiteLanguages=es,en,ca (and the preview runs
    # for POLYPUB_LANGUAGES=es,en,ca): the same file with the parameter's list.
    function = EdgeFunction(FUNCTION, languages=("es", "en", "ca"))
    try:
        assert function.run(event("/", accept_language="ca-ES,ca;q=0.9"))["headers"]["location"][
            "value"
        ] == ("/ca/")
        assert function.run(event("/ca/posts/hola"))["headers"]["location"]["value"] == (
            "/ca/posts/hola/"
        )
        assert function.run(event("/", accept_language="fr"))["headers"]["location"]["value"] == (
            "/es/"
        )
    finally:
        function.close()


def test_without_catalan_the_edge_ignores_it(edge: EdgeFunction) -> None:
    assert edge.run(event("/", accept_language="ca"))["headers"]["location"]["value"] == "/es/"
    assert edge.run(event("/ca/posts/hola"))["uri"] == "/ca/posts/hola"
