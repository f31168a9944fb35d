"""Pixel regions as boolean masks: rectangle and lasso selections, and the flood-fill region."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from studio.canvas.document import Rect


def rect_region(width: int, height: int, rect: Rect) -> np.ndarray:
    sel = np.zeros((height, width), bool)
    sel[rect.intersect(Rect(0, 0, width, height)).slices()] = True
    return sel


def lasso_region(width: int, height: int, points: list[tuple[float, float]]) -> np.ndarray:
    """Inside of the closed polygon through `points` (canvas coords), even-odd rule."""
    img = Image.new("1", (width, height), 0)
    if len(points) >= 3:
        ImageDraw.Draw(img).polygon([(float(x), float(y)) for x, y in points], fill=1, outline=1)
    return np.array(img, dtype=bool)


def flood_region(rgba: np.ndarray, x: int, y: int, tolerance: int = 32) -> np.ndarray:
    """The 4-connected area around (x, y) whose colour is within `tolerance` of the seed's.

    Scanline fill: each run of a row is found with numpy, so big simple areas cost a few
    thousand numpy calls rather than a Python loop over pixels.
    """
    h, w = rgba.shape[:2]
    region = np.zeros((h, w), bool)
    if not (0 <= x < w and 0 <= y < h):
        return region
    seed = rgba[y, x].astype(np.int16)
    similar = (np.abs(rgba.astype(np.int16) - seed).max(axis=2) <= tolerance)
    stack = [(x, y)]
    while stack:
        sx, sy = stack.pop()
        row_ok = similar[sy] & ~region[sy]
        if not row_ok[sx]:
            continue
        # extend left and right from the seed over similar, unfilled pixels
        left = np.flatnonzero(~row_ok[:sx + 1][::-1])
        x0 = sx - left[0] + 1 if left.size else 0
        right = np.flatnonzero(~row_ok[sx:])
        x1 = sx + right[0] if right.size else w
        region[sy, x0:x1] = True
        for ny in (sy - 1, sy + 1):
            if 0 <= ny < h:
                cand = similar[ny, x0:x1] & ~region[ny, x0:x1]
                if cand.any():
                    # one seed per run of candidates
                    starts = np.flatnonzero(np.diff(np.concatenate(([0], cand.view(np.int8)))) == 1)
                    stack.extend((x0 + int(s), ny) for s in starts)
    return region
