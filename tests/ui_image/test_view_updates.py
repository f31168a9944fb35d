"""What the canvas, the queue list and the progress bars show, now that they draw ahead and
repaint only what changed: the cached canvas view follows every change, a preview repaints
only its own area, the queue list follows the worker, progress bars never repaint
synchronously."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPointF, QRect
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QProgressBar

from studio.canvas import Document, Rect
from studio.canvas.brush import Brush
from studio.canvas.edits import MASK
from studio.canvas.ops import AddLayer, Select, SetLayerProps, SetMask, Stroke
from studio.canvas.regions import rect_region
from studio.ui.image.canvas_view import CanvasView
from studio.ui.image.document_model import DocumentModel
from studio.ui.image.queue_panel import QueuePanel
from studio.ui.status import StudioStatusBar, set_progress


class PaintSpy(QObject):
    """Counts the paint events a widget gets and the area they cover."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, ev) -> bool:
        if ev.type() == QEvent.Type.Paint:
            self.rects.append(ev.rect())
        return False


def pixels(image: QImage) -> np.ndarray:
    img = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    arr = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * img.height())
    return arr.reshape(img.height(), img.bytesPerLine())[:, :img.width() * 4].reshape(
        img.height(), img.width(), 4).astype(int)


def direct(view: CanvasView) -> np.ndarray:
    """The whole widget drawn straight from the document, the way paintEvent drew it before
    the cache (no preview), with the selection outline."""
    img = QImage(view.size(), QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    view._draw_canvas(p, view.rect())
    view._paint_overlays(p)
    p.end()
    return pixels(img)


def shown(view: CanvasView) -> np.ndarray:
    return pixels(view.grab().toImage())


def assert_shows_document(view: CanvasView) -> None:
    diff = np.abs(shown(view) - direct(view)).max(axis=2)
    # smooth scaling of a part can differ from scaling the whole by a rounding step or two
    # along the part's edge; a stale cache differs by the painted colours themselves
    assert diff.max() <= 16 and (diff > 2).mean() < 0.002, (diff.max(), (diff > 2).sum())


@pytest.fixture
def view(qtbot):
    rng = np.random.default_rng(0)
    doc = Document(700, 500)
    doc.layers[0].rgba[:] = rng.integers(0, 255, (500, 700, 4), np.uint8)
    doc.layers[0].rgba[100:300, 100:400, 3] = 0  # a hole: the checkerboard shows through
    model = DocumentModel(doc)
    v = CanvasView(model)
    qtbot.addWidget(v)
    v.resize(900, 640)
    v.show()
    qtbot.waitExposed(v)
    v._mouse = None  # no brush outline in the pictures
    return v


def stroke(view: CanvasView, y: float, color=(200, 10, 10)) -> None:
    """A brush stroke the way the canvas paints one: each dab repaints only its rectangle."""
    model, doc = view.model, view.model.doc
    s = Stroke(doc, doc.active_id, Brush(size=30, color=color), model.memory)
    for i in range(25):
        r = s.add(120 + 12 * i, y + 4 * i)
        model.repaint(r)
        view.repaint(view.view_rect(r))
    model.push(s.finish())


@pytest.mark.parametrize("zoom, offset", [(0.37, (13.3, 40.6)), (1.0, (20.5, 7.0)),
                                          (2.5, (-300.25, -200.7))])
def test_cached_view_follows_every_change(view, zoom, offset):
    view.zoom, view.offset = zoom, QPointF(*offset)
    view.repaint()
    before = shown(view)
    stroke(view, 120)
    assert_shows_document(view)
    assert np.abs(shown(view) - before).max() > 100  # the stroke is there
    model, doc = view.model, view.model.doc
    model.apply(SetMask(rect_region(700, 500, Rect(50, 50, 300, 90))))  # mask tint appears
    view.repaint()
    assert_shows_document(view)
    model.apply(Select(rect_region(700, 500, Rect(400, 300, 600, 450))))
    view.repaint()
    assert_shows_document(view)
    model.apply(AddLayer("top", np.full((500, 700, 3), 90, np.uint8)))
    model.apply(SetLayerProps(doc.layers[-1].id, visible=False))
    view.repaint()
    assert_shows_document(view)
    model.undo_stack.undo()  # shown again: all grey under the tints
    model.apply(SetMask(None, "Clear mask"))
    view.repaint()
    assert_shows_document(view)
    view.zoom *= 0.8  # zoom and pan redraw it all
    view.offset += QPointF(7.5, -3.25)
    view.repaint()
    assert_shows_document(view)


def test_mask_tint_comes_and_goes(view):
    view.actual_size()
    model, doc = view.model, view.model.doc
    doc.layers[0].rgba[:] = (255, 255, 255, 255)
    model.repaint(None)
    view.repaint()
    p = view.to_view(QPointF(60, 60)).toPoint()
    assert view.grab().toImage().pixelColor(p).green() == 255  # no mask: plain white
    s = Stroke(doc, MASK, Brush(size=40), model.memory)  # the mask brush
    model.repaint(s.add(60, 60))
    model.push(s.finish())
    view.repaint()
    tinted = view.grab().toImage().pixelColor(p)
    assert tinted.red() > tinted.green() + 50  # red tint over the masked part
    model.apply(SetMask(None, "Clear mask"))
    view.repaint()
    assert view.grab().toImage().pixelColor(p).green() == 255
    assert not view._mask_any  # an empty mask is not drawn at all


def test_preview_repaints_only_its_area_and_shows_scaled(view, qtbot):
    view.fit()
    view.repaint()
    spy = PaintSpy(view)
    area = Rect(100, 100, 420, 340)
    preview = np.zeros((30, 40, 3), np.uint8)
    preview[:] = (0, 255, 0)
    view.show_preview(preview, area)
    qtbot.waitUntil(lambda: bool(spy.rects))
    bound = view.view_rect(area)
    assert all(bound.contains(r) for r in spy.rects)  # not the whole canvas
    img = view.grab().toImage()
    inside = img.pixelColor(view.to_view(QPointF(260, 220)).toPoint())
    outside = img.pixelColor(view.to_view(QPointF(600, 450)).toPoint())
    assert (inside.red(), inside.green(), inside.blue()) == (0, 255, 0)
    assert (outside.red(), outside.green(), outside.blue()) != (0, 255, 0)
    spy.rects.clear()
    view.show_preview(None)  # cleared: its area shows the canvas again
    qtbot.waitUntil(lambda: bool(spy.rects))
    assert all(bound.contains(r) for r in spy.rects)
    assert_shows_document(view)
    spy.rects.clear()
    view.show_preview(None)  # nothing to clear: nothing repainted
    QApplication.processEvents()
    assert spy.rects == []


def test_progress_bars_never_repaint_synchronously(qtbot):
    bar = QProgressBar()
    qtbot.addWidget(bar)
    bar.setTextVisible(True)
    bar.show()
    qtbot.waitExposed(bar)
    spy = PaintSpy(bar)
    for step in range(1, 6):
        set_progress(bar, 0, 5, step)  # QProgressBar.setValue would paint the window right here
    assert spy.rects == []
    assert (bar.minimum(), bar.maximum(), bar.value()) == (0, 5, 5)
    assert bar.updatesEnabled()
    qtbot.waitUntil(lambda: bool(spy.rects))  # painted with the next update instead
    set_progress(bar, 0, 0, -1)  # busy, then back: reset() would repaint synchronously too
    set_progress(bar, 0, 9, 3)
    assert (bar.minimum(), bar.maximum(), bar.value()) == (0, 9, 3)


def test_status_bar_progress_and_queue_label(qtbot):
    from studio.jobs import JobStarted, Progress

    status = StudioStatusBar()
    qtbot.addWidget(status)
    status.show()
    status.set_queue(1)
    assert status.queue.text() == "Queue: 1"  # the first change shows at once
    for n in range(2, 300):
        status.set_queue(n)  # a burst: shown together a moment later
    qtbot.waitUntil(lambda: status.queue.text() == "Queue: 299", timeout=2000)
    status.set_queue(0)
    qtbot.waitUntil(lambda: status.queue.text() == "Queue: 0", timeout=2000)
    status.job_started(JobStarted(7, "image"))
    spy = PaintSpy(status.bar)
    status.job_progress(Progress(7, 3, 20, rate=2.5, unit="steps"))
    assert spy.rects == [] and status.bar.value() == 3 and status.bar.maximum() == 20
    assert status.speed.text() == "2.5 steps/s"
    status.job_progress(Progress(8, 9, 20, rate=1.0, unit="steps"))  # not the running job
    assert status.bar.value() == 3


def test_queue_panel_steps_and_full_picture_agree(qtbot):
    panel = QueuePanel()
    qtbot.addWidget(panel)
    panel.show()

    def rows():
        return [panel.list.item(i).text() for i in range(panel.list.count())]

    for job in (1, 2, 3, 4):
        panel.add_job(job, f"job {job}")
    panel.set_running(1)
    assert rows() == ["▶ job 1", "⏳ job 2", "⏳ job 3", "⏳ job 4"]
    assert panel.stop_btn.isEnabled()
    panel.remove_job(3)
    panel.remove_job(99)  # not ours: nothing happens
    assert rows() == ["▶ job 1", "⏳ job 2", "⏳ job 4"]
    panel.list.setCurrentRow(2)  # job 4 stays selected when the order changes
    panel.set_jobs([(1, "job 1"), (4, "job 4"), (2, "job 2")], 1)
    assert rows() == ["▶ job 1", "⏳ job 4", "⏳ job 2"] and panel.selected_job() == 4
    panel.set_jobs([(1, "job 1"), (4, "job 4"), (2, "job 2"), (5, "job 5")], 4)  # appended
    assert rows() == ["⏳ job 1", "▶ job 4", "⏳ job 2", "⏳ job 5"]
    panel.set_jobs([(4, "job 4"), (5, "job 5")], 4)  # removed, order kept
    assert rows() == ["▶ job 4", "⏳ job 5"]
    panel.show_progress(2, 8, 1.5, "steps")
    assert panel.progress.value() == 2 and panel.progress.format() == "2/8"
    panel.remove_job(4)
    panel.set_running(None)
    assert rows() == ["⏳ job 5"] and not panel.stop_btn.isEnabled()
    assert panel.progress.value() == 0 and panel.rate.text() == ""
    for job in range(100, 400):  # a burst: the list is repainted in batches, never left frozen
        panel.add_job(job, f"job {job}")
    assert panel.list.count() == 301
    qtbot.waitUntil(panel.list.updatesEnabled, timeout=2000)
    panel.set_jobs([], None)
    assert panel.list.count() == 0
    qtbot.waitUntil(panel.list.updatesEnabled, timeout=2000)


def test_workspace_queue_list_follows_the_worker(qtbot, workspace, worker, tmp_path):
    from studio.jobs import ImageRequest, IterateRequest
    from tests.foundation.graphs import matmul_tanh

    ws = workspace
    path, _ = matmul_tanh(tmp_path / "busy.onnx", 128)
    other = IterateRequest(str(path), np.ones((1, 128), np.float32), steps=10**8)
    with qtbot.waitSignal(worker.started_job, timeout=20000):
        worker.submit(other)  # keeps the worker busy: ours wait
    jobs = [ws.submit_request(ImageRequest(f"job {i}", seed=i)) for i in range(30)]
    assert ws.queue_panel._ids == jobs and ws.queue_panel.list.count() == 30  # at once
    worker.cancel(jobs[5])  # someone else cancels one of ours
    assert ws.queue_panel.list.count() == 29
    worker.move(jobs[10], -1)  # and moves one: the list catches up within the turn
    expected = [r.job_id for r in worker.pending() if r.job_id in ws.jobs]
    qtbot.waitUntil(lambda: ws.queue_panel._ids == expected, timeout=2000)
    worker.cancel_all()
    qtbot.waitUntil(lambda: ws.queue_panel.list.count() == 0 and not ws.jobs, timeout=5000)
    qtbot.waitUntil(ws.queue_panel.list.updatesEnabled, timeout=2000)


def test_mask_tiles_see_the_whole_tile(view):
    """A change that covers only part of a tile must not hide the rest of the tile's mask."""
    model, doc = view.model, view.model.doc
    doc.mask[50, 50] = 255  # tile (0, 0), outside the next change
    model.repaint(Rect(0, 0, 700, 500))
    assert view._mask_any
    doc.mask[10, 10] = 255
    model.repaint(Rect(10, 10, 11, 11))
    doc.mask[10, 10] = 0
    model.repaint(Rect(10, 10, 11, 11))
    assert view._mask_any  # row 50 of the same tile is still masked
    doc.mask[50, 50] = 0
    model.repaint(Rect(40, 40, 60, 60))
    assert not view._mask_any
