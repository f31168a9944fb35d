"""The Qt-free image document: compositing, brush, fill, selections, layer ops and their undo."""

from __future__ import annotations

import numpy as np
import pytest

from studio.canvas import Document, Layer, Rect
from studio.canvas.brush import Brush
from studio.canvas.edits import MASK
from studio.canvas.ops import (AddLayer, Crop, Fill, MergeDown, MoveLayer, RemoveLayer,
                               ResizeCanvas, Select, SetLayerProps, SetMask, Stroke, StrokeOp,
                               Transform, extend_for_outpaint)
from studio.canvas.regions import flood_region, lasso_region, rect_region
from studio.canvas.undo_memory import UndoMemory
from studio.jobs import UserError


def snapshot(doc: Document):
    return ([(l.id, l.name, l.rgba.copy(), l.x, l.y, l.opacity, l.visible) for l in doc.layers],
            doc.width, doc.height, doc.mask.copy(),
            None if doc.selection is None else doc.selection.copy())


def same(a, b) -> bool:
    la, wa, ha, ma, sa = a
    lb, wb, hb, mb, sb = b
    if (wa, ha) != (wb, hb) or len(la) != len(lb) or not np.array_equal(ma, mb):
        return False
    if (sa is None) != (sb is None) or (sa is not None and not np.array_equal(sa, sb)):
        return False
    return all(x[:2] == y[:2] and np.array_equal(x[2], y[2]) and x[3:] == y[3:] for x, y in zip(la, lb))


def undo_redo_roundtrip(doc: Document, op, mem: UndoMemory):
    """Apply op, then check undo gives back the exact before-state and redo the after-state."""
    before = snapshot(doc)
    edit = op.apply(doc, mem)
    assert edit is not None
    after = snapshot(doc)
    assert not same(before, after)
    edit.undo(doc)
    assert same(snapshot(doc), before)
    edit.redo(doc)
    assert same(snapshot(doc), after)
    return edit


@pytest.fixture
def mem():
    return UndoMemory()


def test_composite_over_and_opacity():
    doc = Document(4, 2)
    doc.layers[0].rgba[:] = (255, 0, 0, 255)
    top = Layer.from_image(np.full((2, 2, 3), (0, 0, 255), np.uint8), "blue", x=2)
    top.opacity = 0.5
    doc.layers.append(top)
    flat = doc.flatten()
    assert flat[0, 0].tolist() == [255, 0, 0]
    assert flat[0, 3].tolist() == [128, 0, 128]  # half blue over red
    top.visible = False
    assert doc.flatten()[0, 3].tolist() == [255, 0, 0]


def test_flatten_transparent_over_white_and_premultiplied_render():
    doc = Document(3, 3)
    assert (doc.flatten() == 255).all()
    doc.layers[0].rgba[1, 1] = (0, 255, 0, 128)
    out = np.zeros((3, 3, 4), np.uint8)
    doc.render_premultiplied(out)
    assert out[1, 1].tolist() == [0, 128, 0, 128]
    assert out[0, 0].tolist() == [0, 0, 0, 0]


def test_stroke_paints_along_the_line_and_undo_restores(mem):
    doc = Document(400, 400)
    lid = doc.layers[0].id
    op = StrokeOp(lid, Brush(size=10, hardness=1.0, color=(255, 0, 0)), ((20, 50), (180, 50)))
    edit = undo_redo_roundtrip(doc, op, mem)
    rgba = doc.layers[0].rgba
    assert (rgba[50, 25:175, 3] == 255).all()  # a continuous line, no gaps between dabs
    assert (rgba[50, 25:175, 0] == 255).all()
    assert rgba[20, 100, 3] == 0 and rgba[80, 100, 3] == 0
    # only the touched tiles are kept for undo
    assert edit.nbytes == 3 * 64 * 64 * 4  # the three tiles the line crosses


def test_soft_brush_and_eraser(mem):
    doc = Document(64, 64)
    lid = doc.layers[0].id
    StrokeOp(lid, Brush(size=30, hardness=0.0, color=(0, 0, 255)), ((32, 32),)).apply(doc, mem)
    a = doc.layers[0].rgba[..., 3]
    assert a[32, 32] > 200 and 0 < a[32, 44] < a[32, 36]  # falls off towards the rim
    StrokeOp(lid, Brush(size=40, hardness=1.0, erase=True), ((32, 32),)).apply(doc, mem)
    assert doc.layers[0].rgba[32, 32, 3] == 0


def test_stroke_is_clipped_to_selection(mem):
    doc = Document(100, 100)
    doc.selection = rect_region(100, 100, Rect(0, 0, 50, 100))
    StrokeOp(doc.layers[0].id, Brush(size=8, hardness=1), ((10, 50), (90, 50))).apply(doc, mem)
    a = doc.layers[0].rgba[50, :, 3]
    assert (a[15:48] == 255).all() and (a[52:] == 0).all()


