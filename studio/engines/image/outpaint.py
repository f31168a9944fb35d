"""Outpainting = inpainting on an extended canvas: the new strip is masked, the old image kept.

The UI (or CLI) builds the request with ``outpaint_request``; the engine sees an ordinary inpaint.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from studio.jobs import ImageRequest, UserError

SIDES = ("left", "right", "top", "bottom")
OVERLAP = 8  # pixels of the old image also regenerated, so the seam blends


def extend_canvas(image: np.ndarray, side: str, pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """(extended H×W×3 uint8 image, H×W uint8 mask: 255 = new area + a small overlap).

    The new strip is filled by stretching the edge pixels outwards (a neutral start that keeps
    the colours at the seam; the sampler replaces it).
    """
    if side not in SIDES:
        raise UserError(f"Outpaint side must be one of {', '.join(SIDES)}.")
    if pixels <= 0:
        raise UserError("Outpaint by at least one pixel.")
    pixels = (pixels + 7) // 8 * 8  # keep the canvas on the latent grid
    img = np.asarray(image, dtype=np.uint8)[..., :3]
    h, w = img.shape[:2]
    pad = {"left": ((0, 0), (pixels, 0)), "right": ((0, 0), (0, pixels)),
           "top": ((pixels, 0), (0, 0)), "bottom": ((0, pixels), (0, 0))}[side]
    extended = np.pad(img, pad + ((0, 0),), mode="edge")
    mask = np.zeros(extended.shape[:2], np.uint8)
    o = min(OVERLAP, h if side in ("top", "bottom") else w)
    if side == "left":
        mask[:, : pixels + o] = 255
    elif side == "right":
        mask[:, w - o:] = 255
    elif side == "top":
        mask[: pixels + o] = 255
    else:
        mask[h - o:] = 255
    return extended, mask


def outpaint_request(image: np.ndarray, side: str, pixels: int, prompt: str, **kw: Any) -> ImageRequest:
    """An inpaint ImageRequest that grows `image` by `pixels` on `side` (full strength by default)."""
    extended, mask = extend_canvas(image, side, pixels)
    kw.setdefault("strength", 1.0)
    return ImageRequest(prompt=prompt, init_image=extended, mask=mask, width=extended.shape[1],
                        height=extended.shape[0], **kw)
