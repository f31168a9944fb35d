"""Undo records. Every edit is created *after* its change is applied and can undo/redo it.

Edits keep only what they need (changed tiles, removed layers, old sizes), in ``Payload``s so
``UndoMemory`` can bound their RAM. Most edits are swaps: undo and redo exchange the document's
current state with the one the edit holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.canvas.document import Document, Layer, Rect
from studio.canvas.undo_memory import Payload, UndoMemory

MASK = -1  # target id of the document mask in pixel edits
TILE = 64


class Edit:
    label = ""
    structural = False  # True when the layer list, sizes or properties changed

    def undo(self, doc: Document) -> None:
        raise NotImplementedError

    def redo(self, doc: Document) -> None:
        raise NotImplementedError

    def dirty(self, doc: Document) -> Rect | None:
        """Canvas area to repaint after undo/redo; None = everything."""
        return None


def target_array(doc: Document, target: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The pixels of a layer (or the mask) and their canvas origin."""
    if target == MASK:
        return doc.mask, (0, 0)
    layer = doc.layer(target)
    return layer.rgba, (layer.x, layer.y)


class PixelEdit(Edit):
    """Tiles of one layer (or the mask), packed into one payload: each swap exchanges them with
    the document's."""

    def __init__(self, label: str, target: int, rects: list[Rect], payload: Payload) -> None:
        self.label = label
        self.target = target
        self.rects = rects  # in the target's own coordinates
        self.payload = payload  # the other state's tiles, flattened and concatenated

    @property
    def nbytes(self) -> int:
        return self.payload.nbytes

    def _swap(self, doc: Document) -> None:
        array, _ = target_array(doc, self.target)
        old = self.payload.take()
        self.payload.put(pack(array, self.rects))
        unpack(old, array, self.rects)

    undo = redo = _swap

    def dirty(self, doc: Document) -> Rect | None:
        _, (ox, oy) = target_array(doc, self.target)
        out = Rect(0, 0, 0, 0)
        for rect in self.rects:
            out = rect.shifted(ox, oy).union(out)
        return out


def pack(array: np.ndarray, rects: list[Rect]) -> np.ndarray:
    return np.concatenate([array[r.slices()].ravel() for r in rects]) if rects else \
        np.zeros(0, array.dtype)


def unpack(flat: np.ndarray, array: np.ndarray, rects: list[Rect]) -> None:
    pos = 0
    for r in rects:
        shape = (r.height, r.width) + array.shape[2:]
        n = int(np.prod(shape))
        array[r.slices()] = flat[pos:pos + n].reshape(shape)
        pos += n


