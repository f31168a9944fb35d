"""The Image workspace's real widgets: painting, undo, layers, selection, zoom, files, clipboard."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QWheelEvent
from PySide6.QtWidgets import QApplication

from studio.canvas import Rect
from studio.ui.image.canvas_view import Tool
from tests.ui_image.conftest import drag, layer_names, solid


def test_paint_a_stroke_then_undo_and_redo(workspace):
    ws = workspace
    view = ws.view
    layer = ws.model.doc.active
    assert layer.rgba[..., 3].max() == 0
    ws.tool_actions[Tool.BRUSH].trigger()
    ws.size_box.setValue(10)
    ws.set_color((255, 0, 0))
    drag(view, [(50, 100), (150, 100), (250, 100)])
    painted = layer.rgba.copy()
    assert (painted[100, 60:240, 3] == 255).all() and (painted[100, 60:240, 0] == 255).all()
    assert painted[200, 150, 3] == 0
    # what the view shows follows the document
    assert view._buffer[100, 150].tolist() == [0, 0, 255, 255]  # BGRA premultiplied red
    assert ws.has_unsaved()

    ws.undo_action.trigger()
    assert layer.rgba[..., 3].max() == 0
    assert view._buffer[100, 150, 3] == 0
    ws.redo_action.trigger()
    assert np.array_equal(layer.rgba, painted)


def test_eyedropper_and_brush_size_keys(workspace, qtbot):
    ws = workspace
    ws.model.doc.layers[0].rgba[:] = (12, 34, 56, 255)
    ws.model.repaint(None)
    pos = ws.view.to_view(QPointF(30, 40)).toPoint()
    qtbot.mouseClick(ws.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, pos)
    assert ws.view.color == (12, 34, 56)
    assert ws.model.undo_stack.count() == 0  # picking paints nothing
    ws.view.setFocus()
    size = ws.size_box.value()
    qtbot.keyClick(ws.view, Qt.Key.Key_BracketRight)
    assert ws.view.brush_size > size
    qtbot.keyClick(ws.view, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(ws.view, Qt.Key.Key_BracketLeft)
    assert ws.view.brush_size < size


def test_eraser_and_keyboard_tool_switch(workspace, qtbot):
    ws = workspace
    layer = ws.model.doc.active
    layer.rgba[:] = (0, 0, 255, 255)
    ws.view.setFocus()
    qtbot.keyClick(ws.view, Qt.Key.Key_E)
    assert ws.view.tool == Tool.ERASER
    drag(ws.view, [(100, 100), (120, 100)])
    assert layer.rgba[100, 110, 3] == 0 and layer.rgba[300, 300, 3] == 255


def test_add_reorder_rename_hide_layers_with_undo(workspace, qtbot):
    ws = workspace
    panel = ws.layers_panel
    qtbot.mouseClick(panel.add_btn, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.add_btn, Qt.MouseButton.LeftButton)
    assert layer_names(ws) == ["Background", "Layer 2", "Layer 3"]
    assert panel.list.count() == 3 and panel.list.item(0).text() == "Layer 3"  # top first

    qtbot.mouseClick(panel.down_btn, Qt.MouseButton.LeftButton)  # Layer 3 is active
    assert layer_names(ws) == ["Background", "Layer 3", "Layer 2"]
    assert panel.list.item(0).text() == "Layer 2"

    item = panel.list.item(1)  # "Layer 3"
    item.setText("天空 ☁️")
    assert layer_names(ws)[1] == "天空 ☁️"
    panel.list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert ws.model.doc.layers[1].visible is False

    for _ in range(4):  # hide, rename, reorder, add
        ws.undo_action.trigger()
    assert layer_names(ws) == ["Background", "Layer 2"]
    assert [panel.list.item(i).text() for i in range(panel.list.count())] == ["Layer 2", "Background"]


def test_layer_opacity_delete_and_merge(workspace, qtbot):
    ws = workspace
    doc = ws.model.doc
    doc.layers[0].rgba[:] = (255, 255, 255, 255)
    ws.add_image_layer(solid(512, 512, (0, 0, 0)), "black")
    panel = ws.layers_panel
    panel.opacity.setValue(50)
    panel.opacity.sliderReleased.emit()
    assert doc.active.opacity == 0.5
    assert abs(int(doc.flatten()[10, 10, 0]) - 128) <= 1
    panel.opacity.setValue(40)  # keyboard/wheel changes apply at once
    assert doc.active.opacity == 0.4
    ws.undo_action.trigger()
    assert doc.active.opacity == 0.5
    qtbot.mouseClick(panel.dup_btn, Qt.MouseButton.LeftButton)
    assert layer_names(ws) == ["Background", "black", "black copy"]
    assert np.array_equal(doc.layers[2].rgba, doc.layers[1].rgba) and doc.layers[2].rgba is not doc.layers[1].rgba
    ws.undo_action.trigger()
    qtbot.mouseClick(panel.merge_btn, Qt.MouseButton.LeftButton)
    assert layer_names(ws) == ["Background"]
    assert abs(int(doc.layers[0].rgba[10, 10, 0]) - 128) <= 1
    qtbot.mouseClick(panel.del_btn, Qt.MouseButton.LeftButton)
    assert doc.layers == []
    ws.undo_action.trigger()
    ws.undo_action.trigger()
    assert layer_names(ws) == ["Background", "black"]


def test_rect_and_lasso_selection_fill_and_crop(workspace):
    ws = workspace
    doc = ws.model.doc
    ws.tool_actions[Tool.RECT_SELECT].trigger()
    drag(ws.view, [(100, 100), (150, 140), (200, 200)])
    assert doc.selection_bounds() == Rect(100, 100, 200, 200)
    assert ws.view._sel_image is not None  # the view shows it
    ws.deselect_action.trigger()
    assert ws.view._sel_image is None
    ws.undo_action.trigger()
    assert ws.view._sel_image is not None and doc.selection_bounds() == Rect(100, 100, 200, 200)
    ws.tool_actions[Tool.FILL].trigger()
    ws.set_color((0, 128, 0))
    drag(ws.view, [(150, 150)])
    a = doc.active.rgba[..., 3]
    assert a[150, 150] == 255 and a[50, 50] == 0  # the fill stays inside the selection
    ws.crop_action.trigger()
    assert (doc.width, doc.height) == (100, 100)
    ws.undo_action.trigger()
    assert (doc.width, doc.height) == (512, 512)

    ws.tool_actions[Tool.LASSO].trigger()
    drag(ws.view, [(10, 10), (300, 10), (300, 300), (10, 10)])
    sel = doc.selection
    assert sel[50, 200] and not sel[200, 50]  # upper-right triangle


def test_move_tool_shows_the_pixels_while_dragging(workspace):
    from tests.ui_image.conftest import mouse

    ws = workspace
    layer = ws.model.doc.active
    layer.rgba[0:40, 0:40] = (255, 0, 0, 255)
    ws.model.repaint(None)
    ws.view.actual_size()
    ws.tool_actions[Tool.MOVE].trigger()
    mouse(ws.view, "press", (20, 20))
    mouse(ws.view, "move", (120, 20))
    img = ws.view.grab().toImage()
    p = ws.view.to_view(QPointF(120, 20)).toPoint()
    ghost = img.pixelColor(p)
    assert ghost.red() > 150 and ghost.green() < 120  # the red block, half transparent, under the mouse
    mouse(ws.view, "release", (120, 20))
    assert layer.x == 100


def test_move_layer_with_the_move_tool(workspace):
    ws = workspace
    layer = ws.model.doc.active
    layer.rgba[0:10, 0:10] = (1, 2, 3, 255)
    ws.tool_actions[Tool.MOVE].trigger()
    drag(ws.view, [(20, 20), (40, 30), (60, 50)])
    assert (layer.x, layer.y) == (40, 30)
    ws.undo_action.trigger()
    assert (layer.x, layer.y) == (0, 0)


def test_zoom_wheel_fit_and_pan(workspace):
    view = workspace.view
    view.fit()
    fitted = view.zoom
    pos = QPointF(view.width() / 2, view.height() / 2)
    ev = QWheelEvent(pos, view.mapToGlobal(pos.toPoint()).toPointF(), QPoint(0, 0), QPoint(0, 240),
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                     Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view, ev)
    assert abs(view.zoom - fitted * 1.44) < 1e-6
    workspace.actual_action.trigger()
    assert view.zoom == 1.0
    before = QPointF(view.offset)
    workspace.tool_actions[Tool.PAN].trigger()
    drag(view, [(100, 100), (150, 100)])
    assert view.offset.x() > before.x()


def _drop(view, mime):
    """Drag enter (must be accepted) then drop, as Qt delivers them."""
    pos = QPointF(view.width() / 2, view.height() / 2)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        enter = QDragEnterEvent(pos, *args)  # PySide6 ≥ 6.12 takes a QPointF
    except TypeError:
        enter = QDragEnterEvent(pos.toPoint(), *args)
    QApplication.sendEvent(view, enter)
    assert enter.isAccepted()
    ev = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, ev)


def test_drop_a_png_with_parameters(workspace, tmp_path):
    from exporters.png import encode_png

    img = solid(64, 96, (10, 200, 30))
    path = tmp_path / "猫.png"
    path.write_bytes(encode_png(img, {"prompt": "a green cat 🐱", "negative_prompt": "blurry",
                                      "steps": 12, "seed": 1234, "guidance": 4.5,
                                      "width": 96, "height": 64}))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    _drop(workspace.view, mime)
    doc = workspace.model.doc
    # the canvas was blank, so it took the image's size; the image is a new top layer
    assert (doc.width, doc.height) == (96, 64)
    assert doc.layers[-1].name == "猫"
    assert doc.flatten()[5, 5].tolist() == [10, 200, 30]
    panel = workspace.prompt_panel
    assert panel.prompt.toPlainText() == "a green cat 🐱"
    assert panel.steps.value() == 12 and panel.seed.value() == 1234
    assert not panel.random_seed.isChecked()


def test_dropping_a_broken_file_shows_a_message(workspace, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bad))])
    before = len(workspace.model.doc.layers)
    _drop(workspace.view, mime)
    assert workspace.message_bar.isVisibleTo(workspace)
    assert "broken" in workspace.message_bar.text.text()
    assert len(workspace.model.doc.layers) == before


def test_save_and_reopen_ora_keeps_layers(workspace, tmp_path, qtbot, worker):
    ws = workspace
    ws.add_image_layer(solid(512, 512, (200, 10, 10)), "红色")
    doc = ws.model.doc
    doc.layers[1].rgba[:100, :, 3] = 0
    ws.layers_panel.rename(doc.layers[1].id, "红色 🔴")
    from studio.canvas.ops import SetLayerProps, Transform

    ws.model.apply(SetLayerProps(doc.layers[1].id, opacity=0.6))
    ws.model.apply(SetLayerProps(doc.layers[0].id, visible=False))
    ws.model.apply(Transform(doc.layers[1].id, dx=-7, dy=5))
    ws.model.doc.mask[10:20, 10:20] = 255
    path = tmp_path / "doc.ora"
    ws.save_document(str(path))  # compressed on a background thread
    ws.wait_save()
    qtbot.waitUntil(lambda: not ws.has_unsaved())  # marked clean when the thread reports back
    assert ws.model.path == str(path)

    from studio.ui.image.workspace import ImageWorkspace
    from studio.settings import Settings

    other = ImageWorkspace(worker, Settings())
    qtbot.addWidget(other)
    other.open_files([str(path)])
    d2 = other.model.doc
    assert [(l.name, l.x, l.y, round(l.opacity, 3), l.visible) for l in d2.layers] == \
        [(l.name, l.x, l.y, round(l.opacity, 3), l.visible) for l in doc.layers]
    for a, b in zip(doc.layers, d2.layers):
        assert np.array_equal(a.rgba, b.rgba)
    assert np.array_equal(d2.mask, doc.mask)
    assert other.layers_panel.list.count() == 2

    # editing while a save runs: the file has the snapshot, the document stays "unsaved"
    ws.save_document(str(path))
    ws.layers_panel.add_layer()
    ws.wait_save()
    qtbot.wait(50)
    assert ws.has_unsaved()
    # a failed save says so and keeps the document
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    ws.save_document(str(blocker / "doc.ora"), wait=True)
    assert ws.message_bar.isVisibleTo(ws) and "not saved" in ws.message_bar.text.text()


def test_autosave_and_restore(workspace, qtbot, worker, studio_home):
    ws = workspace
    ws.add_image_layer(solid(32, 32, (1, 2, 3)), "kept")
    ws.autosave()  # encodes on a background thread
    ws.add_image_layer(solid(32, 32, (9, 9, 9)), "later")  # editing goes on meanwhile
    ws.wait_autosave()
    assert (studio_home / "autosave").is_dir() and ws.has_autosave()

    from studio.settings import Settings
    from studio.ui.image.workspace import ImageWorkspace

    fresh = ImageWorkspace(worker, Settings())
    qtbot.addWidget(fresh)
    assert fresh.restore_autosave()
    assert [l.name for l in fresh.model.doc.layers] == ["Background", "kept"]  # the snapshot
    assert fresh.has_unsaved()
    ws.shutdown()  # close time: a synchronous autosave of the latest state
    fresh.restore_autosave()
    assert [l.name for l in fresh.model.doc.layers] == ["Background", "kept", "later"]


def test_copy_and_paste_through_the_clipboard(workspace):
    ws = workspace
    ws.model.doc.layers[0].rgba[:] = (9, 99, 199, 255)
    ws.select_all()
    ws.copy_action.trigger()
    assert not QGuiApplication.clipboard().image().isNull()
    ws.paste_action.trigger()
    top = ws.model.doc.layers[-1]
    assert top.name == "Pasted" and top.rgba[0, 0].tolist() == [9, 99, 199, 255]


def test_export_flattened_png_with_parameters(workspace, tmp_path):
    from exporters.read import read_parameters
    from PIL import Image

    ws = workspace
    ws.model.doc.layers[0].rgba[:] = (50, 60, 70, 255)
    ws.prompt_panel.prompt.setPlainText("an exported 🌄")
    path = tmp_path / "out.png"
    ws.export_flattened(str(path))
    assert np.array(Image.open(path))[0, 0].tolist()[:3] == [50, 60, 70]
    assert read_parameters(str(path))["prompt"] == "an exported 🌄"
