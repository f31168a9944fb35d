"""Small JPEG thumbnails for the history grid (stored in the database, a few KB each)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

THUMB_SIZE = 192  # longest side in pixels; the grid shows them at 128 and scales up to HiDPI


def make_thumbnail(image: np.ndarray, size: int = THUMB_SIZE, quality: int = 82) -> bytes:
    im = Image.fromarray(np.ascontiguousarray(image))
    if im.mode != "RGB":
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, rgba).convert("RGB")
    im.thumbnail((size, size), Image.Resampling.LANCZOS if max(im.size) > 2 * size else Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()
