"""The main window: Image and Writing workspaces, the History dock, menus and status bar.

Main thread only. It owns the worker (one QThread) and wires the worker's signals to the
status bar; each workspace talks to the worker itself and ignores other workspaces' jobs.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget)

from studio import __version__
from studio.engines.runtime import SessionFactory
from studio.history.recorder import record_result
from studio.jobs import ImageRequest
from studio.settings import Settings
from studio.ui.errors import show_error
from studio.ui.history_pane import HistoryPane
from studio.ui.image.workspace import ImageWorkspace
from studio.ui.status import StudioStatusBar
from studio.ui.writing.workspace import WritingWorkspace
from studio.worker.thread import Worker

log = logging.getLogger(__name__)

AUTOSAVE_MS = 60_000


class MainWindow(QMainWindow):
    shown = Signal()

    def __init__(self, settings: Settings | None = None, worker: Worker | None = None,
                 history_store=None) -> None:
        super().__init__()
        self.settings = settings or Settings.load()
        self.setWindowTitle(self.tr("Studio"))
        self.resize(1280, 820)
        self.worker = worker or Worker(SessionFactory(self.settings.device, self.settings.threads))
        self.worker.setParent(self)
        self.history_store = history_store

        self.status = StudioStatusBar(self)
        self.setStatusBar(self.status)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.image_ws = self._workspace(ImageWorkspace, self.tr("Image"))
        self.writing_ws = self._workspace(WritingWorkspace, self.tr("Writing"))
        self.history = self._history_dock()
        self._workspace_menus: list = []
        self._build_menus()
        self._wire_worker()
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed(self.tabs.currentIndex())

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self._closing = False

    # ── construction ──
    def _workspace(self, klass, title: str) -> QWidget:
        w = klass(self.worker, self.settings, self)
        w.status_message.connect(lambda text: self.status.showMessage(text, 8000))
        self.tabs.addTab(w, title)
        return w

    def _history_dock(self) -> QDockWidget:
        if self.history_store is None:  # the store could not be opened; the app says why
            dock = QDockWidget(self.tr("History"), self)
            dock.setWidget(QLabel(self.tr("History is not available.")))
        else:
            dock = HistoryPane(self.history_store, self)
            dock.recall_image.connect(lambda r: self._show(self.image_ws).apply_request(r))
            dock.recall_text.connect(lambda r: self._show(self.writing_ws).apply_request(r))
            dock.send_to_canvas.connect(lambda p: self._show(self.image_ws).add_image_layer(p))
            dock.reproduce.connect(self._reproduce)
        dock.setObjectName("history")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _show(self, ws: QWidget) -> QWidget:
        self.tabs.setCurrentWidget(ws)
        return ws

    def _reproduce(self, request) -> None:
        if isinstance(request, ImageRequest):
            self._show(self.image_ws).submit_request(request)
        else:
            self._show(self.writing_ws).reproduce(request)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu(self.tr("&File"))
        settings = QAction(self.tr("&Settings…"), self)
        settings.setShortcut(QKeySequence.StandardKey.Preferences)
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        settings.triggered.connect(self.open_settings)
        quit_ = QAction(self.tr("&Quit"), self)
        quit_.setShortcut(QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        self.file_menu.addAction(settings)
        self.file_menu.addSeparator()
        self.file_menu.addAction(quit_)

        self.jobs_menu = bar.addMenu(self.tr("&Jobs"))
        cancel_all = QAction(self.tr("Cancel &All Jobs"), self)
        cancel_all.setShortcut(QKeySequence("Ctrl+Shift+Esc"))
        cancel_all.triggered.connect(self.worker.cancel_all)
        self.jobs_menu.addAction(cancel_all)

        self.view_menu = bar.addMenu(self.tr("&View"))
        self.view_menu.addAction(self.history.toggleViewAction())
        to_image = QAction(self.tr("&Image Workspace"), self)
        to_image.setShortcut(QKeySequence("Ctrl+1"))
        to_image.triggered.connect(lambda: self.tabs.setCurrentIndex(0))
        to_writing = QAction(self.tr("&Writing Workspace"), self)
        to_writing.setShortcut(QKeySequence("Ctrl+2"))
        to_writing.triggered.connect(lambda: self.tabs.setCurrentIndex(1))
        self.view_menu.addActions([to_image, to_writing])
        self._workspace_anchor = self.view_menu.menuAction()

        self.help_menu = bar.addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About Studio"), self)
        about.triggered.connect(self.about)
        self.help_menu.addAction(about)

    def _on_tab_changed(self, index: int) -> None:
        bar = self.menuBar()
        for action in self._workspace_menus:
            bar.removeAction(action)
        self._workspace_menus = [m.menuAction() for m in self.tabs.widget(index).menus()]
        for action in self._workspace_menus:
            bar.insertAction(self._workspace_anchor, action)

    def _wire_worker(self) -> None:
        w = self.worker
        w.device_changed.connect(self.status.set_device)
        w.queue_changed.connect(self.status.set_queue)
        w.started_job.connect(self.status.job_started)
        w.progress.connect(self.status.job_progress)
        for sig in (w.finished_job, w.failed, w.cancelled):
            sig.connect(self.status.job_ended)
        w.finished_job.connect(self._on_finished)
        w.notice.connect(lambda n: self.status.showMessage(n.message, 10000))
        if self.history_store is not None:
            store = self.history_store
            w.result_hook = lambda result: record_result(store, result)
            w.recorded.connect(lambda rec: self.history.add_records(rec.record_ids))

    def _on_finished(self, result) -> None:
        model = getattr(getattr(result, "stats", None), "model_id", "")
        if model:
            self.status.set_model(model)

    # ── actions ──
    def open_settings(self) -> None:
        from studio.ui.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.settings, self)
        if dlg.exec():
            try:
                s = dlg.apply()
            except Exception as exc:  # noqa: BLE001 - e.g. a read-only config folder
                show_error(self, self.tr("The settings could not be saved: {0}").format(exc))
                return
            self.worker.reconfigure(s.device, s.threads)

    def about(self) -> None:
        from studio.ui.about import about_text

        QMessageBox.about(self, self.tr("About Studio"), about_text(__version__))

    def autosave(self) -> None:
        for ws in (self.image_ws, self.writing_ws):
            try:
                ws.autosave()
            except Exception as exc:  # noqa: BLE001 - a failed autosave must not lose the open document
                log.warning("autosave failed: %s", exc)
                self.status.showMessage(self.tr("Autosave failed: {0}").format(exc), 10000)

    def offer_restore(self) -> None:
        """After start-up: offer autosaved work left by a crash."""
        for ws in (self.image_ws, self.writing_ws):
            if not ws.has_autosave():
                continue
            try:
                ws.restore_autosave()
            except Exception as exc:  # noqa: BLE001
                show_error(self, self.tr("Autosaved work could not be restored: {0}").format(exc))

    # ── events ──
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.worker.isRunning():
            # The canvas or draft is the work; the history starts as a narrow column beside it.
            self.resizeDocks([self.history], [320], Qt.Orientation.Horizontal)
            # Start after the first paint so the window appears before ONNX Runtime is imported.
            QTimer.singleShot(0, self.worker.start)
            self.shown.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            event.accept()
            return
        self._closing = True
        self.autosave_timer.stop()
        for ws in (self.image_ws, self.writing_ws):
            try:
                ws.shutdown()
            except Exception as exc:  # noqa: BLE001 - closing must go on
                log.warning("workspace shutdown failed: %s", exc)
        if not self.worker.shutdown(1500):
            log.warning("worker did not stop within 1.5 s; exiting anyway")
        event.accept()