def test_mask_painting_and_erase(mem):
    doc = Document(50, 50)
    undo_redo_roundtrip(doc, StrokeOp(MASK, Brush(size=10, hardness=1), ((25, 25),)), mem)
    assert doc.mask[25, 25] == 255 and doc.mask[0, 0] == 0
    assert doc.mask_bounds() is not None
    StrokeOp(MASK, Brush(size=20, hardness=1, erase=True), ((25, 25),)).apply(doc, mem)
    assert doc.mask.max() == 0


def test_interactive_stroke_reports_dirty_rects(mem):
    doc = Document(300, 300)
    s = Stroke(doc, doc.layers[0].id, Brush(size=6), mem)
    r1 = s.add(10, 10)
    r2 = s.add(40, 10)
    assert r1.x0 <= 10 < r1.x1 and r2.x1 >= 40 and r2.y1 < 30
    edit = s.finish()
    assert edit is not None and edit.dirty(doc).x1 >= 40


def test_layer_list_ops_undo(mem):
    doc = Document(8, 8)
    undo_redo_roundtrip(doc, AddLayer("Layer 2"), mem)
    assert [l.name for l in doc.layers] == ["Background", "Layer 2"]
    top = doc.layers[1]
    top.rgba[:] = (0, 255, 0, 255)
    undo_redo_roundtrip(doc, MoveLayer(top.id, 0), mem)
    assert doc.layers[0] is top
    undo_redo_roundtrip(doc, SetLayerProps(top.id, name="草稿 🎨"), mem)
    undo_redo_roundtrip(doc, SetLayerProps(top.id, opacity=0.25), mem)
    undo_redo_roundtrip(doc, SetLayerProps(top.id, visible=False), mem)
    undo_redo_roundtrip(doc, RemoveLayer(top.id), mem)
    assert [l.name for l in doc.layers] == ["Background"]


def test_removed_layer_pixels_are_parked_and_restored(mem):
    doc = Document(16, 16)
    AddLayer("x", np.full((16, 16, 3), 7, np.uint8)).apply(doc, mem)
    layer = doc.layers[1]
    edit = RemoveLayer(layer.id).apply(doc, mem)
    assert layer.rgba.size == 0  # pixels live in the undo payload now
    edit.undo(doc)
    assert doc.layers[1] is layer and (layer.rgba[..., :3] == 7).all()


def test_merge_down(mem):
    doc = Document(4, 4)
    doc.layers[0].rgba[:] = (255, 0, 0, 255)
    AddLayer("top", np.full((2, 2, 4), (0, 0, 255, 255), np.uint8), x=3, y=3).apply(doc, mem)
    flat = doc.flatten()
    undo_redo_roundtrip(doc, MergeDown(doc.layers[1].id), mem)
    assert len(doc.layers) == 1 and doc.layers[0].name == "Background"
    assert doc.layers[0].bounds == Rect(0, 0, 5, 5)  # the part outside the canvas is kept
    assert np.array_equal(doc.flatten(), flat)
    with pytest.raises(UserError):
        MergeDown(doc.layers[0].id).apply(doc, mem)


def test_flood_fill_respects_borders_and_tolerance(mem):
    doc = Document(20, 20)
    rgba = doc.layers[0].rgba
    rgba[:] = (255, 255, 255, 255)
    rgba[:, 10] = (0, 0, 0, 255)  # a wall
    undo_redo_roundtrip(doc, Fill(doc.layers[0].id, (255, 0, 0, 255), point=(3, 3)), mem)
    assert (rgba[:, :10, 0] == 255).all() and (rgba[:, :10, 1] == 0).all()
    assert (rgba[:, 11:, 1] == 255).all()  # other side untouched


def test_flood_region_u_shape():
    img = np.zeros((7, 7, 4), np.uint8)
    img[1:6, 3] = 255  # vertical wall with a gap at the bottom row
    region = flood_region(img, 0, 0, tolerance=0)
    assert region[0, 6] and region[6, 6] and not region[3, 3]
    assert region.sum() == 49 - 5


def test_fill_selection_or_whole_layer(mem):
    doc = Document(10, 10)
    doc.selection = lasso_region(10, 10, [(0, 0), (9, 0), (0, 9)])
    Fill(doc.layers[0].id, (1, 2, 3, 255)).apply(doc, mem)
    a = doc.layers[0].rgba[..., 3]
    assert a[1, 1] == 255 and a[9, 9] == 0


def test_select_and_deselect_undo(mem):
    doc = Document(10, 10)
    undo_redo_roundtrip(doc, Select(rect_region(10, 10, Rect(2, 2, 5, 5))), mem)
    assert doc.selection_bounds() == Rect(2, 2, 5, 5)
    undo_redo_roundtrip(doc, Select(None), mem)
    assert Select(None).apply(doc, mem) is None


def test_set_mask_from_selection(mem):
    doc = Document(10, 10)
    undo_redo_roundtrip(doc, SetMask(rect_region(10, 10, Rect(0, 0, 3, 3))), mem)
    assert doc.mask_bounds() == Rect(0, 0, 3, 3)


