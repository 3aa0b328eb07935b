"""asset_content_type: only passive types, by content and by name, each with its Content-Type."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from polypub.content.assets import asset_content_type
from polypub.content.errors import AssetTypeNotAllowedError, ContentError

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = ROOT / "content" / "assets" / "images" / "uploads"
PNG = (UPLOADS / "images.png").read_bytes()
JPEG = (UPLOADS / "erasmusdays_logo_2021_sin_fechas.jpg").read_bytes()


def wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(1600))
    return buffer.getvalue()


def ftyp(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x20ftyp" + brand + b"\x00\x00\x02\x00" + brand + b"mp41" + bytes(16)


# The start of each format as its specification writes it (then padding).
SAMPLES = {
    "assets/a.png": (PNG, "image/png"),
    "assets/a.jpg": (JPEG, "image/jpeg"),
    "assets/a.JPEG": (JPEG, "image/jpeg"),  # cameras write upper-case extensions
    "assets/a.gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    "assets/a.webp": (b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24), "image/webp"),
    "assets/a.avif": (ftyp(b"avif"), "image/avif"),
    "assets/doc.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"),
    "assets/a.mp3": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(20), "audio/mpeg"),
    "assets/b.mp3": (b"\xff\xfb\x90\x64" + bytes(20), "audio/mpeg"),  # no ID3 tag
    "assets/a.wav": (wav(), "audio/wav"),
    "assets/a.flac": (b"fLaC\x00\x00\x00\x22" + bytes(34), "audio/flac"),
    "assets/a.aac": (b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(10), "audio/aac"),
    "assets/a.m4a": (ftyp(b"M4A "), "audio/mp4"),
    "assets/a.mp4": (ftyp(b"isom"), "video/mp4"),
    "assets/a.webm": (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + bytes(20), "video/webm"),
    "assets/a.ogg": (b"OggS\x00\x02" + bytes(22), "audio/ogg"),
    "assets/a.ogv": (b"OggS\x00\x02" + bytes(22), "video/ogg"),
}


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_each_passive_type_gets_its_content_type(key: str) -> None:
    data, expected = SAMPLES[key]
    assert asset_content_type(key, data) == expected


@pytest.mark.parametrize(
    ("key", "data", "advice"),
    [
        ("assets/evil.html", b"<!doctype html><script>alert(1)</script>", "PDF"),
        ("assets/evil.htm", b"<script>alert(1)</script>", "PDF"),
        ("assets/evil.xhtml", b"<html xmlns='http://www.w3.org/1999/xhtml'/>", "PDF"),
        ("assets/evil.js", b"alert(document.cookie)", "link"),
        ("assets/logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='x()'/>", "PNG"),
        ("assets/feed.xml", b"<?xml version='1.0'?><x/>", "PDF"),
        ("assets/site.css", b"body{}", "config/site.yml"),
        ("assets/notes.docx", b"PK\x03\x04" + bytes(20), "PDF"),
        ("assets/README", b"hello", "PDF"),
    ],
)
def test_active_and_unknown_types_are_refused_with_what_to_upload_instead(
    key: str, data: bytes, advice: str
) -> None:
    with pytest.raises(AssetTypeNotAllowedError) as info:
        asset_content_type(key, data)
    error = info.value
    assert isinstance(error, ContentError)
    assert error.code == "asset-type-not-allowed"
    assert key in str(error)
    assert advice in str(error)


@pytest.mark.parametrize(
    ("key", "data", "hint"),
    [
        # The name is trusted only when the content agrees: HTML named .png is refused.
        ("assets/evil.png", b"<html><script>alert(1)</script></html>", "export it again"),
        ("assets/evil.pdf", b"<svg onload=alert(1)>", "export it again"),
        ("assets/photo.png", JPEG, ".jpg or .jpeg"),
        ("assets/photo.jpg", PNG, ".png"),
        ("assets/song.mp3", wav(), ".wav"),
        ("assets/empty.png", b"", "export it again"),
    ],
)
def test_a_name_that_disagrees_with_the_content_is_refused(
    key: str, data: bytes, hint: str
) -> None:
    with pytest.raises(AssetTypeNotAllowedError) as info:
        asset_content_type(key, data)
    assert hint in str(info.value)
