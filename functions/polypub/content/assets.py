"""Which uploads under assets/ are published, and as what: passive types, by content and name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from polypub.content.errors import AssetTypeNotAllowedError

Sniffer = Callable[[bytes], bool]

# What a refusal suggests, by the kind of file a teacher most likely uploaded.
_ALLOWED_SUMMARY = (
    "The site publishes only images (PNG, JPEG, GIF, WebP, AVIF), PDF documents, audio "
    "(MP3, Ogg, WAV, M4A, AAC, FLAC) and video (MP4, WebM, Ogg)."
)
_ACTIVE = {
    "html": "a web page",
    "htm": "a web page",
    "xhtml": "a web page",
    "shtml": "a web page",
    "svg": "an SVG drawing",
    "svgz": "an SVG drawing",
    "xml": "an XML file",
    "xsl": "an XML file",
    "js": "a JavaScript program",
    "mjs": "a JavaScript program",
    "css": "a style sheet",
    "swf": "a Flash file",
}
_INSTEAD = {
    "a web page": "Save or print the page as a PDF and upload that, or link to it from a post.",
    "an SVG drawing": "Export the drawing as a PNG image and upload that instead.",
    "an XML file": "Export it as a PDF and upload that instead.",
    "a JavaScript program": "A post cannot carry programs; link to where it is hosted instead.",
    "a style sheet": "The site's look is set in config/site.yml and theme/ templates.",
    "a Flash file": "Export it as an MP4 video and upload that instead.",
}


def _at(offset: int, magic: bytes) -> Sniffer:
    return lambda data: data[offset : offset + len(magic)] == magic


def _riff(form: bytes) -> Sniffer:
    return lambda data: data[:4] == b"RIFF" and data[8:12] == form


def _ftyp(brands: frozenset[bytes]) -> Sniffer:
    # ISO base media files (MP4, M4A, AVIF) start with an 'ftyp' box naming a major brand.
    return lambda data: data[4:8] == b"ftyp" and data[8:12] in brands


def _mp3(data: bytes) -> bool:
    # An ID3 tag, or straight into an MPEG audio frame (11 sync bits, layer III).
    return data[:3] == b"ID3" or (
        len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x06 == 0x02
    )


def _adts(data: bytes) -> bool:
    # AAC in ADTS frames: 12 sync bits, then layer 00.
    return len(data) > 1 and data[0] == 0xFF and data[1] & 0xF6 == 0xF0


_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"}
)
_M4A_BRANDS = frozenset({b"M4A ", b"M4B ", b"isom", b"mp41", b"mp42", b"iso2"})


@dataclass(frozen=True)
class AssetType:
    """One passive type: its name for teachers, its extensions -> Content-Type, its signature."""

    label: str
    types: dict[str, str]
    sniff: Sniffer


ASSET_TYPES: tuple[AssetType, ...] = (
    AssetType("PNG image", {"png": "image/png"}, _at(0, b"\x89PNG\r\n\x1a\n")),
    AssetType("JPEG image", {"jpg": "image/jpeg", "jpeg": "image/jpeg"}, _at(0, b"\xff\xd8\xff")),
    AssetType("GIF image", {"gif": "image/gif"}, lambda d: d[:6] in (b"GIF87a", b"GIF89a")),
    AssetType("WebP image", {"webp": "image/webp"}, _riff(b"WEBP")),
    AssetType("AVIF image", {"avif": "image/avif"}, _ftyp(frozenset({b"avif", b"avis"}))),
    AssetType("PDF document", {"pdf": "application/pdf"}, _at(0, b"%PDF-")),
    AssetType("MP3 audio", {"mp3": "audio/mpeg"}, _mp3),
    AssetType("WAV audio", {"wav": "audio/wav"}, _riff(b"WAVE")),
    AssetType("FLAC audio", {"flac": "audio/flac"}, _at(0, b"fLaC")),
    AssetType("AAC audio", {"aac": "audio/aac"}, _adts),
    AssetType("M4A audio", {"m4a": "audio/mp4"}, _ftyp(_M4A_BRANDS)),
    AssetType("MP4 video", {"mp4": "video/mp4", "m4v": "video/mp4"}, _ftyp(_MP4_BRANDS)),
    AssetType("WebM video", {"webm": "video/webm"}, _at(0, b"\x1a\x45\xdf\xa3")),
    # Ogg is one container for audio and video; the name says which.
    AssetType(
        "Ogg audio or video",
        {"ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/ogg", "ogv": "video/ogg"},
        _at(0, b"OggS"),
    ),
)
_BY_EXTENSION = {ext: kind for kind in ASSET_TYPES for ext in kind.types}


def asset_content_type(key: str, data: bytes) -> str:
    """The Content-Type to publish ``key`` with, or AssetTypeNotAllowedError.

    Both must agree: the name's extension (case-insensitive: cameras write .JPG) must be
    an allowed type, and the bytes must start with that type's signature. A browser
    that is told image/png never runs what it gets as a page or a script, and a
    PNG-named HTML file is refused rather than trusted.
    """
    filename = key.rsplit("/", 1)[-1]
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    kind = _BY_EXTENSION.get(ext)
    if kind is None:
        active = _ACTIVE.get(ext)
        if active is not None:
            raise AssetTypeNotAllowedError(
                f"{key} is {active}, which a browser would run as part of the school's site, "
                f"so it is not published. {_INSTEAD[active]} {_ALLOWED_SUMMARY}"
            )
        what = f"'.{ext}'" if ext else "no extension"
        raise AssetTypeNotAllowedError(
            f"{key} has {what} in its name, which is not a type the site publishes. "
            f"{_ALLOWED_SUMMARY} Save the file as one of these (a document as PDF, a "
            "picture as PNG or JPEG) and upload it with the matching ending, like .pdf or .png."
        )
    if not kind.sniff(data):
        found = next((other.label for other in ASSET_TYPES if other.sniff(data)), None)
        actually = f"its content is a {found}" if found else "its content is not that kind of file"
        endings = " or ".join(f".{e}" for e in (_extensions(found) if found else ()))
        fix = (
            f"Rename it to end in {endings}"
            if endings
            else f"Open it and export it again as a {kind.label}"
        )
        raise AssetTypeNotAllowedError(
            f"{key} is named as a {kind.label}, but {actually}, so it is not published "
            f"(a file whose name and content disagree could be made to run in a browser). "
            f"{fix}, then upload it again."
        )
    return kind.types[ext]


def _extensions(label: str) -> tuple[str, ...]:
    """The extensions of the allowed type called ``label`` ("PNG image" -> ("png",))."""
    return next((tuple(kind.types) for kind in ASSET_TYPES if kind.label == label), ())
