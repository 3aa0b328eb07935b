"""Image width and height read from PNG, JPEG, GIF and WebP headers (no decoding, no Pillow)."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

# Larger sides are not real photos but broken or hostile headers.
MAX_SIDE = 65_535


@dataclass(frozen=True)
class ImageSize:
    """Displayed width and height in CSS pixels (EXIF rotation already applied)."""

    width: int
    height: int


def image_size(data: bytes) -> ImageSize | None:
    """The size an image is shown at, or None for formats we do not read or broken headers."""
    for reader in (_png, _gif, _webp, _jpeg):
        try:
            size = reader(data)
        except (struct.error, IndexError, ValueError):
            size = None
        if size is not None:
            if 0 < size.width <= MAX_SIDE and 0 < size.height <= MAX_SIDE:
                return size
            return None
    return None


def source_key(src: str) -> str | None:
    """The source-bucket key behind a site path (`/assets/a%20b.png` -> `assets/a b.png`)."""
    if not src.startswith("/assets/") or "?" in src or "#" in src:
        return None
    return unquote(src).lstrip("/")


def measure_images(
    sources: Iterable[str], read: Callable[[str], bytes | None]
) -> dict[str, ImageSize]:
    """Sizes of the site images among `sources` (front matter paths), by path.

    `read` gets a source-bucket key and returns the bytes or None; images that are
    missing or unreadable are left out, so their pages still render, without sizes.
    """
    sizes: dict[str, ImageSize] = {}
    for src in dict.fromkeys(sources):
        key = source_key(src)
        data = read(key) if key else None
        size = image_size(data) if data else None
        if size is not None:
            sizes[src] = size
    return sizes


def _png(data: bytes) -> ImageSize | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return ImageSize(width, height)


def _gif(data: bytes) -> ImageSize | None:
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return ImageSize(width, height)


def _webp(data: bytes) -> ImageSize | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 ":
        # Lossy: a key frame starts with 9d 01 2a, then 14-bit width and height.
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", data[26:30])
        return ImageSize(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        # Lossless: signature 0x2f, then width-1 and height-1 in 14 bits each.
        if data[20] != 0x2F:
            return None
        bits = int.from_bytes(data[21:25], "little")
        return ImageSize((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        # Extended: canvas width-1 and height-1 in 24 bits each.
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageSize(width, height)
    return None


# Start-of-frame markers carry the size: every SOFn except DHT (c4), JPG (c8), DAC (cc).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# EXIF orientations 5-8 turn the picture a quarter: browsers show it with sides swapped.
_QUARTER_TURNS = {5, 6, 7, 8}


def _jpeg(data: bytes) -> ImageSize | None:
    if data[:2] != b"\xff\xd8":
        return None
    offset = 2
    orientation = 1
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill bytes before a marker
            offset += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if length < 2:
            return None
        segment = data[offset + 4 : offset + 2 + length]
        if marker == 0xE1 and segment.startswith(b"Exif\x00\x00"):
            orientation = _exif_orientation(segment[6:]) or orientation
        if marker in _SOF:
            height, width = struct.unpack(">HH", segment[1:5])
            if orientation in _QUARTER_TURNS:
                width, height = height, width
            return ImageSize(width, height)
        if marker == 0xDA:  # start of scan: no frame header came first
            return None
        offset += 2 + length
    return None


def _exif_orientation(tiff: bytes) -> int | None:
    """The Orientation tag (0x0112) of IFD0 in an EXIF TIFF block."""
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    for index in range(min(count, 512)):
        entry = tiff[ifd + 2 + 12 * index : ifd + 14 + 12 * index]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag == 0x0112 and kind == 3:  # SHORT
            (value,) = struct.unpack(order + "H", entry[8:10])
            return int(value)
    return None