def test_move_and_scale_layer(mem):
    doc = Document(10, 10)
    doc.layers[0].rgba[0, 0] = (9, 9, 9, 255)
    undo_redo_roundtrip(doc, Transform(doc.layers[0].id, dx=3, dy=2), mem)
    assert doc.flatten_rgba()[2, 3, 3] == 255 and doc.layers[0].x == 3
    undo_redo_roundtrip(doc, Transform(doc.layers[0].id, scale=2.0), mem)
    assert doc.layers[0].rgba.shape == (20, 20, 4)


def test_move_selected_pixels(mem):
    doc = Document(10, 10)
    lid = doc.layers[0].id
    doc.layers[0].rgba[1:3, 1:3] = (200, 0, 0, 255)
    doc.selection = rect_region(10, 10, Rect(1, 1, 3, 3))
    undo_redo_roundtrip(doc, Transform(lid, dx=5, dy=5, selection_only=True), mem)
    a = doc.layers[0].rgba[..., 3]
    assert a[1, 1] == 0 and a[6, 6] == 255 and a[7, 7] == 255
    assert doc.selection_bounds() == Rect(6, 6, 8, 8)


def test_crop_and_resize_keep_pixels(mem):
    doc = Document(10, 10)
    doc.layers[0].rgba[0, 0] = (1, 1, 1, 255)
    doc.mask[5, 5] = 255
    undo_redo_roundtrip(doc, Crop(Rect(2, 2, 8, 8)), mem)
    assert (doc.width, doc.height) == (6, 6) and doc.mask[3, 3] == 255
    assert doc.layers[0].x == -2  # hidden, not destroyed
    undo_redo_roundtrip(doc, ResizeCanvas(10, 8, "left"), mem)
    assert (doc.width, doc.height, doc.layers[0].x, doc.layers[0].y) == (10, 8, -2, -1)
    with pytest.raises(UserError):
        ResizeCanvas(0, 5).apply(doc, mem)


def test_extend_for_outpaint(mem):
    doc = Document(8, 8)
    op, area = extend_for_outpaint(doc, "left", 4)
    op.apply(doc, mem)
    assert (doc.width, area) == (12, Rect(0, 0, 4, 8)) and doc.layers[0].x == 4
    op, area = extend_for_outpaint(doc, "bottom", 2)
    op.apply(doc, mem)
    assert (doc.height, area) == (10, Rect(0, 8, 12, 10))


def test_undo_memory_spills_past_budget_and_reads_back():
    mem = UndoMemory(budget=3 << 20)
    doc = Document(512, 512)  # 1 MiB per full layer
    lid = doc.layers[0].id
    edits = []
    for i in range(8):
        edits.append(Fill(lid, (i, i, i, 255)).apply(doc, mem))
    assert mem.ram_bytes <= mem.budget
    assert mem.disk_bytes > 0
    for e in reversed(edits):
        e.undo(doc)
    assert doc.layers[0].rgba.max() == 0  # back to the transparent start, read from disk
    for e in edits:
        e.redo(doc)
    assert (doc.layers[0].rgba[..., 0] == 7).all()
    del edits, e
    assert mem.ram_bytes == 0 and mem.disk_bytes == 0


def test_spill_file_reuses_freed_space():
    from studio.canvas.undo_memory import SpillFile

    f = SpillFile()
    a = f.write(np.arange(100, dtype=np.uint8))
    b = f.write(np.arange(50, dtype=np.uint8))
    f.free(*a)
    c = f.write(np.arange(60, dtype=np.uint8))
    assert c[0] == a[0]  # first fit into the freed hole
    assert f.read(*b, np.uint8, (50,)).tolist() == list(range(50))
    f.free(*b)
    f.free(*c)
    assert f.used == 0 and f._end == 0  # everything coalesced and the file truncated
    f.close()


def test_opaque_layer_hides_what_is_below_it():
    doc = Document(8, 8)
    doc.layers[0].rgba[:] = (255, 0, 0, 255)
    top = Layer.from_image(np.full((8, 8, 3), 9, np.uint8), "opaque")
    doc.layers.append(top)
    assert (doc.flatten() == 9).all()
    top.rgba[2, 2, 3] = 0  # a hole: the red below shows through again
    assert doc.flatten()[2, 2].tolist() == [255, 0, 0]
    top.opacity = 0.5
    assert doc.flatten()[0, 0].tolist() == [132, 5, 5]  # (255 + 9) / 2, 9 / 2 rounded half up


def test_copy_with_and_without_pixels(mem):
    doc = Document(16, 16)
    deep, shallow = doc.copy(), doc.copy(pixels=False)
    StrokeOp(doc.layers[0].id, Brush(size=6), ((8, 8),)).apply(doc, mem)
    assert deep.layers[0].rgba.max() == 0  # a real snapshot
    assert shallow.layers[0].rgba is doc.layers[0].rgba  # shares the pixels
    assert deep.layers[0].id == doc.layers[0].id and deep.width == 16
