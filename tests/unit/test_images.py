"""Image sizes from PNG, JPEG, GIF and WebP headers, built byte by byte here."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from polypub.site.images import ImageSize, image_size, measure_images, source_key

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = ROOT / "content" / "assets" / "images" / "uploads"


def png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def gif(width: int, height: int, version: bytes = b"GIF89a") -> bytes:
    return version + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def exif(orientation: int, order: str = "<") -> bytes:
    mark = b"II" if order == "<" else b"MM"
    tiff = mark + struct.pack(order + "HI", 42, 8)
    # One IFD0 entry: Orientation (0x0112), SHORT, count 1, value in the first 2 bytes.
    tiff += struct.pack(order + "H", 1)
    tiff += struct.pack(order + "HHI", 0x0112, 3, 1) + struct.pack(order + "HH", orientation, 0)
    tiff += struct.pack(order + "I", 0)
    return b"Exif\x00\x00" + tiff


def jpeg(width: int, height: int, *, orientation: int | None = None, sof: int = 0xC0) -> bytes:
    parts = [b"\xff\xd8", segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")]
    if orientation is not None:
        parts.append(segment(0xE1, exif(orientation)))
    parts.append(segment(0xDB, bytes(65)))  # a quantisation table before the frame
    parts.append(segment(sof, struct.pack(">BHHB", 8, height, width, 3) + bytes(9)))
    parts.append(segment(0xDA, bytes(10)))
    return b"".join(parts) + b"\xff\xd9"


def webp(chunk: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def vp8(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height)
    return webp(b"VP8 ", frame + bytes(10))


def vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return webp(b"VP8L", b"\x2f" + bits.to_bytes(4, "little") + bytes(8))


def vp8x(width: int, height: int) -> bytes:
    payload = b"\x10\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    return webp(b"VP8X", payload + (height - 1).to_bytes(3, "little"))


@pytest.mark.parametrize(
    ("data", "size"),
    [
        pytest.param(png(1200, 630), ImageSize(1200, 630), id="png"),
        pytest.param(gif(16, 9), ImageSize(16, 9), id="gif89a"),
        pytest.param(gif(320, 200, b"GIF87a"), ImageSize(320, 200), id="gif87a"),
        pytest.param(jpeg(640, 336), ImageSize(640, 336), id="jpeg-baseline"),
        pytest.param(jpeg(800, 600, sof=0xC2), ImageSize(800, 600), id="jpeg-progressive"),
        pytest.param(jpeg(800, 600, orientation=1), ImageSize(800, 600), id="jpeg-upright"),
        pytest.param(jpeg(800, 600, orientation=3), ImageSize(800, 600), id="jpeg-upside-down"),
        # A phone photo taken upright: stored landscape, shown portrait.
        pytest.param(jpeg(4032, 3024, orientation=6), ImageSize(3024, 4032), id="jpeg-rotated"),
        pytest.param(jpeg(4032, 3024, orientation=8), ImageSize(3024, 4032), id="jpeg-rotated-8"),
        pytest.param(vp8(400, 300), ImageSize(400, 300), id="webp-lossy"),
        pytest.param(vp8l(401, 299), ImageSize(401, 299), id="webp-lossless"),
        pytest.param(vp8x(5000, 3000), ImageSize(5000, 3000), id="webp-extended"),
    ],
)
def test_reads_the_displayed_size_from_the_header(data: bytes, size: ImageSize) -> None:
    assert image_size(data) == size


def test_big_endian_exif_is_read_too() -> None:
    data = jpeg(1000, 500, orientation=None)
    rotated = data.replace(
        segment(0xDB, bytes(65)), segment(0xE1, exif(6, ">")) + segment(0xDB, bytes(65))
    )
    assert image_size(rotated) == ImageSize(500, 1000)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="svg"),
        pytest.param(png(100, 100)[:20], id="truncated-png"),
        pytest.param(png(0, 100), id="zero-width"),
        pytest.param(png(100_000, 10), id="absurd-width"),
        pytest.param(b"\xff\xd8\xff\xe0\x00", id="truncated-jpeg"),
        pytest.param(b"\xff\xd8" + segment(0xDA, bytes(4)), id="jpeg-scan-before-frame"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x01", id="jpeg-bad-length"),
        pytest.param(b"\xff\xd8\x00\x00\x00\x00", id="jpeg-garbage"),
        pytest.param(webp(b"VP8 ", bytes(20)), id="webp-no-keyframe"),
        pytest.param(webp(b"ABCD", bytes(20)), id="webp-unknown-chunk"),
        pytest.param(b"RIFF\x00\x00\x00\x00WAVE", id="riff-not-webp"),
    ],
)
def test_unreadable_or_unknown_images_have_no_size(data: bytes) -> None:
    assert image_size(data) is None


def test_the_seed_images_are_read() -> None:
    assert image_size((UPLOADS / "izquierda_ES.png").read_bytes()) == ImageSize(1200, 630)
    jpg = UPLOADS / "erasmusdays_logo_2021_sin_fechas.jpg"
    assert image_size(jpg.read_bytes()) == ImageSize(640, 336)


def test_source_keys_are_only_assets() -> None:
    assert source_key("/assets/images/a%20b.png") == "assets/images/a b.png"
    assert source_key("/static/site.css") is None
    assert source_key("https://example.org/assets/a.png") is None
    assert source_key("/assets/a.png?v=2") is None


def test_measure_images_reads_each_asset_once_and_skips_the_unreadable() -> None:
    files = {"assets/a.png": png(10, 20), "assets/broken.png": b"not an image"}
    reads: list[str] = []

    def read(key: str) -> bytes | None:
        reads.append(key)
        return files.get(key)

    sizes = measure_images(
        ["/assets/a.png", "/assets/a.png", "/assets/broken.png", "/assets/missing.png"], read
    )
    assert sizes == {"/assets/a.png": ImageSize(10, 20)}
    assert reads == ["assets/a.png", "assets/broken.png", "assets/missing.png"]