class TileRecorder:
    """Saves the original tiles of a target just before they are first changed."""

    def __init__(self, doc: Document, target: int, mem: UndoMemory) -> None:
        self.doc, self.target, self.mem = doc, target, mem
        self._saved: dict[tuple[int, int], np.ndarray] = {}

    def before_change(self, local: Rect) -> None:
        """Call with a rect in the target's coordinates before writing into it."""
        array, _ = target_array(self.doc, self.target)
        h, w = array.shape[:2]
        local = local.intersect(Rect(0, 0, w, h))
        if local.empty:
            return
        for ty in range(local.y0 // TILE, (local.y1 - 1) // TILE + 1):
            for tx in range(local.x0 // TILE, (local.x1 - 1) // TILE + 1):
                if (tx, ty) not in self._saved:
                    r = self._tile(tx, ty, w, h)
                    self._saved[(tx, ty)] = array[r.slices()].copy()

    @staticmethod
    def _tile(tx: int, ty: int, w: int, h: int) -> Rect:
        return Rect(tx * TILE, ty * TILE, min(w, (tx + 1) * TILE), min(h, (ty + 1) * TILE))

    def finish(self, label: str) -> PixelEdit | None:
        if not self._saved:
            return None
        array, _ = target_array(self.doc, self.target)
        h, w = array.shape[:2]
        rects, olds = [], []
        for (tx, ty), old in self._saved.items():
            r = self._tile(tx, ty, w, h)
            if not np.array_equal(array[r.slices()], old):
                rects.append(r)
                olds.append(old.ravel())
        self._saved.clear()
        if not rects:
            return None
        return PixelEdit(label, self.target, rects, self.mem.payload(np.concatenate(olds)))


class LayerListEdit(Edit):
    """The layer list changed (add, delete, reorder, merge). Layers out of the document are parked
    in payloads so their pixels count against the undo budget."""

    structural = True

    def __init__(self, label: str, before: list[Layer], after: list[Layer], mem: UndoMemory,
                 active_before: int | None, active_after: int | None) -> None:
        self.label = label
        self.before_ids = [l.id for l in before]
        self.after_ids = [l.id for l in after]
        self.active = (active_before, active_after)
        self.mem = mem
        self._layers = {l.id: l for l in before + after}
        self._parked: dict[int, Payload] = {}
        gone = set(self.before_ids) - set(self.after_ids)
        for lid in gone:
            self._park(lid)

    def _park(self, lid: int) -> None:
        layer = self._layers[lid]
        self._parked[lid] = self.mem.payload(layer.rgba)
        layer.rgba = np.zeros((0, 0, 4), np.uint8)

    def _unpark(self, lid: int) -> None:
        payload = self._parked.pop(lid, None)
        if payload is not None:
            self._layers[lid].rgba = payload.take()

    def _switch(self, doc: Document, ids: list[int], other: list[int], active: int | None) -> None:
        for lid in ids:
            self._unpark(lid)
        doc.layers = [self._layers[i] for i in ids]
        for lid in set(other) - set(ids):
            self._park(lid)
        doc.active_id = active if active in ids else (ids[-1] if ids else None)

    def undo(self, doc: Document) -> None:
        self._switch(doc, self.before_ids, self.after_ids, self.active[0])

    def redo(self, doc: Document) -> None:
        self._switch(doc, self.after_ids, self.before_ids, self.active[1])


class LayerPropsEdit(Edit):
    structural = True

    def __init__(self, label: str, layer_id: int, before: dict, after: dict) -> None:
        self.label, self.layer_id, self.before, self.after = label, layer_id, before, after

    def _set(self, doc: Document, values: dict) -> None:
        layer = doc.layer(self.layer_id)
        for k, v in values.items():
            setattr(layer, k, v)

    def undo(self, doc: Document) -> None:
        self._set(doc, self.before)

    def redo(self, doc: Document) -> None:
        self._set(doc, self.after)

    def dirty(self, doc: Document) -> Rect | None:
        if set(self.after) == {"name"}:
            return Rect(0, 0, 0, 0)  # a rename changes no pixels
        return doc.layer(self.layer_id).bounds.intersect(doc.bounds)


class LayerPixelsEdit(Edit):
    """A layer's whole pixel array and offset were replaced (scale, move of a selection)."""

    structural = True

    def __init__(self, label: str, layer_id: int, old_rgba: np.ndarray, old_xy: tuple[int, int],
                 mem: UndoMemory) -> None:
        self.label, self.layer_id = label, layer_id
        self.payload = mem.payload(old_rgba)
        self.xy = old_xy

    def _swap(self, doc: Document) -> None:
        layer = doc.layer(self.layer_id)
        old = self.payload.take()
        self.payload.put(layer.rgba)
        xy, self.xy = self.xy, (layer.x, layer.y)
        layer.rgba, (layer.x, layer.y) = old, xy

    undo = redo = _swap


class CanvasSizeEdit(Edit):
    """Canvas size changed; layers shifted by (dx, dy); old mask and selection kept."""

    structural = True

    def __init__(self, label: str, old_size: tuple[int, int], shift: tuple[int, int],
                 old_mask: np.ndarray, old_selection: np.ndarray | None, mem: UndoMemory) -> None:
        self.label = label
        self.size = old_size
        self.shift = shift
        self.mem = mem
        self.mask = mem.payload(old_mask)
        self.selection = mem.payload(old_selection) if old_selection is not None else None

    def _swap(self, doc: Document, sign: int) -> None:
        size = (doc.width, doc.height)
        doc.width, doc.height = self.size
        self.size = size
        for layer in doc.layers:
            layer.x += sign * self.shift[0]
            layer.y += sign * self.shift[1]
        mask = self.mask.take()
        self.mask.put(doc.mask)
        doc.mask = mask
        sel = self.selection.take() if self.selection is not None else None
        self.selection = self.mem.payload(doc.selection) if doc.selection is not None else None
        doc.selection = sel

    def undo(self, doc: Document) -> None:
        self._swap(doc, -1)

    def redo(self, doc: Document) -> None:
        self._swap(doc, +1)


class SelectionEdit(Edit):
    def __init__(self, label: str, old: np.ndarray | None, mem: UndoMemory) -> None:
        self.label, self.mem = label, mem
        self.payload = mem.payload(old) if old is not None else None

    def _swap(self, doc: Document) -> None:
        old = self.payload.take() if self.payload is not None else None
        self.payload = self.mem.payload(doc.selection) if doc.selection is not None else None
        doc.selection = old

    undo = redo = _swap

    def dirty(self, doc: Document) -> Rect | None:
        # no pixels change; a tiny rect makes views notice the new selection without re-compositing
        return Rect(0, 0, 1, 1)


@dataclass
class CompoundEdit(Edit):
    label: str = ""
    parts: list[Edit] = field(default_factory=list)

    @property
    def structural(self) -> bool:  # type: ignore[override]
        return any(p.structural for p in self.parts)

    def undo(self, doc: Document) -> None:
        for p in reversed(self.parts):
            p.undo(doc)

    def redo(self, doc: Document) -> None:
        for p in self.parts:
            p.redo(doc)

    def dirty(self, doc: Document) -> Rect | None:
        out = Rect(0, 0, 0, 0)
        for p in self.parts:
            d = p.dirty(doc)
            if d is None:
                return None
            out = d.union(out)
        return out
