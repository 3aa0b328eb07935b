"""Posts moved from Jekyll and Hugo publish as their authors meant, through the real handlers."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from polypub.content.keys import report_key
from polypub.local.dev import DevSession
from support.stack import aws_of, fetch, upload

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None or shutil.which("node") is None,
    reason="needs apertium (apertium-eng-spa) and node: run scripts/install-system-deps",
)

# Written for this test in the shape Jekyll posts have: no date (it is in the file
# name), an authors list, an excerpt and a picture under assets/.
JEKYLL = """\
---
layout: post
title: "Taller de robótica"
lang: es
authors:
  - Marta Puig
  - name: Jordi Soler
excerpt: "Construimos un robot seguidor de línea&#8230;"
---
Hoy hemos construido un robot que sigue una línea negra en el suelo del aula.
"""

HUGO = """\
---
title: "Laboratorio: Let&#8217;s Encrypt"
slug: laboratorio_lets_encrypt
lang: es
date: 2021-03-04
---
Hoy instalamos un certificado en la web del instituto.
"""


def report(stack: DevSession, key: str) -> str | None:
    aws = aws_of(stack)
    s3: Any = aws.client("s3")
    try:
        answer = s3.get_object(Bucket=aws.source_bucket, Key=report_key(key))
    except s3.exceptions.NoSuchKey:
        return None
    text: str = answer["Body"].read().decode("utf-8")
    return text


def test_a_jekyll_named_post_without_a_date_publishes_at_its_date_and_slug(
    stack: DevSession,
) -> None:
    upload(stack, "posts/2019-10-01-taller-robotica.md", JEKYLL.encode())

    status, page = fetch(stack, "/es/posts/taller-robotica/")
    assert status == 200
    assert '<time datetime="2019-10-01">' in page
    assert "Marta Puig</a>, Jordi Soler" in page
    assert "línea\u2026" in page
    assert "&amp;#8230;" not in page
    status, _ = fetch(stack, "/en/posts/taller-robotica/")  # translated by Apertium
    assert status == 200
    _, feed = fetch(stack, "/es/feed.xml")
    assert "<name>Marta Puig</name>" in feed
    assert "<name>Jordi Soler</name>" in feed
    assert fetch(stack, "/es/posts/2019-10-01-taller-robotica/")[0] == 404

    # A person's translation named like the original pairs with it.
    english = "---\ntitle: Robotics workshop\n---\nToday we built a line-following robot.\n"
    upload(stack, "posts/2019-10-01-taller-robotica.en.md", english.encode())
    _, page = fetch(stack, "/en/posts/taller-robotica/")
    assert "Robotics workshop" in page
    assert '<time datetime="2019-10-01">' in page
    assert report(stack, "posts/2019-10-01-taller-robotica.md") is None


def test_an_underscore_slug_publishes_with_hyphens_and_a_note_in_its_report(
    stack: DevSession,
) -> None:
    upload(stack, "posts/lets-encrypt.md", HUGO.encode())

    status, page = fetch(stack, "/es/posts/laboratorio-lets-encrypt/")
    assert status == 200
    assert "Let\u2019s Encrypt" in page
    text = report(stack, "posts/lets-encrypt.md")
    assert text is not None
    assert "published posts/lets-encrypt.md, with notes" in text
    assert "slug: laboratorio-lets-encrypt" in text

    # Fixed as the note says: the note and its report go.
    fixed = HUGO.replace("laboratorio_lets_encrypt", "laboratorio-lets-encrypt")
    upload(stack, "posts/lets-encrypt.md", fixed.encode())
    assert report(stack, "posts/lets-encrypt.md") is None
    assert fetch(stack, "/es/posts/laboratorio-lets-encrypt/")[0] == 200
