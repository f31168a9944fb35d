"""Layers, mask, selection and compositing. Plain numpy; no Qt.

Pixels are straight-alpha RGBA uint8. A layer has its own size and an offset on the canvas, so
moving, cropping and resizing the canvas never destroy pixels. The mask (255 = regenerate) and
the selection (bool) are canvas-sized.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from studio.jobs import UserError

MAX_SIDE = 16384  # 16k × 16k RGBA is 1 GiB per layer: anything beyond is a mistake

_layer_ids = itertools.count(1)


class Rect(NamedTuple):
    """Half-open pixel rectangle [x0, x1) × [y0, y1)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return max(0, self.x1 - self.x0)

    @property
    def height(self) -> int:
        return max(0, self.y1 - self.y0)

    @property
    def empty(self) -> bool:
        return self.x1 <= self.x0 or self.y1 <= self.y0

    def intersect(self, other: "Rect") -> "Rect":
        return Rect(max(self.x0, other.x0), max(self.y0, other.y0),
                    min(self.x1, other.x1), min(self.y1, other.y1))

    def union(self, other: "Rect | None") -> "Rect":
        if other is None or other.empty:
            return self
        if self.empty:
            return other
        return Rect(min(self.x0, other.x0), min(self.y0, other.y0),
                    max(self.x1, other.x1), max(self.y1, other.y1))

    def shifted(self, dx: int, dy: int) -> "Rect":
        return Rect(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def slices(self) -> tuple[slice, slice]:
        return slice(self.y0, self.y1), slice(self.x0, self.x1)


@dataclass(eq=False)
class Layer:
    name: str
    rgba: np.ndarray  # h×w×4 uint8, straight alpha
    x: int = 0
    y: int = 0
    opacity: float = 1.0
    visible: bool = True
    id: int = field(default_factory=lambda: next(_layer_ids))

    @property
    def bounds(self) -> Rect:
        h, w = self.rgba.shape[:2]
        return Rect(self.x, self.y, self.x + w, self.y + h)

    @classmethod
    def blank(cls, width: int, height: int, name: str) -> "Layer":
        return cls(name, np.zeros((height, width, 4), np.uint8))

    @classmethod
    def from_image(cls, image: np.ndarray, name: str, x: int = 0, y: int = 0) -> "Layer":
        return cls(name, to_rgba(image), x, y)


def to_rgba(image: np.ndarray) -> np.ndarray:
    """H×W (grey), H×W×3 or H×W×4 uint8 → a fresh H×W×4 uint8 array."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise UserError("Images must be 8-bit (uint8) pixels.")
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise UserError(f"An image of shape {image.shape} is not RGB or RGBA.")
    if image.shape[2] == 4:
        return np.ascontiguousarray(image).copy()
    return np.concatenate([image, np.full(image.shape[:2] + (1,), 255, np.uint8)], axis=2)


def check_size(width: int, height: int) -> None:
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise UserError(f"A canvas must be between 1 and {MAX_SIDE} pixels on each side "
                        f"(asked for {width}×{height}).")


class Document:
    """The image being edited. Mutated only through ``studio.canvas.ops`` so every change can be undone."""

    def __init__(self, width: int, height: int, layers: list[Layer] | None = None) -> None:
        check_size(width, height)
        self.width = width
        self.height = height
        self.layers: list[Layer] = layers if layers is not None else [
            Layer.blank(width, height, "Background")]
        self.active_id: int | None = self.layers[-1].id if self.layers else None
        self.mask = np.zeros((height, width), np.uint8)  # 255 = regenerate
        self.selection: np.ndarray | None = None  # bool H×W, None = everything

    # ── lookups ──
    @property
    def bounds(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    def layer(self, layer_id: int) -> Layer:
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(layer_id)

    def index_of(self, layer_id: int) -> int:
        for i, layer in enumerate(self.layers):
            if layer.id == layer_id:
                return i
        raise KeyError(layer_id)

    @property
    def active(self) -> Layer | None:
        if self.active_id is None:
            return None
        try:
            return self.layer(self.active_id)
        except KeyError:
            return None

    def selection_bounds(self) -> Rect | None:
        if self.selection is None:
            return None
        ys = np.flatnonzero(self.selection.any(axis=1))
        if ys.size == 0:
            return None
        xs = np.flatnonzero(self.selection.any(axis=0))
        return Rect(int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)

    def mask_bounds(self) -> Rect | None:
        ys = np.flatnonzero(self.mask.any(axis=1))
        if ys.size == 0:
            return None
        xs = np.flatnonzero(self.mask.any(axis=0))
        return Rect(int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)

    def copy(self, pixels: bool = True) -> "Document":
        """A snapshot another thread can encode while editing goes on.

        With `pixels=False` the layer arrays are shared, not copied: no memory is doubled, and
        the arrays stay valid (edits that replace an array leave the old one to the snapshot),
        but a stroke made during the encoding may show in it half-done.
        """
        take = (lambda a: a.copy()) if pixels else (lambda a: a)
        layers = [Layer(l.name, take(l.rgba), l.x, l.y, l.opacity, l.visible, l.id) for l in self.layers]
        doc = Document(self.width, self.height, layers)
        doc.active_id = self.active_id
        doc.mask = take(self.mask)
        doc.selection = None if self.selection is None else self.selection.copy()
        return doc

    # ── compositing ──
    def composite(self, rect: Rect | None = None, layers: list[Layer] | None = None) -> np.ndarray:
        """Premultiplied RGBA float32 (0..1) of the visible layers inside `rect` (canvas coords)."""
        rect = (rect or self.bounds).intersect(self.bounds)
        acc = np.zeros((rect.height, rect.width, 4), np.float32)
        for layer in self.visible_stack(rect, layers):
            over(acc, rect, layer)
        return acc

    def visible_stack(self, rect: Rect, layers: list[Layer] | None = None) -> list[Layer]:
        """The layers that can show inside `rect`, bottom first: visible, not fully transparent
        there, and not under an opaque layer that covers the whole rect."""
        stack = [l for l in (self.layers if layers is None else layers) if l.visible and l.opacity > 0]
        for i in range(len(stack) - 1, 0, -1):
            if covers_opaque(stack[i], rect):
                stack = stack[i:]
                break
        out = []
        for l in stack:
            inter = rect.intersect(l.bounds)
            if not inter.empty and l.rgba[inter.shifted(-l.x, -l.y).slices() + (3,)].any():
                out.append(l)
        return out

    def render_premultiplied(self, out: np.ndarray, rect: Rect | None = None) -> None:
        """Write the composite of `rect` into `out` (canvas-sized H×W×4 uint8, premultiplied).

        Works in bands so a 4096² refresh never allocates a full-size float buffer.
        """
        rect = (rect or self.bounds).intersect(self.bounds)
        for y in range(rect.y0, rect.y1, 256):
            band = Rect(rect.x0, y, rect.x1, min(rect.y1, y + 256))
            stack = self.visible_stack(band)
            if not stack:
                out[band.slices()] = 0
            elif len(stack) == 1 and covers_opaque(stack[0], band):
                # one opaque layer: its pixels are already the premultiplied result
                out[band.slices()] = stack[0].rgba[band.shifted(-stack[0].x, -stack[0].y).slices()]
            else:
                acc = np.zeros((band.height, band.width, 4), np.float32)
                for layer in stack:
                    over(acc, band, layer)
                out[band.slices()] = (acc * 255 + 0.5).astype(np.uint8)

    def flatten_rgba(self, layers: list[Layer] | None = None) -> np.ndarray:
        """Straight-alpha RGBA uint8 of the whole canvas."""
        acc = self.composite(self.bounds, layers)
        return premul_to_straight(acc)

    def flatten(self, background: tuple[int, int, int] = (255, 255, 255),
                rect: Rect | None = None) -> np.ndarray:
        """H×W×3 uint8 of the visible layers in `rect` (default: all) over an opaque background
        (what generation sees)."""
        acc = self.composite(rect)
        bg = np.asarray(background, np.float32) / 255
        rgb = acc[..., :3] + bg * (1 - acc[..., 3:4])
        return (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)


def covers_opaque(layer: Layer, rect: Rect) -> bool:
    """True when `layer` hides everything below it inside `rect`."""
    if layer.opacity < 1.0 or layer.bounds.intersect(rect) != rect:
        return False
    return bool((layer.rgba[rect.shifted(-layer.x, -layer.y).slices() + (3,)] == 255).all())


def over(acc: np.ndarray, rect: Rect, layer: Layer) -> None:
    """Composite `layer` over the premultiplied float buffer `acc` that covers `rect`."""
    inter = rect.intersect(layer.bounds)
    if inter.empty:
        return
    pixels = layer.rgba[inter.shifted(-layer.x, -layer.y).slices()]
    if not pixels[..., 3].any():
        return  # fully transparent here (a fresh layer): skip the float work
    src = pixels.astype(np.float32) * (1 / 255)
    a = src[..., 3:4] * layer.opacity
    dst = acc[inter.shifted(-rect.x0, -rect.y0).slices()]
    dst *= 1 - a
    dst[..., :3] += src[..., :3] * a
    dst[..., 3:] += a


def premul_to_straight(acc: np.ndarray) -> np.ndarray:
    a = acc[..., 3:4]
    rgb = np.where(a > 0, acc[..., :3] / np.maximum(a, 1e-6), 0)
    out = np.empty(acc.shape, np.uint8)
    out[..., :3] = (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)
    out[..., 3:] = (np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8)
    return out
