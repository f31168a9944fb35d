"""JPEG and WebP with the recipe in EXIF.

The A1111 text goes to ``UserComment`` (``UNICODE\\0`` + UTF-16BE, as A1111 writes it via
piexif) so other tools read it; Studio's exact JSON goes to ``MakerNote`` prefixed ``studio\\0``.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from exporters._image import params_json, to_pil
from exporters.a1111 import format_parameters

EXIF_IFD = 0x8769
USER_COMMENT = 0x9286
MAKER_NOTE = 0x927C
SOFTWARE = 0x0131
STUDIO_PREFIX = b"studio\0"


def exif_for(params: dict[str, Any] | None) -> Image.Exif:
    exif = Image.Exif()
    exif[SOFTWARE] = "Studio"
    if params:
        ifd = exif.get_ifd(EXIF_IFD)
        ifd[USER_COMMENT] = b"UNICODE\0" + format_parameters(params).encode("utf-16-be")
        ifd[MAKER_NOTE] = STUDIO_PREFIX + params_json(params).encode("utf-8")
    return exif


def decode_user_comment(raw: bytes | str) -> str:
    """The text of an EXIF UserComment (ASCII, UNICODE in either byte order, or bare bytes)."""
    if isinstance(raw, str):
        return raw
    head, body = raw[:8], raw[8:]
    if head == b"UNICODE\0":
        # piexif writes big-endian; some tools little-endian. ASCII-heavy text tells which.
        be = body[0::2].count(0) if len(body) > 1 else 0
        le = body[1::2].count(0) if len(body) > 1 else 0
        return body.decode("utf-16-le" if le > be else "utf-16-be", errors="replace")
    if head in (b"ASCII\0\0\0", b"\0" * 8):
        return body.decode("utf-8", errors="replace").rstrip("\0")
    return raw.decode("utf-8", errors="replace").rstrip("\0")


def _rgb(image: Any) -> Image.Image:
    im = to_pil(image)
    if im.mode in ("RGBA", "LA", "P"):
        # No alpha in JPEG: composite over white rather than dropping it to black.
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(bg, rgba).convert("RGB")
    return im.convert("RGB")


def encode_jpeg(image: Any, params: dict[str, Any] | None = None, *, quality: int = 92) -> bytes:
    if not 1 <= quality <= 100:
        raise ValueError("JPEG quality runs from 1 to 100")
    buf = io.BytesIO()
    _rgb(image).save(buf, "JPEG", quality=quality, exif=exif_for(params), subsampling=0 if quality >= 90 else 2)
    return buf.getvalue()


def encode_webp(image: Any, params: dict[str, Any] | None = None, *, quality: int = 90,
                lossless: bool = False) -> bytes:
    if not 0 <= quality <= 100:
        raise ValueError("WebP quality runs from 0 to 100")
    im = to_pil(image)
    if im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGBA" if "A" in im.mode else "RGB")
    buf = io.BytesIO()
    im.save(buf, "WEBP", quality=quality, lossless=lossless, exif=exif_for(params), method=4)
    return buf.getvalue()
