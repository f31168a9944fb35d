"""The Image workspace: prompt panel, layered canvas, layers and queue. Main thread only.

It builds ``ImageRequest``s, hands them to the shared worker and ignores events of jobs it did
not submit. Results land as new layers (one undo step per job); failures show in a message bar
under the canvas and never touch the document.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QMenu,
                               QScrollArea, QSizePolicy, QSpinBox, QSplitter, QTabWidget,
                               QToolBar, QToolButton, QVBoxLayout, QWidget)

from studio.canvas import Document, Rect
from studio.canvas import files as docfiles
from studio.canvas.ops import (AddLayer, ResizeCanvas, Select, SetMask, extend_for_outpaint,
                               image_layer_from)
from studio.jobs import ImageRequest, ImageResult, UserError
from studio.ui.image.canvas_actions import CanvasActions
from studio.ui.image.canvas_view import CanvasView, Tool
from studio.ui.image.document_model import DocumentModel
from studio.ui.image.generation import JobTarget, masked_job, result_layer, whole_canvas_job
from studio.ui.image.layers_panel import LayersPanel
from studio.ui.image.message_bar import MessageBar
from studio.ui.image.prompt_panel import PromptPanel
from studio.ui.image.queue_panel import QueuePanel

log = logging.getLogger(__name__)

OUTPAINT_PIXELS = 128
AUTOSAVE_COPY_LIMIT = 256 << 20  # above this many layer bytes, autosave shares the arrays


@dataclass
class Job:
    request: ImageRequest
    target: JobTarget


class ImageWorkspace(CanvasActions, QWidget):
    """Signals:
        status_message(str): transient status-bar text.
    """

    status_message = Signal(str)
    _saved = Signal(str, str, int)  # path, error ("" = saved), undo index it was taken at

    def __init__(self, worker, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.settings = settings
        self.jobs: dict[int, Job] = {}
        self._running: int | None = None
        self._autosave_thread: threading.Thread | None = None
        self._save_thread: threading.Thread | None = None
        self._saved.connect(self._on_saved)
        # the worker says "the queue changed" once per job queued; the list is checked against
        # the worker's queue once per event-loop turn, not once per job
        self._queue_check = QTimer(self)
        self._queue_check.setSingleShot(True)
        self._queue_check.setInterval(0)
        self._queue_check.timeout.connect(self._sync_queue)
        self._submitting = False

        self.model = DocumentModel(parent=self)
        self.view = CanvasView(self.model, self)
        self.view.setObjectName("canvas")
        self.prompt_panel = PromptPanel(getattr(settings, "image_model", ""), self)
        self.layers_panel = LayersPanel(self.model, self)
        self.queue_panel = QueuePanel(self)
        self.message_bar = MessageBar(self)
        self._build_layout()
        self._build_actions()

        self.prompt_panel.generate_requested.connect(self.generate)
        self.queue_panel.cancel_requested.connect(self.worker.cancel)
        self.queue_panel.move_requested.connect(self._move_job)
        self.queue_panel.cancel_current_requested.connect(self.cancel_current)
        self.view.files_dropped.connect(self.open_files)
        self.view.image_dropped.connect(lambda rgba: self.add_image_layer(rgba, self.tr("Dropped image")))
        self.view.cursor_moved.connect(self._show_cursor)
        self.view.color_picked.connect(self.set_color)
        self.model.undo_stack.cleanChanged.connect(self._update_title)

        worker.started_job.connect(self._on_started)
        worker.progress.connect(self._on_progress)
        worker.notice.connect(self._on_notice)
        worker.finished_job.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        worker.queue_changed.connect(self._refresh_queue)

    # ── layout ──
    def _build_layout(self) -> None:
        # left: prompt panel, then the canvas generation buttons under it
        self.gen_box = QWidget(self)
        self.gen_grid = QGridLayout(self.gen_box)
        self.gen_grid.setContentsMargins(9, 0, 9, 9)
        left_inner = QWidget(self)
        ll = QVBoxLayout(left_inner)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.prompt_panel, 1)
        ll.addWidget(self.gen_box)
        left = QScrollArea(self)
        left.setWidgetResizable(True)
        left.setWidget(left_inner)
        left.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left.setMinimumWidth(360)

        # centre: brush settings on top, tools down the left side of the canvas
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("canvas-tools")
        self.toolbar.setOrientation(Qt.Orientation.Vertical)
        self.brush_bar = QToolBar(self)
        self.info = QLabel(self)
        centre = QWidget(self)
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(2)
        cl.addWidget(self.brush_bar)
        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(self.toolbar)
        row.addWidget(self.view, 1)
        cl.addLayout(row, 1)
        cl.addWidget(self.message_bar)
        cl.addWidget(self.info)

        right = QTabWidget(self)
        right.addTab(self.layers_panel, self.tr("Layers"))
        right.addTab(self.queue_panel, self.tr("Queue"))
        self.side_tabs = right
        right.setMinimumWidth(220)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(centre)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([370, 780, 250])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    def _action(self, text: str, slot, shortcut: str | QKeySequence | None = None,
                tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if tip:
            a.setToolTip(tip)
        a.triggered.connect(lambda _checked=False: self._guard(slot))
        self.addAction(a)
        return a

    def _guard(self, slot) -> None:
        """User errors from an action become a message, not an exception."""
        try:
            slot()
        except UserError as exc:
            self.message_bar.show_message(str(exc))

    def _build_actions(self) -> None:
        # tools
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[Tool, QAction] = {}
        for tool, text, short, key in (
                (Tool.BRUSH, self.tr("Brush"), self.tr("Brush"), "B"), (Tool.ERASER, self.tr("Eraser"), self.tr("Eraser"), "E"),
                (Tool.MASK, self.tr("Mask brush"), self.tr("Mask"), "M"),
                (Tool.MASK_ERASER, self.tr("Mask eraser"), self.tr("Unmask"), "Shift+M"),
                (Tool.FILL, self.tr("Fill"), self.tr("Fill"), "G"),
                (Tool.RECT_SELECT, self.tr("Rectangle select"), self.tr("Rectangle"), "R"),
                (Tool.LASSO, self.tr("Lasso select"), self.tr("Lasso"), "L"), (Tool.MOVE, self.tr("Move"), self.tr("Move"), "V"),
                (Tool.PAN, self.tr("Pan"), self.tr("Pan"), "H")):
            a = self._action(text, lambda t=tool: self.view.set_tool(t), key)
            a.setIconText(short)
            a.setToolTip(f"{text} ({key})")
            a.setCheckable(True)
            self.tool_group.addAction(a)
            self.toolbar.addAction(a)
            self.tool_actions[tool] = a
        self.tool_actions[Tool.BRUSH].setChecked(True)
        self.size_box = QSpinBox(self)
        self.size_box.setRange(1, 1000)
        self.size_box.setValue(int(self.view.brush_size))
        self.size_box.setToolTip(self.tr("Brush size (px)"))
        self.size_box.valueChanged.connect(lambda v: setattr(self.view, "brush_size", float(v)))
        self.hardness_box = QDoubleSpinBox(self)
        self.hardness_box.setRange(0, 1)
        self.hardness_box.setSingleStep(0.1)
        self.hardness_box.setValue(self.view.brush_hardness)
        self.hardness_box.setToolTip(self.tr("Brush hardness"))
        self.hardness_box.valueChanged.connect(lambda v: setattr(self.view, "brush_hardness", float(v)))
        self.color_btn = QToolButton(self)
        self.color_btn.setToolTip(self.tr("Brush colour"))
        self.color_btn.clicked.connect(self.choose_color)
        self._show_color()
        self.brush_bar.addWidget(QLabel(self.tr(" Size "), self))
        self.brush_bar.addWidget(self.size_box)
        self.brush_bar.addWidget(QLabel(self.tr(" Hardness "), self))
        self.brush_bar.addWidget(self.hardness_box)
        self.brush_bar.addWidget(self.color_btn)
        self.brush_bar.addSeparator()

        # view, edit, canvas
        self.bigger_action = self._action(self.tr("Bigger brush"), lambda: self.size_box.setValue(
            round(self.size_box.value() * 1.25) + 1), "]")
        self.smaller_action = self._action(self.tr("Smaller brush"), lambda: self.size_box.setValue(
            max(1, round(self.size_box.value() / 1.25))), "[")
        self.fit_action = self._action(self.tr("Fit to window"), self.view.fit, "Ctrl+0")
        self.actual_action = self._action(self.tr("Actual pixels (100 %)"), self.view.actual_size, "Ctrl+Alt+0")
        self.fit_action.setIconText(self.tr("Fit"))
        self.actual_action.setIconText(self.tr("100 %"))
        self.brush_bar.addAction(self.fit_action)
        self.brush_bar.addAction(self.actual_action)
        self.undo_action = self.model.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.model.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
        self.copy_action = self._action(self.tr("&Copy image"), self.copy_image, QKeySequence.StandardKey.Copy)
        self.paste_action = self._action(self.tr("&Paste as layer"), self.paste_image, QKeySequence.StandardKey.Paste)
        self.select_all_action = self._action(self.tr("Select &all"), self.select_all, QKeySequence.StandardKey.SelectAll)
        self.deselect_action = self._action(self.tr("&Deselect"), lambda: self.model.apply(Select(None)), "Ctrl+Shift+A")
        self.crop_action = self._action(self.tr("&Crop to selection"), self.crop_to_selection)
        self.resize_action = self._action(self.tr("Canvas &size…"), self.resize_canvas_dialog)
        self.scale_action = self._action(self.tr("&Scale layer or selection…"), self.scale_dialog)
        self.add_layer_action = self._action(self.tr("New &layer"), self.layers_panel.add_layer, "Ctrl+Shift+N")
        self.merge_action = self._action(self.tr("&Merge down"), self.layers_panel.merge_down, "Ctrl+E")
        self.dup_action = self._action(self.tr("D&uplicate layer"), self.layers_panel.duplicate_layer, "Ctrl+J")
        self.clear_mask_action = self._action(self.tr("Clear mask"), lambda: self.model.apply(SetMask(None, "Clear mask")))
        self.mask_sel_action = self._action(self.tr("Mask from selection"), self.mask_from_selection)

        # generation
        self.generate_action = self._action(self.tr("&Generate"), self.generate, "Ctrl+Return",
                                            self.tr("Add a job to the queue"))
        self.generate_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.cancel_action = self._action(self.tr("&Stop current job"), self.cancel_current, "Esc",
                                          self.tr("Stop the running job at its next step (Esc)"))
        self.inpaint_action = self._action(self.tr("&Inpaint"), self.inpaint, "Ctrl+I",
                                           self.tr("Regenerate the masked area"))
        self.fill_sel_action = self._action(self.tr("Generate into &selection"), self.generate_into_selection,
                                            "Ctrl+Shift+G", self.tr("Fill the selection with a new picture"))
        self.outpaint_menu = QMenu(self.tr("&Outpaint"), self)
        for side, text in (("left", self.tr("Left")), ("right", self.tr("Right")), ("top", self.tr("Top")),
                           ("bottom", self.tr("Bottom"))):
            a = self._action(text, lambda s=side: self.outpaint(s))
            self.outpaint_menu.addAction(a)
        self.from_canvas = QCheckBox(self.tr("Start from the canvas (img2img)"), self)
        self.from_canvas.setToolTip(self.tr("Generate starts from the visible canvas; Strength says how much changes"))

        def button(action: QAction) -> QToolButton:
            b = QToolButton(self)
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            return b

        out_btn = QToolButton(self)
        out_btn.setText(self.tr("Outpaint"))
        out_btn.setToolTip(self.tr("Extend the canvas on one side and fill the new strip"))
        out_btn.setMenu(self.outpaint_menu)
        out_btn.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        out_btn.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.fill_sel_action.setIconText(self.tr("Into selection"))
        self.mask_sel_action.setIconText(self.tr("Selection → mask"))
        self.cancel_action.setIconText(self.tr("Stop"))
        g = self.gen_grid
        g.addWidget(self.from_canvas, 0, 0, 1, 3)
        g.addWidget(button(self.inpaint_action), 1, 0)
        g.addWidget(button(self.fill_sel_action), 1, 1)
        g.addWidget(out_btn, 1, 2)
        g.addWidget(button(self.mask_sel_action), 2, 0)
        g.addWidget(button(self.clear_mask_action), 2, 1)
        g.addWidget(button(self.cancel_action), 2, 2)

        self.brush_bar.addSeparator()
        self.brush_bar.addAction(self.undo_action)
        self.brush_bar.addAction(self.redo_action)

        # files
        self.new_action = self._action(self.tr("&New canvas…"), self.new_canvas_dialog)
        self.open_action = self._action(self.tr("&Open…"), self.open_dialog, QKeySequence.StandardKey.Open)
        self.save_action = self._action(self.tr("&Save"), self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = self._action(self.tr("Save &as…"), self.save_as, "Ctrl+Shift+S")
        self.export_action = self._action(self.tr("&Export flattened image…"), self.export_dialog, "Ctrl+Shift+E")

    def menus(self) -> list[QMenu]:
        """Menus shown in the menubar while this workspace is active."""
        canvas = QMenu(self.tr("&Canvas"), self)
        canvas.addActions([self.new_action, self.open_action, self.save_action, self.save_as_action,
                           self.export_action])
        canvas.addSeparator()
        canvas.addActions([self.undo_action, self.redo_action])
        canvas.addSeparator()
        canvas.addActions([self.copy_action, self.paste_action, self.select_all_action,
                           self.deselect_action, self.crop_action, self.resize_action,
                           self.scale_action])
        canvas.addSeparator()
        canvas.addActions([self.add_layer_action, self.dup_action, self.merge_action,
                           self.fit_action, self.actual_action])
        tools = canvas.addMenu(self.tr("&Tools"))
        tools.addActions(list(self.tool_actions.values()))
        tools.addSeparator()
        tools.addActions([self.bigger_action, self.smaller_action])
        gen = QMenu(self.tr("&Generate"), self)
        gen.addActions([self.generate_action, self.cancel_action])
        gen.addSeparator()
        gen.addActions([self.inpaint_action, self.fill_sel_action])
        gen.addMenu(self.outpaint_menu)
        gen.addSeparator()
        gen.addActions([self.clear_mask_action, self.mask_sel_action])
        return [canvas, gen]

    # ── generation ──
    def _submit(self, target: JobTarget, **fields) -> int:
        panel = self.prompt_panel
        if target.rect is not None and panel.width_box.value() and panel.height_box.value():
            # an explicit size generates the region at that size (e.g. a small model's native
            # size); the result is scaled back onto the region
            fields.update(width=panel.width_box.value(), height=panel.height_box.value())
        request = panel.build_request(**fields)
        self.prompt_panel.remember(request)
        job_id = self._queue(request)
        self.jobs[job_id] = Job(request, target)
        self.queue_panel.add_job(job_id, target.label)  # the worker queued it last
        self.status_message.emit(self.tr("Queued: {0}").format(target.label))
        return job_id

    def _label(self, what: str) -> str:
        text = self.prompt_panel.prompt.toPlainText().strip().replace("\n", " ")
        return f"{what}: {text[:40]}" if text else what

    def generate(self) -> int:
        """Queue a txt2img job (img2img of the canvas when "Start from canvas" is on)."""
        if self.from_canvas.isChecked():
            fields, target = whole_canvas_job(self.model.doc, self._label(self.tr("Img2img")))
            return self._submit(target, **fields)
        return self._submit(JobTarget("txt2img", None, None, self._label(self.tr("Generate"))),
                            init_image=None, mask=None)

    def inpaint(self) -> int:
        fields, target = masked_job(self.model.doc, self.model.doc.mask, "inpaint",
                                    self._label(self.tr("Inpaint")))
        return self._submit(target, **fields)

    def generate_into_selection(self) -> int:
        sel = self.model.doc.selection
        if sel is None or not sel.any():
            raise UserError(self.tr("Select an area first (rectangle or lasso select)."))
        fields, target = masked_job(self.model.doc, sel.astype(np.uint8) * 255, "selection",
                                    self._label(self.tr("Into selection")))
        return self._submit(target, strength=1.0, **fields)

    def outpaint(self, side: str, amount: int = OUTPAINT_PIXELS) -> int:
        """Extend the canvas on `side` (an undoable step) and fill the new strip."""
        op, area = extend_for_outpaint(self.model.doc, side, amount)
        self.model.apply(op)
        mask = np.zeros((self.model.doc.height, self.model.doc.width), np.uint8)
        mask[area.slices()] = 255
        fields, target = masked_job(self.model.doc, mask, "outpaint", self._label(self.tr("Outpaint")))
        return self._submit(target, strength=1.0, **fields)

    def cancel_current(self) -> None:
        """Stop our running job at its next step (the other workspace's jobs are left alone)."""
        if self._running is not None:
            self.worker.cancel(self._running)

    def submit_request(self, request: ImageRequest) -> int:
        """Run a request as is (history → "reproduce"); the result lands as a new layer."""
        self.apply_request(request)
        target = JobTarget("txt2img", None, None, self._label(self.tr("Reproduce")))
        if request.init_image is not None and request.mask is None:
            target = JobTarget("img2img", None, None, target.label)
        job_id = self._queue(request)
        self.jobs[job_id] = Job(request, target)
        self.queue_panel.add_job(job_id, target.label)  # the worker queued it last
        return job_id

    reproduce = submit_request

    # ── worker events (ignore other workspaces' jobs) ──
    def _on_started(self, ev) -> None:
        if ev.job_id in self.jobs:
            self._running = ev.job_id
            self.queue_panel.set_running(ev.job_id)
            self.side_tabs.setCurrentWidget(self.queue_panel)

    def _on_progress(self, p) -> None:
        job = self.jobs.get(p.job_id)
        if job is None:
            return
        self.queue_panel.show_progress(p.step, p.total, p.rate, p.unit)
        self.info.setText(self.tr("{0}: step {1}/{2} · {3:.1f} {4}/s").format(
            job.target.label, p.step, p.total, p.rate, p.unit))
        if p.preview is not None:
            self.view.show_preview(p.preview, self._preview_rect(job, p.preview))

    def _preview_rect(self, job: Job, preview: np.ndarray) -> Rect:
        if job.target.rect is not None:
            return job.target.rect
        # previews are latent-sized (1/8 of the image, the SD VAE factor)
        r = job.request
        return Rect(0, 0, r.width or preview.shape[1] * 8, r.height or preview.shape[0] * 8)

    def _on_notice(self, n) -> None:
        if n.job_id in self.jobs:
            self.status_message.emit(n.message)

    def _on_finished(self, result) -> None:
        job = self.jobs.pop(result.job_id, None)
        if job is None or not isinstance(result, ImageResult):
            return
        self._job_over(result.job_id)
        self.view.show_preview(None)
        if not result.images:
            return
        self._land(result, job)
        if result.seeds:
            self.prompt_panel.set_last_seed(int(result.seeds[-1]))
        secs = result.stats.seconds
        self.status_message.emit(self.tr("{0} image(s) in {1:.1f} s on {2}").format(
            len(result.images), secs, result.stats.device or "?"))

    def _land(self, result: ImageResult, job: Job) -> None:
        """Each image becomes a new layer; one undo step for the whole job."""
        doc = self.model.doc
        stack = self.model.undo_stack
        stack.beginMacro(self.tr("Generated layers"))
        try:
            first = result.images[0]
            if job.target.rect is None and self._blank(doc) and \
                    (first.shape[1], first.shape[0]) != (doc.width, doc.height):
                self.model.apply(ResizeCanvas(first.shape[1], first.shape[0], "top-left",
                                              "Fit canvas to image"))
            for i, image in enumerate(result.images):
                rgba, x, y = result_layer(image, job.target)
                seed = result.seeds[i] if i < len(result.seeds) else ""
                name = f"{job.target.kind} {seed} · {job.request.prompt[:30]}".strip(" ·")
                self.model.apply(AddLayer(name, rgba, x, y, index=len(self.model.doc.layers)))
        finally:
            stack.endMacro()
        self.side_tabs.setCurrentWidget(self.layers_panel)

    @staticmethod
    def _blank(doc: Document) -> bool:
        return all(l.rgba.size == 0 or not l.rgba[..., 3].any() for l in doc.layers)

    def _on_failed(self, ev) -> None:
        if self.jobs.pop(ev.job_id, None) is None:
            return
        self._job_over(ev.job_id)
        self.view.show_preview(None)
        self.message_bar.show_message(self.tr("The image could not be generated: {0}").format(ev.message),
                                      ev.details)

    def _on_cancelled(self, ev) -> None:
        if self.jobs.pop(ev.job_id, None) is None:
            return
        self._job_over(ev.job_id)
        self.view.show_preview(None)
        self.status_message.emit(self.tr("Job cancelled."))

    def _job_over(self, job_id: int) -> None:
        if self._running == job_id:
            self._running = None
            self.info.setText("")
        self.queue_panel.remove_job(job_id)
        self.queue_panel.set_running(self._running)

    def _queue(self, request: ImageRequest) -> int:
        self._submitting = True  # its queue_changed is this append, which add_job shows
        try:
            return self.worker.submit(request)
        finally:
            self._submitting = False

    def _move_job(self, job_id: int, delta: int) -> None:
        self.worker.move(job_id, delta)
        self._sync_queue()  # show the new order now

    def _refresh_queue(self, *_args) -> None:
        """The worker's queue changed: check the list against it later in this event-loop turn."""
        if not self._submitting and not self._queue_check.isActive():
            self._queue_check.start()

    def _sync_queue(self) -> None:
        """Show our jobs in the worker's order (the running one first)."""
        self._queue_check.stop()
        jobs = self.jobs
        mine = [r.job_id for r in self.worker.pending() if r.job_id in jobs]
        self.queue_panel.set_jobs([(j, jobs[j].target.label) for j in mine], self._running)

    def my_jobs(self) -> list[int]:
        return list(self.jobs)

    # ── public API for the main window and history pane ──
    def apply_request(self, request) -> None:
        if isinstance(request, ImageRequest):
            self.prompt_panel.apply_request(request)

    def import_parameters(self, params: dict) -> None:
        self.prompt_panel.import_parameters(params)

    def add_image_layer(self, image, name: str = "") -> None:
        """Add an image (H×W×3/4 uint8 array or file path) as a new top layer."""
        try:
            rgba = image_layer_from(image, name)
        except UserError as exc:
            self.message_bar.show_message(str(exc))
            return
        if not name:
            name = Path(image).stem if isinstance(image, (str, Path)) else self.tr("Image")
        stack = self.model.undo_stack
        stack.beginMacro(self.tr("Add image"))
        try:
            doc = self.model.doc
            if self._blank(doc) and (rgba.shape[1], rgba.shape[0]) != (doc.width, doc.height):
                self.model.apply(ResizeCanvas(rgba.shape[1], rgba.shape[0], "top-left", "Fit canvas to image"))
            self.model.apply(AddLayer(name, rgba, index=len(self.model.doc.layers)))
        finally:
            stack.endMacro()

    def has_unsaved(self) -> bool:
        return not self.model.undo_stack.isClean()

    def has_autosave(self) -> bool:
        return docfiles.autosave_path().exists()

    def autosave(self, wait: bool = False) -> None:
        """Write the document to the autosave folder (crash-safe). Called every minute and on close.

        The pixels are snapshotted here and encoded on a background thread (a big layered ORA
        takes seconds to compress), so the UI never waits; `wait=True` writes before returning.
        """
        if not self.has_unsaved():
            return
        busy = self._autosave_thread is not None and self._autosave_thread.is_alive()
        if busy and not wait:
            return  # the previous autosave is still writing; the next tick catches up
        self.wait_autosave()
        doc = self.model.doc
        # a crash-recovery copy may show a stroke made during the write half-done; for big
        # documents that beats doubling their memory every minute
        big = sum(l.rgba.nbytes for l in doc.layers) > AUTOSAVE_COPY_LIMIT
        snapshot = doc.copy(pixels=not big)
        if wait:
            docfiles.write_autosave(snapshot)
            return
        self._autosave_thread = threading.Thread(target=self._write_autosave, args=(snapshot,),
                                                 name="image-autosave", daemon=True)
        self._autosave_thread.start()

    def _write_autosave(self, doc: Document) -> None:
        """Autosave thread only: no Qt objects are touched except emitting a (queued) signal."""
        try:
            docfiles.write_autosave(doc)
        except Exception as exc:  # noqa: BLE001 - an autosave failure must be visible, not fatal
            log.warning("image autosave failed: %s", exc)
            self.status_message.emit(self.tr("Autosave failed: {0}").format(exc))

    def wait_autosave(self) -> None:
        if self._autosave_thread is not None:
            self._autosave_thread.join()
            self._autosave_thread = None

    def restore_autosave(self) -> bool:
        doc = docfiles.read_autosave()
        if doc is None:
            return False
        self.model.replace(doc)
        self.model.undo_stack.resetClean()  # restored work is not saved anywhere yet
        self.status_message.emit(self.tr("Restored the autosaved canvas."))
        return True

    def shutdown(self) -> None:
        for job_id in list(self.jobs):
            self.worker.cancel(job_id)
        self.wait_save()
        try:
            self.autosave(wait=True)
        except Exception as exc:  # noqa: BLE001 - closing must go on
            log.warning("image autosave failed: %s", exc)


Workspace = ImageWorkspace
