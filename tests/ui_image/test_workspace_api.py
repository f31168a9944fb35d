"""The workspace's contract with the main window, and the Qt-free job-region helpers."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence

from studio.canvas import Document, Rect
from studio.jobs import UserError
from studio.ui.image.generation import (JobTarget, context_rect, masked_job, result_layer,
                                        whole_canvas_job)
from tests.ui_image.conftest import drag, solid


def test_menus_carry_the_shortcut_actions(workspace):
    menus = workspace.menus()
    actions = {a.text().replace("&", ""): a for m in menus for a in m.actions()}
    assert actions["Generate"].shortcut() == QKeySequence("Ctrl+Return")
    assert actions["Stop current job"].shortcut() == QKeySequence("Esc")
    assert "Inpaint" in actions and "Generate into selection" in actions
    assert any(k.startswith("Undo") for k in actions) and "Open…" in actions
    assert "Outpaint" in actions  # the submenu's action
    sides = [a.text() for a in actions["Outpaint"].menu().actions()]
    assert sides == ["Left", "Right", "Top", "Bottom"]


def test_add_image_layer_from_a_file_path_and_send_to_canvas(workspace, tmp_path):
    path = tmp_path / "σ.png"
    Image.fromarray(solid(20, 30, (5, 6, 7))).save(path)
    workspace.add_image_layer(str(path))
    doc = workspace.model.doc
    assert doc.layers[-1].name == "σ" and (doc.width, doc.height) == (30, 20)
    workspace.add_image_layer(solid(10, 10, (1, 1, 1)), "from history")
    assert doc.layers[-1].name == "from history" and (doc.width, doc.height) == (30, 20)
    workspace.add_image_layer(str(tmp_path / "missing.png"))
    assert workspace.message_bar.isVisibleTo(workspace)


def test_import_parameters_fills_the_panel(workspace):
    workspace.import_parameters({"prompt": "夜の街", "negative_prompt": "", "steps": 9,
                                 "scheduler": "ddim", "guidance": 3.0, "seed": 5, "width": 128,
                                 "height": 96})
    r = workspace.prompt_panel.build_request()
    assert (r.prompt, r.steps, r.scheduler, r.guidance, r.seed, r.width, r.height) == \
        ("夜の街", 9, "ddim", 3.0, 5, 128, 96)


def test_space_drag_pans(workspace, qtbot):
    view = workspace.view
    view.setFocus()
    before = QPointF(view.offset)
    qtbot.keyPress(view, Qt.Key.Key_Space)
    drag(view, [(100, 100), (140, 120)])
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    assert view.offset.x() > before.x() and view.offset.y() > before.y()
    assert workspace.model.doc.layers[0].rgba[..., 3].max() == 0  # nothing was painted


def test_undo_history_is_capped(workspace):
    from studio.canvas.ops import SetLayerProps
    from studio.ui.image.document_model import UNDO_LIMIT

    lid = workspace.model.doc.layers[0].id
    for i in range(UNDO_LIMIT + 20):
        workspace.model.apply(SetLayerProps(lid, name=f"n{i}"))
    assert workspace.model.undo_stack.count() == UNDO_LIMIT


def test_context_rect_grows_and_stays_inside():
    doc = Document(300, 200)
    r = context_rect(doc, Rect(0, 0, 10, 10))
    assert r.x0 == 0 and r.y0 == 0 and r.width >= 64 and r.height >= 64
    r = context_rect(doc, Rect(290, 190, 300, 200))
    assert r.x1 == 300 and r.y1 == 200 and r.width >= 64
    assert context_rect(doc, Rect(0, 0, 300, 200)) == doc.bounds


def test_masked_job_and_result_layer():
    doc = Document(200, 200)
    doc.layers[0].rgba[:] = (10, 20, 30, 255)
    mask = np.zeros((200, 200), np.uint8)
    mask[90:110, 90:110] = 255
    fields, target = masked_job(doc, mask, "inpaint", "x")
    crop = target.rect
    assert crop.x0 <= 90 - 32 + 1 and crop.x1 >= 110 + 32 - 1
    assert fields["init_image"].shape == (crop.height, crop.width, 3)
    assert fields["init_image"][0, 0].tolist() == [10, 20, 30]
    assert fields["mask"].shape == (crop.height, crop.width)
    assert fields["width"] % 64 == 0 and fields["height"] % 64 == 0
    assert crop.width % 64 == 0 and crop.height % 64 == 0  # the crop itself needs no rescaling
    # a result of another size is scaled onto the crop; alpha is the mask
    rgba, x, y = result_layer(np.full((64, 64, 3), 200, np.uint8), target)
    assert (x, y) == (crop.x0, crop.y0) and rgba.shape[:2] == (crop.height, crop.width)
    assert np.array_equal(rgba[..., 3], fields["mask"])
    with pytest.raises(UserError):
        masked_job(doc, np.zeros((200, 200), np.uint8), "inpaint", "x")


def test_whole_canvas_and_txt2img_targets():
    doc = Document(100, 60)
    fields, target = whole_canvas_job(doc, "img2img")
    assert fields["init_image"].shape == (60, 100, 3) and target.rect == doc.bounds
    rgba, x, y = result_layer(np.zeros((32, 48, 3), np.uint8), JobTarget("txt2img", None))
    assert rgba.shape == (32, 48, 4) and (rgba[..., 3] == 255).all() and (x, y) == (0, 0)


def test_canvas_size_dialog_with_anchor(qtbot):
    from studio.ui.image.size_dialog import CanvasSizeDialog

    dlg = CanvasSizeDialog("Canvas size", 100, 80, True)
    qtbot.addWidget(dlg)
    assert dlg.values() == (100, 80, "center")
    dlg.width_box.setValue(300)
    dlg.findChild(type(dlg.anchors.button(0)), "bottom-right").click()
    assert dlg.values() == (300, 80, "bottom-right")
