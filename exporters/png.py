"""PNG with the recipe inside: an A1111 ``parameters`` chunk plus a ``studio`` JSON chunk.

Latin-1 text goes to tEXt (what older readers expect); anything else (Chinese, emoji) to
UTF-8 iTXt, as the PNG spec requires.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import PngImagePlugin

from exporters._image import latin1, params_json, to_pil
from exporters.a1111 import format_parameters

STUDIO_KEY = "studio"
A1111_KEY = "parameters"


def png_info(params: dict[str, Any] | None) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    if params:
        for key, text in ((A1111_KEY, format_parameters(params)), (STUDIO_KEY, params_json(params))):
            if latin1(text):
                info.add_text(key, text)
            else:
                info.add_itxt(key, text)
    return info


def encode_png(image: Any, params: dict[str, Any] | None = None, *, compress_level: int = 6) -> bytes:
    """PNG bytes of an H×W×3/×4 uint8 image (or Pillow image) with the parameter chunks."""
    buf = io.BytesIO()
    to_pil(image).save(buf, "PNG", pnginfo=png_info(params), compress_level=compress_level)
    return buf.getvalue()
