"""Operations on a document, as plain data. ``op.apply(doc, mem)`` changes the document and
returns the ``Edit`` that undoes it (or None when nothing changed).

The UI builds these from mouse and menu actions; tests and scripts build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from studio.canvas.brush import Brush, dab_at, dab_centres, stamp_mask, stamp_rgba
from studio.canvas.document import Document, Layer, Rect, check_size, to_rgba
from studio.canvas.edits import (MASK, CanvasSizeEdit, CompoundEdit, Edit, LayerListEdit,
                                 LayerPixelsEdit, LayerPropsEdit, SelectionEdit, TileRecorder)
from studio.canvas.regions import flood_region
from studio.canvas.undo_memory import UndoMemory
from studio.jobs import UserError

ANCHORS = {  # anchor → (fraction of the added width put on the left, of the height on top)
    "top-left": (0, 0), "top": (0.5, 0), "top-right": (1, 0),
    "left": (0, 0.5), "center": (0.5, 0.5), "right": (1, 0.5),
    "bottom-left": (0, 1), "bottom": (0.5, 1), "bottom-right": (1, 1),
}


def _list_edit(label: str, doc: Document, before: list[Layer], active_before: int | None,
               mem: UndoMemory) -> Edit:
    return LayerListEdit(label, before, list(doc.layers), mem, active_before, doc.active_id)


class Stroke:
    """A brush stroke being drawn: feed points as the mouse moves, then ``finish()``.

    Paints on a layer (``target`` = layer id) or on the mask (``target`` = MASK); only the tiles
    it touches are saved for undo.
    """

    def __init__(self, doc: Document, target: int, brush: Brush, mem: UndoMemory) -> None:
        self.doc, self.target, self.brush = doc, target, brush
        self.recorder = TileRecorder(doc, target, mem)
        self._last: tuple[float, float] | None = None
        self._since = 0.0

    def add(self, x: float, y: float) -> Rect:
        """Extend the stroke to canvas point (x, y); returns the canvas rect that changed."""
        if self._last is None:
            points = [(x, y)]
        else:
            points, self._since = dab_centres(self._last, (x, y), self.brush, self._since)
        self._last = (x, y)
        dirty = Rect(0, 0, 0, 0)
        for px, py in points:
            dirty = self._dab(px, py).union(dirty)
        return dirty

    def _dab(self, x: float, y: float) -> Rect:
        rect, alpha = dab_at(x, y, self.brush)
        if self.target == MASK:
            self.recorder.before_change(rect)
            return stamp_mask(self.doc.mask, rect, alpha, self.brush)
        layer = self.doc.layer(self.target)
        self.recorder.before_change(rect.shifted(-layer.x, -layer.y))
        return stamp_rgba(layer.rgba, (layer.x, layer.y), rect, alpha, self.brush, self.doc.selection)

    def finish(self) -> Edit | None:
        label = "Paint mask" if self.target == MASK else ("Erase" if self.brush.erase else "Brush stroke")
        return self.recorder.finish(label)


@dataclass(frozen=True)
class StrokeOp:
    target: int
    brush: Brush
    points: tuple[tuple[float, float], ...]

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        s = Stroke(doc, self.target, self.brush, mem)
        for x, y in self.points:
            s.add(x, y)
        return s.finish()


@dataclass(frozen=True)
class AddLayer:
    name: str
    image: np.ndarray | None = field(default=None, compare=False)  # None = transparent, canvas-sized
    x: int = 0
    y: int = 0
    index: int | None = None  # None = above the active layer

    def apply(self, doc: Document, mem: UndoMemory) -> Edit:
        before, active = list(doc.layers), doc.active_id
        layer = (Layer.blank(doc.width, doc.height, self.name) if self.image is None
                 else Layer.from_image(self.image, self.name, self.x, self.y))
        if self.index is not None:
            idx = self.index
        else:
            idx = doc.index_of(active) + 1 if doc.active is not None else len(doc.layers)
        doc.layers.insert(max(0, min(idx, len(doc.layers))), layer)
        doc.active_id = layer.id
        return _list_edit("Add layer", doc, before, active, mem)


@dataclass(frozen=True)
class RemoveLayer:
    layer_id: int

    def apply(self, doc: Document, mem: UndoMemory) -> Edit:
        before, active = list(doc.layers), doc.active_id
        idx = doc.index_of(self.layer_id)
        doc.layers.pop(idx)
        if doc.active_id == self.layer_id:
            doc.active_id = doc.layers[max(0, idx - 1)].id if doc.layers else None
        return _list_edit("Delete layer", doc, before, active, mem)


@dataclass(frozen=True)
class MoveLayer:
    """Move a layer to `index` in the stack (0 = bottom)."""

    layer_id: int
    index: int

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        before = list(doc.layers)
        idx = doc.index_of(self.layer_id)
        new = max(0, min(self.index, len(doc.layers) - 1))
        if new == idx:
            return None
        doc.layers.insert(new, doc.layers.pop(idx))
        return _list_edit("Reorder layers", doc, before, doc.active_id, mem)


@dataclass(frozen=True)
class SetLayerProps:
    layer_id: int
    name: str | None = None
    opacity: float | None = None
    visible: bool | None = None

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        layer = doc.layer(self.layer_id)
        after = {k: v for k, v in (("name", self.name), ("opacity", self.opacity),
                                   ("visible", self.visible)) if v is not None}
        if "opacity" in after:
            after["opacity"] = float(min(1.0, max(0.0, after["opacity"])))
        before = {k: getattr(layer, k) for k in after}
        if before == after:
            return None
        for k, v in after.items():
            setattr(layer, k, v)
        label = {"name": "Rename layer", "opacity": "Layer opacity", "visible": "Show/hide layer"}
        return LayerPropsEdit(label[next(iter(after))], self.layer_id, before, after)


@dataclass(frozen=True)
class MergeDown:
    """Merge a layer into the one below it; the result keeps the lower layer's name."""

    layer_id: int

    def apply(self, doc: Document, mem: UndoMemory) -> Edit:
        idx = doc.index_of(self.layer_id)
        if idx == 0:
            raise UserError("The bottom layer has nothing below it to merge into.")
        before, active = list(doc.layers), doc.active_id
        lower, upper = doc.layers[idx - 1], doc.layers[idx]
        bounds = lower.bounds.union(upper.bounds if upper.visible else None)
        acc = np.zeros((bounds.height, bounds.width, 4), np.float32)
        from studio.canvas.document import over, premul_to_straight

        for layer in (lower, upper):
            if layer.visible:
                over(acc, bounds, layer)
        merged = Layer(lower.name, premul_to_straight(acc), bounds.x0, bounds.y0,
                       1.0, lower.visible)
        doc.layers[idx - 1:idx + 1] = [merged]
        doc.active_id = merged.id
        return _list_edit("Merge down", doc, before, active, mem)


