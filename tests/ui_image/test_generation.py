"""Generation from the Image workspace through the real worker and the real image engine
(a tiny random-weight ONNX pipeline): results as layers, previews, inpaint, outpaint, cancel,
failures, and jobs that belong to someone else."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from studio.canvas import Rect
from studio.jobs import ImageRequest, IterateRequest
from studio.ui.image.canvas_view import Tool
from tests.ui_image.conftest import drag


def setup_panel(ws, model_id: str, steps: int = 3, size: int = 64) -> None:
    ws.prompt_panel.apply_request(ImageRequest(prompt="a red cat", model_id=model_id, width=size,
                                               height=size, steps=steps, seed=7))


def run_job(qtbot, signal, submit, timeout=60000):
    """Submit inside the wait (a fast job may report before a later connect) → (job id, event)."""
    ids = []
    with qtbot.waitSignal(signal, timeout=timeout,
                          check_params_cb=lambda ev: bool(ids) and ev.job_id == ids[0]) as blocker:
        ids.append(submit())
    return ids[0], blocker.args[0]


def test_generate_with_ctrl_enter_lands_as_new_layer(qtbot, workspace, worker, tiny_model):
    ws = workspace
    setup_panel(ws, tiny_model)
    ws.new_canvas(64, 64)
    previews = []
    worker.progress.connect(lambda p: previews.append(p.preview is not None))
    ws.activateWindow()
    ws.prompt_panel.prompt.setFocus()
    with qtbot.waitSignal(worker.finished_job, timeout=60000) as done:
        qtbot.keyClick(ws.prompt_panel.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert len(ws.jobs) == 1  # queued from the shortcut
    result = done.args[0]
    assert result.images[0].shape == (64, 64, 3) and result.seeds == (7,)
    doc = ws.model.doc
    assert len(doc.layers) == 2
    top = doc.layers[-1]
    assert "7" in top.name and (top.rgba[..., 3] == 255).all()
    assert np.array_equal(top.rgba[..., :3], result.images[0])
    assert any(previews)  # live previews were sent while it ran
    assert ws.prompt_panel.last_seed == 7 and ws.prompt_panel.reuse_seed_btn.isEnabled()
    assert ws.jobs == {} and ws.queue_panel.list.count() == 0
    ws.undo_action.trigger()  # one undo step removes the job's layers
    assert len(doc.layers) == 1
    # the same request is remembered in the prompt history
    assert ws.prompt_panel.history.items[0][0] == "a red cat"


def test_paint_mask_and_inpaint(qtbot, workspace, worker, tiny_model):
    ws = workspace
    setup_panel(ws, tiny_model, size=0)
    ws.new_canvas(256, 256)
    background = ws.model.doc.layers[0]
    background.rgba[:] = (200, 30, 30, 255)
    ws.model.repaint(None)
    before = background.rgba.copy()
    ws.tool_actions[Tool.MASK].trigger()
    ws.size_box.setValue(20)
    drag(ws.view, [(120, 120), (140, 130)])
    mask = ws.model.doc.mask.copy()
    assert mask[125, 130] == 255 and mask[10, 10] == 0

    sent = []
    worker.started_job.connect(lambda ev: sent.append(ws.jobs[ev.job_id].request) if ev.job_id in ws.jobs else None)
    job, result = run_job(qtbot, worker.finished_job, ws.inpaint)
    assert sent[0].init_image is not None and sent[0].mask is not None
    assert sent[0].init_image.shape[:2] == sent[0].mask.shape
    assert len(result.images) == 1
    layer = ws.model.doc.layers[-1]
    crop = Rect(layer.x, layer.y, layer.x + layer.rgba.shape[1], layer.y + layer.rgba.shape[0])
    # the new layer covers the mask with some context, its alpha is the mask
    assert crop.x0 <= 110 and crop.x1 >= 150
    assert np.array_equal(layer.rgba[..., 3], mask[crop.slices()])
    assert np.array_equal(background.rgba, before)  # the original is never touched


def test_generate_into_selection_and_outpaint(qtbot, workspace, worker, tiny_model):
    ws = workspace
    setup_panel(ws, tiny_model, size=0)
    ws.new_canvas(128, 128)
    ws.tool_actions[Tool.RECT_SELECT].trigger()
    drag(ws.view, [(10, 10), (60, 50)])
    run_job(qtbot, worker.finished_job, ws.generate_into_selection)
    layer = ws.model.doc.layers[-1]
    alpha = np.zeros((128, 128), np.uint8)
    alpha[layer.y:layer.y + layer.rgba.shape[0], layer.x:layer.x + layer.rgba.shape[1]] = layer.rgba[..., 3]
    assert (alpha[10:50, 10:60] == 255).all() and alpha[100, 100] == 0

    run_job(qtbot, worker.finished_job, lambda: ws.outpaint("right", 64))
    assert ws.model.doc.width == 192
    layer = ws.model.doc.layers[-1]
    assert layer.x + layer.rgba.shape[1] == 192
    assert layer.rgba[5, -1, 3] == 255  # the new strip is filled
    assert layer.rgba[5, 0, 3] == 0  # the context it saw is not replaced
    for _ in range(2):  # the result, then the canvas extension
        ws.undo_action.trigger()
    assert ws.model.doc.width == 128


def test_escape_stops_the_running_job(qtbot, workspace, worker, tiny_model):
    ws = workspace
    setup_panel(ws, tiny_model, steps=500)
    ws.new_canvas(64, 64)
    steps = []
    worker.progress.connect(lambda p: steps.append(p.step))
    job = ws.generate()
    qtbot.waitUntil(lambda: bool(steps), timeout=60000)
    assert ws.queue_panel.stop_btn.isEnabled()
    ws.activateWindow()
    ws.view.setFocus()
    with qtbot.waitSignal(worker.cancelled, timeout=20000,
                          check_params_cb=lambda ev: ev.job_id == job):
        qtbot.keyClick(ws.view, Qt.Key.Key_Escape)
    assert job not in ws.jobs and len(ws.model.doc.layers) == 1
    assert ws.view._preview is None


def test_queue_shows_only_our_jobs_and_cancels_a_waiting_one(qtbot, workspace, worker, tmp_path):
    from tests.foundation.graphs import matmul_tanh

    ws = workspace
    path, _ = matmul_tanh(tmp_path / "busy.onnx", 128)
    other = IterateRequest(str(path), np.ones((1, 128), np.float32), steps=10**8)
    with qtbot.waitSignal(worker.started_job, timeout=20000):
        worker.submit(other)  # someone else's long job keeps the worker busy
    first = ws.generate()
    second = ws.generate()
    assert ws.queue_panel.list.count() == 2  # the other workspace's job is not listed
    qtbot.wait(100)
    assert ws.queue_panel.progress.value() == 0  # its progress is not ours
    ws.queue_panel.list.setCurrentRow(1)
    qtbot.mouseClick(ws.queue_panel.up_btn, Qt.MouseButton.LeftButton)
    assert [r.job_id for r in worker.pending()[1:]] == [second, first]
    ws.queue_panel.list.setCurrentRow(0)
    with qtbot.waitSignal(worker.cancelled, check_params_cb=lambda ev: ev.job_id == second):
        qtbot.mouseClick(ws.queue_panel.cancel_btn, Qt.MouseButton.LeftButton)
    assert list(ws.jobs) == [first] and ws.queue_panel.list.count() == 1
    worker.cancel(other.job_id)
    worker.cancel(first)


def test_failed_job_shows_a_message_and_keeps_the_document(qtbot, workspace, worker):
    ws = workspace
    ws.model.doc.layers[0].rgba[:] = (1, 2, 3, 255)
    ws.prompt_panel.apply_request(ImageRequest(prompt="x", model_id="no-such-model"))
    job, ev = run_job(qtbot, worker.failed, ws.generate, timeout=30000)
    assert ws.message_bar.isVisibleTo(ws)
    assert "no-such-model" in ws.message_bar.text.text()
    assert "Traceback" not in ws.message_bar.text.text()
    assert ws.message_bar.details_btn.isVisibleTo(ws) == bool(ev.details)
    assert len(ws.model.doc.layers) == 1 and ws.model.doc.layers[0].rgba[0, 0, 2] == 3
    assert ws.jobs == {}


def test_apply_request_round_trip(workspace):
    panel = workspace.prompt_panel
    req = ImageRequest(prompt="猫 on a 🌙", negative_prompt="blurry", model_id="m", width=320,
                       height=192, steps=17, guidance=6.5, seed=99, scheduler="ddim", batch=3,
                       strength=0.4, fast=True)
    panel.apply_request(req)
    again = panel.build_request()
    for name in ("prompt", "negative_prompt", "model_id", "width", "height", "steps", "guidance",
                 "seed", "scheduler", "batch", "strength", "fast"):
        assert getattr(again, name) == pytest.approx(getattr(req, name)), name


def test_styles_apply_and_save(workspace):
    panel = workspace.prompt_panel
    panel.prompt.setPlainText("a fox")
    panel.apply_style("watercolor")
    assert panel.prompt.toPlainText().startswith("a fox, watercolor")
    panel.prompt.setPlainText("{prompt}, neon glow 霓虹")
    panel.negative.setPlainText("dull")
    panel.save_style("neon")
    from studio.ui.image.presets import StyleBook

    assert StyleBook().get("neon").prompt == "{prompt}, neon glow 霓虹"  # persisted
    panel.prompt.setPlainText("a city")
    panel.negative.setPlainText("")
    panel.apply_style("neon")
    assert panel.prompt.toPlainText() == "a city, neon glow 霓虹"
    assert panel.negative.toPlainText() == "dull"
    panel.style_box.setCurrentText("neon")
    panel.delete_style_btn.click()
    assert "neon" not in panel.styles.names() and StyleBook().get("neon") is None


def test_img2img_from_canvas_and_reproduce(qtbot, workspace, worker, tiny_model):
    ws = workspace
    setup_panel(ws, tiny_model, size=0)
    ws.new_canvas(96, 80)
    ws.model.doc.layers[0].rgba[:] = (0, 90, 200, 255)
    ws.from_canvas.setChecked(True)
    ws.prompt_panel.strength.setValue(0.5)
    job, result = run_job(qtbot, worker.finished_job, ws.generate)
    req = result.request
    assert req.init_image.shape == (80, 96, 3) and req.strength == 0.5
    assert (req.width, req.height) == (128, 128)  # generated at a multiple of 64, scaled back
    layer = ws.model.doc.layers[-1]
    assert layer.rgba.shape == (80, 96, 4) and (layer.x, layer.y) == (0, 0)

    # history → "reproduce": the same request again, its parameters shown in the panel
    again = ImageRequest(prompt="a blue dog", model_id=tiny_model, width=64, height=64, steps=2,
                         seed=31)
    _, result = run_job(qtbot, worker.finished_job, lambda: ws.submit_request(again))
    assert result.seeds == (31,)
    assert ws.prompt_panel.prompt.toPlainText() == "a blue dog"
    assert ws.model.doc.layers[-1].rgba.shape == (64, 64, 4)


@pytest.mark.slow
def test_generate_and_inpaint_with_the_built_in_model(qtbot, workspace, worker):
    from studio import paths

    if not (paths.builtin_models_dir() / "studio-emoji" / "manifest.json").exists():
        pytest.skip("the built-in studio-emoji model is not in this checkout")
    ws = workspace
    ws.prompt_panel.apply_request(ImageRequest(prompt="a smiling cat face", model_id="studio-emoji",
                                               seed=1))
    _, result = run_job(qtbot, worker.finished_job, ws.generate, timeout=120000)
    doc = ws.model.doc
    h, w = result.images[0].shape[:2]
    assert (doc.width, doc.height) == (w, h)  # the blank canvas took the model's size
    ws.tool_actions[Tool.MASK].trigger()
    ws.size_box.setValue(max(4, w // 4))
    drag(ws.view, [(w * 0.4, h * 0.5), (w * 0.6, h * 0.5)])
    _, result = run_job(qtbot, worker.finished_job, ws.inpaint, timeout=120000)
    top = ws.model.doc.layers[-1]
    assert top.name.startswith("inpaint") and top.rgba[..., 3].max() == 255
    assert len(ws.model.doc.layers) == 3
