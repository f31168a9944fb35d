"""The main window: Image and Writing workspaces, the History dock, menus and status bar.

Main thread only. It owns the worker (one QThread) and wires the worker's signals to the
status bar; each workspace talks to the worker itself and ignores other workspaces' jobs.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget)

from studio import __version__
from studio.engines.runtime import SessionFactory
from studio.settings import Settings
from studio.ui.errors import show_error
from studio.ui.status import StudioStatusBar
from studio.worker.thread import Worker

log = logging.getLogger(__name__)

AUTOSAVE_MS = 60_000


def _load(module: str, cls: str):
    """The class, or None while that part of the app does not exist yet (a clear placeholder shows)."""
    try:
        return getattr(importlib.import_module(module), cls)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


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
        self.image_ws = self._workspace("studio.ui.image.workspace", "ImageWorkspace", self.tr("Image"))
        self.writing_ws = self._workspace("studio.ui.writing.workspace", "WritingWorkspace",
                                          self.tr("Writing"))
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
    def _workspace(self, module: str, cls: str, title: str) -> QWidget:
        klass = _load(module, cls)
        if klass is None:
            w = QLabel(self.tr("The {0} workspace is not available in this build.").format(title))
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        else:
            w = klass(self.worker, self.settings, self)
            if hasattr(w, "status_message"):
                w.status_message.connect(lambda text: self.status.showMessage(text, 8000))
        self.tabs.addTab(w, title)
        return w

    def _history_dock(self) -> QDockWidget:
        klass = _load("studio.ui.history_pane", "HistoryPane")
        if klass is None or self.history_store is None:
            dock = QDockWidget(self.tr("History"), self)
            dock.setObjectName("history")
            dock.setWidget(QLabel(self.tr("History is not available.")))
        else:
            dock = klass(self.history_store, self)
            dock.setObjectName("history")
            self._connect_history(dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _connect_history(self, pane) -> None:
        def to(ws, method):
            def slot(arg):
                fn = getattr(ws, method, None)
                if fn is not None:
                    self.tabs.setCurrentWidget(ws)
                    fn(arg)
            return slot

        for signal, ws, method in (("recall_image", self.image_ws, "apply_request"),
                                   ("recall_text", self.writing_ws, "apply_request"),
                                   ("send_to_canvas", self.image_ws, "add_image_layer")):
            if hasattr(pane, signal):
                getattr(pane, signal).connect(to(ws, method))
        if hasattr(pane, "reproduce"):
            pane.reproduce.connect(self._reproduce)

    def _reproduce(self, request) -> None:
        ws = self.image_ws if hasattr(request, "negative_prompt") else self.writing_ws
        self.tabs.setCurrentWidget(ws)
        fn = getattr(ws, "reproduce", None) or getattr(ws, "submit_request", None)
        if fn is not None:
            fn(request)
        else:
            getattr(ws, "apply_request", lambda r: None)(request)

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
        ws = self.tabs.widget(index)
        menus = ws.menus() if hasattr(ws, "menus") else []
        self._workspace_menus = [m.menuAction() for m in menus]
        for action in self._workspace_menus:
            bar.insertAction(self._workspace_anchor, action)
        if hasattr(ws, "model_name"):
            self.status.set_model(ws.model_name())

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
            try:
                from studio.history.recorder import record_result
            except ModuleNotFoundError:
                record_result = None
            if record_result is not None:
                store = self.history_store
                w.result_hook = lambda result: record_result(store, result)
            if hasattr(self.history, "add_records"):
                w.recorded.connect(lambda rec: self.history.add_records(rec.record_ids))
            elif hasattr(self.history, "refresh"):
                w.recorded.connect(lambda rec: self.history.refresh())

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
            fn = getattr(ws, "autosave", None)
            if fn is None:
                continue
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - a failed autosave must not lose the open document
                log.warning("autosave failed: %s", exc)
                self.status.showMessage(self.tr("Autosave failed: {0}").format(exc), 10000)

    def offer_restore(self) -> None:
        """After start-up: offer autosaved work left by a crash."""
        for ws in (self.image_ws, self.writing_ws):
            has = getattr(ws, "has_autosave", None)
            restore = getattr(ws, "restore_autosave", None)
            if restore is None or (has is not None and not has()):
                continue
            try:
                restore()
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
            fn = getattr(ws, "shutdown", None)
            if fn is not None:
                try:
                    fn()
                except Exception as exc:  # noqa: BLE001
                    log.warning("workspace shutdown failed: %s", exc)
        if not self.worker.shutdown(1500):
            log.warning("worker did not stop within 1.5 s; exiting anyway")
        event.accept()
