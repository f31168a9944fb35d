"""What a generation job does to the canvas: the region it reads, and how its images land. Qt-free.

txt2img results land at the top-left corner; inpaint, "generate into selection" and outpaint
read a crop around the area (with some surrounding context) and their results come back as new
layers over that crop whose alpha is the mask, so the original pixels are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from studio.canvas import Document, Rect
from studio.jobs import UserError

CONTEXT = 32  # pixels of surrounding picture the model sees around a masked area
MIN_SIDE = 64
SIZE_STEP = 64  # generated sizes are multiples of this (SD needs 8; some small UNets need 64)


@dataclass(frozen=True, eq=False)
class JobTarget:
    kind: str  # "txt2img" | "img2img" | "inpaint" | "selection" | "outpaint"
    rect: Rect | None  # canvas area the result covers; None = at (0, 0), its own size
    mask: np.ndarray | None = None  # rect-sized uint8 alpha for the result layer (None = opaque)
    label: str = ""


def _round_up(n: int, step: int = SIZE_STEP) -> int:
    return max(step, (n + step - 1) // step * step)


def context_rect(doc: Document, area: Rect, context: int = CONTEXT) -> Rect:
    """`area` grown by `context` on each side (and to at least MIN_SIDE), kept inside the canvas."""
    r = Rect(area.x0 - context, area.y0 - context, area.x1 + context, area.y1 + context)
    for _ in range(2):
        # grow to a multiple of SIZE_STEP (at least MIN_SIDE) so the model needs no rescaling
        want_w = max(MIN_SIDE, _round_up(r.width))
        want_h = max(MIN_SIDE, _round_up(r.height))
        if r.width < want_w:
            grow = want_w - r.width
            r = Rect(r.x0 - grow // 2, r.y0, r.x1 + grow - grow // 2, r.y1)
        if r.height < want_h:
            grow = want_h - r.height
            r = Rect(r.x0, r.y0 - grow // 2, r.x1, r.y1 + grow - grow // 2)
        # slide back inside the canvas before clipping, to keep the size where possible
        dx = max(0, -r.x0) - max(0, r.x1 - doc.width)
        dy = max(0, -r.y0) - max(0, r.y1 - doc.height)
        r = r.shifted(dx, dy).intersect(doc.bounds)
    return r


def masked_job(doc: Document, mask: np.ndarray, kind: str, label: str) -> tuple[dict, JobTarget]:
    """Request fields (init_image, mask, width, height) and the target for a masked generation.

    `mask` is canvas-sized uint8 (255 = regenerate).
    """
    ys = np.flatnonzero(mask.any(axis=1))
    if ys.size == 0:
        raise UserError("Paint a mask (or select an area) first: there is nothing to regenerate.")
    xs = np.flatnonzero(mask.any(axis=0))
    area = Rect(int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)
    crop = context_rect(doc, area)
    init = doc.flatten(rect=crop)  # only the crop is composited (cheap on 4096² canvases)
    m = np.ascontiguousarray(mask[crop.slices()])
    fields = dict(init_image=np.ascontiguousarray(init), mask=m,
                  width=_round_up(crop.width), height=_round_up(crop.height))
    return fields, JobTarget(kind, crop, m, label)


def whole_canvas_job(doc: Document, label: str) -> tuple[dict, JobTarget]:
    """img2img of the whole visible canvas."""
    fields = dict(init_image=doc.flatten(), width=_round_up(doc.width), height=_round_up(doc.height))
    return fields, JobTarget("img2img", doc.bounds, None, label)


def result_layer(image: np.ndarray, target: JobTarget) -> tuple[np.ndarray, int, int]:
    """(RGBA pixels, x, y) of the layer a result image becomes."""
    image = np.asarray(image, np.uint8)
    if target.rect is None:
        rgba = np.empty(image.shape[:2] + (4,), np.uint8)
        rgba[..., :3] = image[..., :3]
        rgba[..., 3] = 255
        return rgba, 0, 0
    r = target.rect
    if image.shape[:2] != (r.height, r.width):
        image = np.array(Image.fromarray(image[..., :3]).resize((r.width, r.height), Image.LANCZOS))
    rgba = np.empty((r.height, r.width, 4), np.uint8)
    rgba[..., :3] = image[..., :3]
    rgba[..., 3] = 255 if target.mask is None else target.mask
    return rgba, r.x0, r.y0
