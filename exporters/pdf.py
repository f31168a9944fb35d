"""PDF of images: one image per page, or a contact sheet of a selection (Pillow, no Qt).

Pages hold the pictures as JPEG (quality setting); the recipe goes into the document's
Subject (the A1111 text of each image, separated by blank lines) so it is not lost.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any, Sequence

from PIL import Image, ImageDraw, ImageFont

from exporters._image import to_pil
from exporters.a1111 import format_parameters

A4_150DPI = (1240, 1754)
# Fonts with CJK coverage first, so Chinese captions do not turn into boxes.
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def _flat_rgb(image: Any) -> Image.Image:
    im = to_pil(image)
    if "A" in im.mode or im.mode == "P":
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(bg, rgba).convert("RGB")
    return im.convert("RGB")


def _subject(params: Sequence[dict | None] | None) -> str:
    return "\n\n".join(format_parameters(p) for p in (params or []) if p)


def _save(pages: list[Image.Image], *, title: str, subject: str, dpi: float, quality: int) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=dpi, title=title,
                  subject=subject, creator="Studio", producer="Studio", quality=quality)
    return buf.getvalue()


def encode_pdf_pages(images: Sequence[Any], params: Sequence[dict | None] | None = None, *,
                     title: str = "", dpi: float = 150.0, quality: int = 95) -> bytes:
    """One page per image, each page exactly the image's size at ``dpi``."""
    if not images:
        raise ValueError("a PDF needs at least one image")
    return _save([_flat_rgb(im) for im in images], title=title, subject=_subject(params), dpi=dpi,
                 quality=quality)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for path in _FONT_CANDIDATES:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default(size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def encode_contact_sheet(images: Sequence[Any], captions: Sequence[str] | None = None, *,
                         columns: int = 4, page_size: tuple[int, int] = A4_150DPI, title: str = "",
                         params: Sequence[dict | None] | None = None, quality: int = 90) -> bytes:
    """A grid of the images with a one-line caption under each, as many pages as needed."""
    if not images:
        raise ValueError("a contact sheet needs at least one image")
    columns = max(1, columns)
    pw, ph = page_size
    margin, gap, caption_h = 48, 24, 28
    cell = (pw - 2 * margin - (columns - 1) * gap) // columns
    rows = max(1, (ph - 2 * margin + gap) // (cell + caption_h + gap))
    per_page = rows * columns
    font = _font(16)
    pages = []
    for p in range(math.ceil(len(images) / per_page)):
        page = Image.new("RGB", page_size, "white")
        draw = ImageDraw.Draw(page)
        for k, i in enumerate(range(p * per_page, min(len(images), (p + 1) * per_page))):
            r, c = divmod(k, columns)
            x = margin + c * (cell + gap)
            y = margin + r * (cell + caption_h + gap)
            im = _flat_rgb(images[i])
            im.thumbnail((cell, cell), Image.Resampling.LANCZOS)
            page.paste(im, (x + (cell - im.width) // 2, y + (cell - im.height) // 2))
            if captions and i < len(captions) and captions[i]:
                draw.text((x, y + cell + 4), _fit(draw, captions[i], font, cell), fill="black", font=font)
        pages.append(page)
    return _save(pages, title=title, subject=_subject(params), dpi=150.0, quality=quality)