@dataclass(frozen=True)
class Fill:
    """Bucket fill at (x, y) (similar colours, 4-connected) or, with no point, the selection
    (the whole layer when nothing is selected)."""

    layer_id: int
    color: tuple[int, int, int, int]
    point: tuple[int, int] | None = None
    tolerance: int = 32

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        layer = doc.layer(self.layer_id)
        h, w = layer.rgba.shape[:2]
        if self.point is not None:
            region = flood_region(layer.rgba, self.point[0] - layer.x, self.point[1] - layer.y,
                                  self.tolerance)
        else:
            region = np.ones((h, w), bool)
        if doc.selection is not None:
            sel = np.zeros((h, w), bool)
            inter = doc.bounds.intersect(layer.bounds)
            sel[inter.shifted(-layer.x, -layer.y).slices()] = doc.selection[inter.slices()]
            region &= sel
        return fill_region(doc, self.layer_id, region, self.color, mem, "Fill")


def fill_region(doc: Document, target: int, region: np.ndarray, color, mem: UndoMemory,
                label: str) -> Edit | None:
    """Set the pixels of `region` (in the target's coordinates) to `color`."""
    ys = np.flatnonzero(region.any(axis=1))
    if ys.size == 0:
        return None
    xs = np.flatnonzero(region.any(axis=0))
    box = Rect(int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1)
    rec = TileRecorder(doc, target, mem)
    rec.before_change(box)
    array = doc.mask if target == MASK else doc.layer(target).rgba
    sub = array[box.slices()]
    where = region[box.slices()]
    if where.all():
        sub[...] = color
    else:  # copyto with a mask is several times faster than boolean indexing
        np.copyto(sub, np.asarray(color, array.dtype), where=where[..., None] if sub.ndim == 3 else where)
    return rec.finish(label)


@dataclass(frozen=True)
class SetMask:
    """Mask := the selection (or everything when `region` is given explicitly), or clear it."""

    region: np.ndarray | None = field(default=None, compare=False)  # canvas bool; None = clear
    label: str = "Set mask"

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        rec = TileRecorder(doc, MASK, mem)
        rec.before_change(doc.bounds)
        doc.mask[...] = 0
        if self.region is not None:
            doc.mask[self.region] = 255
        return rec.finish(self.label)


@dataclass(frozen=True)
class Select:
    region: np.ndarray | None = field(default=None, compare=False)  # canvas bool; None = deselect

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        if self.region is None and doc.selection is None:
            return None
        old = doc.selection
        region = None
        if self.region is not None:
            region = np.asarray(self.region, bool)
            if region.shape != (doc.height, doc.width):
                raise UserError("The selection does not match the canvas size.")
        doc.selection = region
        return SelectionEdit("Select" if region is not None else "Deselect", old, mem)


