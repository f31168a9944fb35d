"""Small shared helpers: numpy ↔ Pillow, JSON for parameter dicts."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from PIL import Image


def to_pil(image: Any) -> Image.Image:
    """A Pillow image from an H×W(×3|×4) uint8 array or a Pillow image."""
    if isinstance(image, Image.Image):
        return image
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise ValueError(f"images must be uint8, not {arr.dtype}")
    if arr.ndim == 2:
        return Image.fromarray(arr, "L")
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        return Image.fromarray(np.ascontiguousarray(arr), "RGB" if arr.shape[2] == 3 else "RGBA")
    raise ValueError(f"an image must be H×W, H×W×3 or H×W×4, not {arr.shape}")


def params_json(params: dict[str, Any]) -> str:
    """Exact, readable JSON of a parameter dict (UTF-8 kept as is)."""
    return json.dumps(params, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True
