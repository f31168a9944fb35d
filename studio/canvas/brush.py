"""Round brush dabs stamped along a stroke, on a layer (paint / erase) or on the mask.

Each dab touches only its own small rectangle, so a stroke costs the same on a 4096² canvas as
on a 512² one. Dabs are spaced at a fraction of the diameter for a smooth line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from studio.canvas.document import Rect


@dataclass(frozen=True)
class Brush:
    size: float = 24.0  # diameter in canvas pixels
    hardness: float = 0.8  # 0 = soft edge, 1 = hard edge
    color: tuple[int, int, int] = (0, 0, 0)
    opacity: float = 1.0  # per dab
    erase: bool = False
    spacing: float = 0.15  # dab distance as a fraction of the diameter


@lru_cache(maxsize=256)
def dab_alpha(size: float, hardness: float, fx: int, fy: int) -> np.ndarray:
    """Coverage (float32 0..1) of a dab whose centre sits at fraction (fx/4, fy/4) of a pixel."""
    r = max(size / 2, 0.5)
    n = int(math.ceil(r * 2)) + 2
    c = n / 2 - 0.5
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    d = np.hypot(xx - c - fx / 4 + 0.5, yy - c - fy / 4 + 0.5)
    edge = np.clip(r - d + 0.5, 0, 1)  # anti-aliased rim
    h = min(max(hardness, 0.0), 0.999)
    inner = r * h
    soft = np.clip((r - d) / max(r - inner, 1e-3), 0, 1)
    soft = soft * soft * (3 - 2 * soft)  # smoothstep falloff
    return (np.minimum(edge, soft) if h < 0.999 else edge).astype(np.float32)


def dab_at(x: float, y: float, brush: Brush) -> tuple[Rect, np.ndarray]:
    """The canvas rectangle a dab centred at (x, y) covers, and its coverage."""
    ix, iy = math.floor(x), math.floor(y)
    alpha = dab_alpha(float(brush.size), float(brush.hardness),
                      int((x - ix) * 4), int((y - iy) * 4))
    n = alpha.shape[0]
    x0, y0 = ix - n // 2 + 1, iy - n // 2 + 1
    return Rect(x0, y0, x0 + n, y0 + n), alpha


def dab_centres(p0: tuple[float, float], p1: tuple[float, float], brush: Brush,
                since_last: float = 0.0) -> tuple[list[tuple[float, float]], float]:
    """Dab positions after p0 up to p1, given the distance travelled since the last dab.

    Returns the positions and the new distance since the last dab (for the next segment).
    """
    step = max(1.0, brush.size * brush.spacing)
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    dist = math.hypot(dx, dy)
    out = []
    t = max(0.0, step - since_last)
    while t <= dist and dist > 0:
        out.append((p0[0] + dx * t / dist, p0[1] + dy * t / dist))
        t += step
    return out, (dist - (t - step)) if out else since_last + dist


def stamp_rgba(rgba: np.ndarray, origin: tuple[int, int], rect: Rect, alpha: np.ndarray,
               brush: Brush, clip: np.ndarray | None = None) -> Rect:
    """Stamp one dab (canvas `rect`, coverage `alpha`) onto a layer at canvas `origin`.

    `clip` is the selection (canvas-sized bool) or None. Returns the changed canvas rect.
    """
    h, w = rgba.shape[:2]
    lr = rect.shifted(-origin[0], -origin[1]).intersect(Rect(0, 0, w, h))
    if lr.empty:
        return Rect(0, 0, 0, 0)
    a = alpha[lr.y0 - (rect.y0 - origin[1]):lr.y1 - (rect.y0 - origin[1]),
              lr.x0 - (rect.x0 - origin[0]):lr.x1 - (rect.x0 - origin[0])] * brush.opacity
    changed = lr.shifted(origin[0], origin[1])
    if clip is not None:
        cr = changed.intersect(Rect(0, 0, clip.shape[1], clip.shape[0]))
        if cr != changed:  # parts of the layer outside the canvas are never selected
            sel = np.zeros((changed.height, changed.width), bool)
            sel[cr.shifted(-changed.x0, -changed.y0).slices()] = clip[cr.slices()]
        else:
            sel = clip[changed.slices()]
        a = a * sel
    dst = rgba[lr.slices()]
    a = a[..., None]
    da = dst[..., 3:4].astype(np.float32) * (1 / 255)
    if brush.erase:
        dst[..., 3:4] = (da * (1 - a) * 255 + 0.5).astype(np.uint8)
        return changed
    out_a = a + da * (1 - a)
    col = np.asarray(brush.color, np.float32) * (1 / 255)
    rgb = (col * a + dst[..., :3].astype(np.float32) * (1 / 255) * da * (1 - a)) / np.maximum(out_a, 1e-6)
    dst[..., :3] = (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)
    dst[..., 3:4] = (out_a * 255 + 0.5).astype(np.uint8)
    return changed


def stamp_mask(mask: np.ndarray, rect: Rect, alpha: np.ndarray, brush: Brush) -> Rect:
    """Paint (or erase) one dab into the canvas-sized uint8 mask."""
    h, w = mask.shape
    cr = rect.intersect(Rect(0, 0, w, h))
    if cr.empty:
        return cr
    a = alpha[cr.shifted(-rect.x0, -rect.y0).slices()] * brush.opacity
    m = mask[cr.slices()].astype(np.float32)
    m = m * (1 - a) if brush.erase else m + (255 - m) * a
    mask[cr.slices()] = (m + 0.5).astype(np.uint8)
    return cr