@dataclass(frozen=True)
class Transform:
    """Move by (dx, dy) and scale by `scale` a whole layer, or only the selected pixels of it.

    A whole layer keeps its pixels and changes offset when only moved; scaling resamples it.
    Selected pixels are lifted, transformed about the selection's corner and put down again.
    """

    layer_id: int
    dx: int = 0
    dy: int = 0
    scale: float = 1.0
    selection_only: bool = False

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        if self.dx == 0 and self.dy == 0 and self.scale == 1.0:
            return None
        if self.scale <= 0:
            raise UserError("The scale must be greater than zero.")
        layer = doc.layer(self.layer_id)
        old_rgba, old_xy = layer.rgba, (layer.x, layer.y)
        if self.selection_only and doc.selection is not None:
            self._move_selection(doc, layer)
            layer_edit = LayerPixelsEdit("Move selection", layer.id, old_rgba, old_xy, mem)
            sel_old = doc.selection
            doc.selection = _shift_scale_mask(doc.selection, self.dx, self.dy, self.scale,
                                              doc.selection_bounds())
            return CompoundEdit("Move selection", [layer_edit, SelectionEdit("", sel_old, mem)])
        if self.scale != 1.0:
            h, w = layer.rgba.shape[:2]
            nw, nh = max(1, round(w * self.scale)), max(1, round(h * self.scale))
            layer.rgba = resize_rgba(layer.rgba, nw, nh)
        layer.x += self.dx
        layer.y += self.dy
        return LayerPixelsEdit("Move layer" if self.scale == 1.0 else "Scale layer",
                               layer.id, old_rgba, old_xy, mem)

    def _move_selection(self, doc: Document, layer: Layer) -> None:
        box = doc.selection_bounds()
        if box is None:
            return
        # Work in canvas space: a canvas-sized copy of the layer's pixels inside the canvas.
        canvas = np.zeros((doc.height, doc.width, 4), np.uint8)
        inter = doc.bounds.intersect(layer.bounds)
        canvas[inter.slices()] = layer.rgba[inter.shifted(-layer.x, -layer.y).slices()]
        lifted = np.where(doc.selection[..., None], canvas, 0).astype(np.uint8)[box.slices()]
        base = layer.rgba.copy()
        sel_local = np.zeros(base.shape[:2], bool)
        sel_local[inter.shifted(-layer.x, -layer.y).slices()] = doc.selection[inter.slices()]
        base[sel_local] = 0
        if self.scale != 1.0:
            lifted = resize_rgba(lifted, max(1, round(box.width * self.scale)),
                                 max(1, round(box.height * self.scale)))
        h, w = lifted.shape[:2]
        dest = Rect(box.x0 + self.dx, box.y0 + self.dy, box.x0 + self.dx + w, box.y0 + self.dy + h)
        # grow the layer if the pixels land outside it, so nothing is cut off
        new_bounds = layer.bounds.union(dest)
        if new_bounds != layer.bounds:
            grown = np.zeros((new_bounds.height, new_bounds.width, 4), np.uint8)
            grown[layer.bounds.shifted(-new_bounds.x0, -new_bounds.y0).slices()] = base
            base, layer.x, layer.y = grown, new_bounds.x0, new_bounds.y0
        tmp = Layer("", lifted, dest.x0, dest.y0)
        acc = np.zeros((dest.height, dest.width, 4), np.float32)
        from studio.canvas.document import over, premul_to_straight

        region = dest.shifted(-layer.x, -layer.y)
        over(acc, dest, Layer("", base[region.slices()], dest.x0, dest.y0))
        over(acc, dest, tmp)
        base[region.slices()] = premul_to_straight(acc)
        layer.rgba = base


def _shift_scale_mask(mask: np.ndarray, dx: int, dy: int, scale: float, box: Rect | None) -> np.ndarray:
    out = np.zeros_like(mask)
    if box is None:
        return out
    part = mask[box.slices()]
    if scale != 1.0:
        img = Image.fromarray(part.astype(np.uint8) * 255)
        img = img.resize((max(1, round(box.width * scale)), max(1, round(box.height * scale))),
                         Image.NEAREST)
        part = np.array(img) > 127
    h, w = part.shape
    dest = Rect(box.x0 + dx, box.y0 + dy, box.x0 + dx + w, box.y0 + dy + h)
    inter = dest.intersect(Rect(0, 0, mask.shape[1], mask.shape[0]))
    if not inter.empty:
        out[inter.slices()] = part[inter.shifted(-dest.x0, -dest.y0).slices()]
    return out


def resize_rgba(rgba: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resample in premultiplied space so transparent edges do not turn dark."""
    a = rgba[..., 3:4].astype(np.float32) / 255
    pre = np.concatenate([rgba[..., :3] * a, rgba[..., 3:4]], axis=2).astype(np.float32)
    chans = [np.array(Image.fromarray(pre[..., i]).resize((width, height), Image.BICUBIC))
             for i in range(4)]
    out = np.stack(chans, axis=2)
    alpha = np.clip(out[..., 3:4], 0, 255)
    rgb = np.where(alpha > 0, out[..., :3] / np.maximum(alpha / 255, 1e-6), 0)
    return np.concatenate([np.clip(rgb, 0, 255), alpha], axis=2).round().astype(np.uint8)


@dataclass(frozen=True)
class ResizeCanvas:
    """New canvas size; `anchor` says where the old picture sits (see ANCHORS). Pixels outside
    the new canvas stay in their layers (hidden), so making the canvas bigger again brings them back."""

    width: int
    height: int
    anchor: str = "center"
    label: str = "Resize canvas"

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        check_size(self.width, self.height)
        if (self.width, self.height) == (doc.width, doc.height):
            return None
        if self.anchor not in ANCHORS:
            raise UserError(f"Unknown anchor '{self.anchor}'.")
        fx, fy = ANCHORS[self.anchor]
        dx = round((self.width - doc.width) * fx)
        dy = round((self.height - doc.height) * fy)
        return _reframe(doc, mem, self.width, self.height, dx, dy, self.label)


@dataclass(frozen=True)
class Crop:
    """Crop the canvas to `rect` (canvas coords); layers keep their pixels outside it."""

    rect: Rect

    def apply(self, doc: Document, mem: UndoMemory) -> Edit | None:
        r = Rect(*self.rect).intersect(doc.bounds)
        if r.empty:
            raise UserError("Select an area inside the canvas to crop to.")
        if r == doc.bounds:
            return None
        return _reframe(doc, mem, r.width, r.height, -r.x0, -r.y0, "Crop")


def _reframe(doc: Document, mem: UndoMemory, width: int, height: int, dx: int, dy: int,
             label: str) -> Edit:
    old_size, old_mask, old_sel = (doc.width, doc.height), doc.mask, doc.selection
    mask = np.zeros((height, width), np.uint8)
    src = Rect(0, 0, doc.width, doc.height).shifted(dx, dy).intersect(Rect(0, 0, width, height))
    if not src.empty:
        mask[src.slices()] = old_mask[src.shifted(-dx, -dy).slices()]
    for layer in doc.layers:
        layer.x += dx
        layer.y += dy
    doc.width, doc.height, doc.mask, doc.selection = width, height, mask, None
    return CanvasSizeEdit(label, old_size, (dx, dy), old_mask, old_sel, mem)


def extend_for_outpaint(doc: Document, side: str, amount: int) -> tuple[ResizeCanvas, Rect]:
    """The canvas resize that adds `amount` pixels on `side`, and the new area (after resizing)."""
    if amount <= 0:
        raise UserError("Outpaint needs a positive number of pixels to add.")
    w, h = doc.width, doc.height
    if side == "left":
        return ResizeCanvas(w + amount, h, "right", "Extend canvas"), Rect(0, 0, amount, h)
    if side == "right":
        return ResizeCanvas(w + amount, h, "left", "Extend canvas"), Rect(w, 0, w + amount, h)
    if side == "top":
        return ResizeCanvas(w, h + amount, "bottom", "Extend canvas"), Rect(0, 0, w, amount)
    if side == "bottom":
        return ResizeCanvas(w, h + amount, "top", "Extend canvas"), Rect(0, h, w, h + amount)
    raise UserError(f"Unknown side '{side}': use left, right, top or bottom.")


def image_layer_from(image, name: str) -> np.ndarray:
    """Pixels for a new layer from an array (H×W×3/4 uint8) or an image file path."""
    if isinstance(image, np.ndarray):
        return to_rgba(image)
    try:
        with Image.open(image) as im:
            if im.mode in ("I;16", "I;16L", "I;16B", "I"):  # 16-bit grey: scale down, do not clip at 255
                im = Image.fromarray((np.asarray(im, np.float64) / 257.0).clip(0, 255).astype(np.uint8), "L")
            return to_rgba(np.array(im.convert("RGBA")))
    except Image.DecompressionBombError:
        raise UserError(f"{name or image} is too large to open (more than "
                        f"{2 * Image.MAX_IMAGE_PIXELS // 1_000_000} million pixels).") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{name or image} could not be opened as an image: {exc}") from None
