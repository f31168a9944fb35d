"""The Writing workspace: drafts in tabs, the model continuing from the cursor, the side panel.

Main thread only. It talks to the engine only through the shared worker: it submits
``TextRequest``s and reacts to the worker's signals for its own job ids (the image workspace
shares the worker, so other ids are ignored). Nothing here blocks the UI thread.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QFontDialog, QFrame, QHBoxLayout, QLabel, QMenu,
                               QMessageBox, QPushButton, QSplitter, QTabWidget, QToolBar,
                               QToolButton, QVBoxLayout, QWidget)

from studio.jobs import (JobCancelled, JobFailed, Notice, Progress, TextRequest, TextResult,
                         TokenDelta, UserError, next_job_id)
from studio.ui.writing.accepted import AcceptedFlags
from studio.ui.writing.draft_tab import DraftTab
from studio.ui.writing.files import EXPORT_FORMATS, ViewPrefs, export_text
from studio.ui.writing.side_panel import SidePanel
from studio.ui.writing.token_popup import TokenMenu
from studio.writing import storage
from studio.writing.budget import TokenCounter

log = logging.getLogger(__name__)

class Workspace(QWidget):
    """Signals: status_message(str) — transient text for the main window's status bar."""

    status_message = Signal(str)

    def __init__(self, worker, settings, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("writing-workspace")
        self.worker = worker
        self.settings = settings
        # The history store for the "accepted" flag; the main window's, found when first needed.
        self.history_store = getattr(parent, "history_store", None)
        self._jobs: dict[int, DraftTab] = {}  # streaming job → its draft tab
        self.accepted = AcceptedFlags(
            lambda: self.history_store or getattr(self.window(), "history_store", None))
        self._stream_t0: dict[int, float] = {}
        self._mine: set[int] = set()  # every job this workspace submitted
        self._counter: TokenCounter | None = None
        self._counter_model = None
        self.view = ViewPrefs.load()
        self._error_details = ""

        self._words_timer = QTimer(self, singleShot=True, interval=600)
        self._words_timer.timeout.connect(self._update_words)
        self._budget_timer = QTimer(self, singleShot=True, interval=400)
        self._budget_timer.timeout.connect(self._update_budget)
        # Besides the main window's 60 s timer: a few seconds after the writer pauses.
        self._idle_autosave = QTimer(self, singleShot=True, interval=5000)
        self._idle_autosave.timeout.connect(self.autosave)
        self._build_ui()
        self._build_actions()
        self.new_draft()

        worker.token.connect(self._on_token)
        worker.finished_job.connect(self._on_finished)
        worker.cancelled.connect(self._on_cancelled)
        worker.failed.connect(self._on_failed)
        worker.notice.connect(self._on_notice)
        worker.progress.connect(self._on_progress)
        if hasattr(worker, "recorded"):
            worker.recorded.connect(self._on_recorded)
        self._sync_tab()

    # ── layout ──
    def _build_ui(self) -> None:
        self.toolbar = QToolBar(self)
        self.tabs = QTabWidget(self)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        plus = QToolButton(self.tabs)
        plus.setText("+")
        plus.setToolTip(self.tr("New draft (Ctrl+N)"))
        plus.clicked.connect(lambda: self.new_draft())
        self.tabs.setCornerWidget(plus, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(lambda _i: self._sync_tab())
        self.tabs.tabCloseRequested.connect(self.close_draft)
        self.panel = SidePanel(self)
        self.panel.changed.connect(self._on_panel_changed)
        self.panel.instruct.connect(self.apply_instruction)
        self.panel.sampler.error.connect(self.show_message)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.tabs)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 1)
        split.setSizes([900, 390])
        split.setCollapsible(0, False)

        self.banner = QFrame(self)
        self.banner.setObjectName("writing-error")
        self.banner.setStyleSheet("#writing-error { background: #fde2e1; border-radius: 4px; }")
        b = QHBoxLayout(self.banner)
        b.setContentsMargins(8, 4, 8, 4)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.banner_details = QPushButton(self.tr("Details…"))
        self.banner_details.clicked.connect(self._show_details)
        close = QPushButton("✕")
        close.setFlat(True)
        close.clicked.connect(self.banner.hide)
        b.addWidget(self.banner_text, 1)
        b.addWidget(self.banner_details)
        b.addWidget(close)
        self.banner.hide()

        status = QHBoxLayout()
        status.setContentsMargins(6, 0, 6, 2)
        status.setSpacing(18)
        self.words_label = QLabel()
        self.alt_label = QLabel()
        self.speed_label = QLabel()
        self.context_label = QLabel()
        self.state_label = QLabel()
        for w in (self.words_label, self.alt_label, self.state_label):
            status.addWidget(w)
        status.addStretch(1)
        status.addWidget(self.speed_label)
        status.addWidget(self.context_label)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.banner)
        lay.addWidget(split, 1)
        lay.addLayout(status)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            a.setShortcuts([QKeySequence(k) for k in keys])
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if tip:
            a.setToolTip(tip)
        a.triggered.connect(lambda _=False: self._guard(slot))
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        A, K = self._action, QKeySequence.StandardKey
        self.act_new = A(self.tr("&New draft"), self.new_draft, K.New)
        self.act_open = A(self.tr("&Open…"), self.open_file, K.Open)
        self.act_save = A(self.tr("&Save"), self.save, K.Save)
        self.act_save_as = A(self.tr("Save &as…"), self.save_as, K.SaveAs)
        self.act_close = A(self.tr("&Close draft"), lambda: self.close_draft(self.tabs.currentIndex()),
                           "Ctrl+W")
        self.act_continue = A(self.tr("&Continue"), self.continue_at_cursor, ["Ctrl+Return", "Ctrl+Enter"],
                              self.tr("The model continues from the cursor (Ctrl+Enter)"))
        self.act_escape = A(self.tr("&Stop / reject"), self.escape, "Esc",
                            self.tr("Stop the model, or remove the text it wrote (Esc)"))
        self.act_accept = A(self.tr("&Accept"), self.accept_span, None,
                            self.tr("Keep the generated text (Enter or just keep typing)"))
        self.act_retry = A(self.tr("&Retry"), self.retry, "Ctrl+R",
                           self.tr("Replace the generated text with a new attempt (Ctrl+R)"))
        self.act_prev = A(self.tr("&Previous alternative"), lambda: self.flip(-1), "Alt+Left")
        self.act_next = A(self.tr("&Next alternative"), lambda: self.flip(+1), "Alt+Right")
        self.act_instruct = A(self.tr("Apply &instruction to selection"),
                              lambda: self.apply_instruction(self.panel.instruction.text()),
                              ["Ctrl+Shift+Return", "Ctrl+Shift+Enter"])
        self.act_undo = A(self.tr("&Undo"), lambda: self._tab().editor.undo_generation_aware(), K.Undo)
        self.act_redo = A(self.tr("&Redo"), lambda: self._tab().editor.redo_generation_aware(),
                          [QKeySequence(K.Redo).toString(), "Ctrl+Y"])
        self.act_find = A(self.tr("&Find and replace…"), lambda: self._tab().find_bar.open_bar(), K.Find)
        self.act_zoom_in = A(self.tr("Zoom &in"), lambda: self.zoom(+1), ["Ctrl++", "Ctrl+="])
        self.act_zoom_out = A(self.tr("Zoom &out"), lambda: self.zoom(-1), "Ctrl+-")
        self.act_zoom_reset = A(self.tr("&Reset zoom"), lambda: self.zoom(0), "Ctrl+0")
        self.act_font = A(self.tr("&Font…"), self.choose_font)
        self.export_actions = []
        for label, suffix, func in EXPORT_FORMATS:
            self.export_actions.append(A(self.tr(label) + "…", lambda s=suffix, f=func: self.export(s, f)))

        for a in (self.act_continue, self.act_escape, self.act_accept, self.act_retry, self.act_prev,
                  self.act_next):
            self.toolbar.addAction(a)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.act_undo)
        self.toolbar.addAction(self.act_redo)

        self._menus = []
        m = QMenu(self.tr("&Draft"), self)
        for a in (self.act_new, self.act_open, self.act_save, self.act_save_as):
            m.addAction(a)
        exp = m.addMenu(self.tr("&Export as"))
        for a in self.export_actions:
            exp.addAction(a)
        m.addSeparator()
        m.addAction(self.act_close)
        self._menus.append(m)
        m = QMenu(self.tr("&Edit"), self)
        for a in (self.act_undo, self.act_redo):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_find)
        self._menus.append(m)
        m = QMenu(self.tr("&Generate"), self)
        for a in (self.act_continue, self.act_escape, self.act_accept, self.act_retry, self.act_prev,
                  self.act_next, self.act_instruct):
            m.addAction(a)
        self._menus.append(m)
        m = QMenu(self.tr("F&ormat"), self)
        for a in (self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset, self.act_font):
            m.addAction(a)
        self._menus.append(m)

    # ── public contract ──
    def menus(self) -> list[QMenu]:
        return list(self._menus)

    def has_unsaved(self) -> bool:
        return any(t.editor.document().isModified() for t in self._all_tabs())

    def autosave(self) -> None:
        """Crash-safe snapshot of every draft into the autosave folder (called every 60 s and on close)."""
        for tab in self._all_tabs():
            try:
                tab.autosave()
            except (OSError, UserError) as exc:
                self.show_message(self.tr("Autosave failed: {0}").format(exc))

    def has_autosave(self) -> bool:
        return bool(storage.read_autosaves())

    def restore_autosave(self) -> bool:
        states = storage.read_autosaves()
        if not states:
            return False
        # Replace the empty start-up draft, keep anything the user already typed.
        for tab in self._all_tabs():
            if not tab.editor.toPlainText() and tab.path is None:
                self._remove_tab(tab, forget=True)
        for state in states:
            self._add_tab(DraftTab(state))
        self.status_message.emit(self.tr("Restored %n draft(s) from the autosave.", "", len(states)))
        return True

    def apply_request(self, request) -> None:
        """Recall: put a past request's parameters back into the panels."""
        if not isinstance(request, TextRequest):
            return
        tab = self._tab()
        s = tab.draft.settings
        s.sampler = request.sampler
        s.memory = request.memory
        if request.chat:
            self.panel.instruction.setText(request.prompt.split("\n\n", 1)[0])
        self.panel.show_settings(s)
        tab.settings_changed()
        self._schedule_budget()
        self.status_message.emit(self.tr("Sampler settings and memory recalled from the history."))

    def reproduce(self, request) -> int | None:
        """Run a past request again exactly (same seed) in a new draft holding its context."""
        if not isinstance(request, TextRequest):
            return None
        tab = self.new_draft("" if request.chat else request.prompt)
        tab.draft.settings.sampler = request.sampler
        tab.draft.settings.memory = request.memory
        self.panel.show_settings(tab.draft.settings)
        end = tab.editor.buffer.size()
        tab.editor.move_cursor_to(end)
        request = replace(request, job_id=next_job_id())
        tab.draft.begin(request, end)
        return self._submit(tab, request)

    def shutdown(self) -> None:
        for job_id in list(self._jobs):
            self.worker.cancel(job_id)
        self.autosave()

    # ── drafts ──
    def _all_tabs(self) -> list[DraftTab]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def _tab(self) -> DraftTab:
        tab = self.tabs.currentWidget()
        if tab is None:
            tab = self.new_draft()
        return tab

    def current_tab(self) -> DraftTab:
        return self._tab()

    def new_draft(self, text: str = "") -> DraftTab:
        tab = DraftTab(storage.DraftState(text=text))
        self._add_tab(tab)
        return tab

    def _add_tab(self, tab: DraftTab) -> None:
        ed = tab.editor
        ed.accept_requested.connect(self.accept_span)
        ed.undo_requested.connect(ed.undo_generation_aware)
        ed.redo_requested.connect(ed.redo_generation_aware)
        ed.token_clicked.connect(lambda i, p, t=tab: self._tab() is t and self.show_token_menu(i, p))
        ed.user_edited.connect(self._on_user_edit)
        ed.cursorPositionChanged.connect(self._schedule_budget)
        ed.document().modificationChanged.connect(lambda _m, t=tab: self._retitle(t))
        ed.document().contentsChanged.connect(lambda t=tab: self._retitle_soon(t))
        self._apply_font(tab)
        index = self.tabs.addTab(tab, tab.title())
        self.tabs.setCurrentIndex(index)
        ed.setFocus()

    def _remove_tab(self, tab: DraftTab, forget: bool) -> None:
        for job_id, t in list(self._jobs.items()):
            if t is tab:
                self.worker.cancel(job_id)
                del self._jobs[job_id]
        self.tabs.removeTab(self.tabs.indexOf(tab))
        if forget:
            storage.remove_autosave(tab.state_id)
        tab.deleteLater()

    def close_draft(self, index: int) -> bool:
        tab = self.tabs.widget(index)
        if tab is None:
            return False
        if tab.editor.document().isModified() and tab.editor.toPlainText().strip():
            answer = QMessageBox.question(
                self, self.tr("Close draft"),
                self.tr("“{0}” has changes that are not saved to a file. Save them first?").format(tab.title()),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save and not self._save_tab(tab, ask=tab.path is None):
                return False
        self._remove_tab(tab, forget=True)
        if self.tabs.count() == 0:
            self.new_draft()
        return True

    def open_path(self, path: Path) -> DraftTab:
        text = storage.read_text_file(path)
        tab = DraftTab(storage.DraftState(text=text, path=str(path)))
        tab.editor.document().setModified(False)
        self._add_tab(tab)
        return tab

    def open_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Open draft"), "",
                                              self.tr("Text (*.md *.markdown *.txt *.text);;All files (*)"))
        if name:
            self.open_path(Path(name))

    def save(self) -> None:
        self._save_tab(self._tab(), ask=self._tab().path is None)

    def save_as(self) -> None:
        self._save_tab(self._tab(), ask=True)

    def save_to(self, path: Path, tab: DraftTab | None = None) -> Path:
        tab = tab or self._tab()
        if path.suffix.lower() not in storage.TEXT_SUFFIXES:
            path = path.with_suffix(".md")
        storage.write_text_file(path, tab.editor.toPlainText())
        tab.path = path
        tab.editor.document().setModified(False)
        tab.settings_changed()
        tab.autosave()
        self._retitle(tab)
        self.status_message.emit(self.tr("Saved {0}").format(path.name))
        return path

    def _save_tab(self, tab: DraftTab, ask: bool) -> bool:
        path = tab.path
        if ask or path is None:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("Save draft"), tab.title() + ".md",
                                                  self.tr("Markdown (*.md);;Plain text (*.txt)"))
            if not name:
                return False
            path = Path(name)
        try:
            self.save_to(path, tab)
        except UserError as exc:
            self.show_message(str(exc))
            return False
        return True

    def export(self, suffix: str, func: str, path: Path | None = None) -> Path | None:
        """Export the current draft (asks for a file name unless ``path`` is given)."""
        tab = self._tab()
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("Export draft"), tab.title() + suffix,
                                                  f"*{suffix}")
            if not name:
                return None
            path = Path(name)
        title = tab.draft.settings.title or (tab.path.stem if tab.path else "")
        path = export_text(tab.editor.toPlainText(), title, path, func)
        self.status_message.emit(self.tr("Exported {0}").format(path.name))
        return path

    # ── generation ──
    def continue_at_cursor(self) -> int | None:
        tab = self._tab()
        d = tab.draft
        if d.streaming is not None:
            return None
        if d.span is not None:
            self.accepted.decide(d.accept(), True)
        cursor = tab.editor.textCursor().position()
        request = self._with_model(d.continue_request(cursor))
        d.begin(request, cursor)
        return self._submit(tab, request)

    def apply_instruction(self, instruction: str) -> int | None:
        tab = self._tab()
        d = tab.draft
        if d.streaming is not None:
            return None
        cur = tab.editor.textCursor()
        if not cur.hasSelection():
            raise UserError("Select the text the instruction should apply to first.")
        if d.span is not None:
            self.accepted.decide(d.accept(), True)
            cur = tab.editor.textCursor()
        start, end = cur.selectionStart(), cur.selectionEnd()
        request = self._with_model(d.instruction_request(instruction, start, end))
        d.begin(request, start, end)
        return self._submit(tab, request)

    def retry(self) -> int | None:
        tab = self._tab()
        if tab.draft.streaming is not None:
            self.status_message.emit(self.tr("Stop the model first (Esc), then retry."))
            return None
        if tab.draft.span is None:
            raise UserError("There is no generated text to retry; press Continue first.")
        return self._submit(tab, tab.draft.retry())

    def pick_token(self, index: int, alternative: tuple) -> int | None:
        tab = self._tab()
        request = tab.draft.pick_token(index, tuple(alternative))
        return self._submit(tab, request)

    def flip(self, delta: int) -> None:
        tab = self._tab()
        if tab.draft.flip(delta):
            tab.editor.refresh_span()
            tab.editor.move_cursor_to(tab.draft.span_end())
        self._update_state()

    def accept_span(self) -> None:
        tab = self._tab()
        span = tab.draft.accept()
        if span is not None:
            self.accepted.decide(span, True)
            tab.editor.refresh_span()
            tab.editor.move_cursor_to(span.start + tab.editor.buffer.length(span.current.text))
        self._update_state()

    def reject_span(self) -> None:
        tab = self._tab()
        span = tab.draft.reject()
        if span is not None:
            self.accepted.decide(span, False)
            tab.editor.refresh_span()
            tab.editor.move_cursor_to(span.start)
        self._update_state()

    def stop(self) -> None:
        for job_id, tab in list(self._jobs.items()):
            if tab is self._tab():
                self.worker.cancel(job_id)

    def escape(self) -> None:
        tab = self._tab()
        if tab.draft.streaming is not None:
            self.stop()
        elif tab.draft.span is not None:
            self.reject_span()
        elif not tab.find_bar.isHidden():
            tab.find_bar.close_bar()

    def show_token_menu(self, index: int, pos: QPoint | None = None) -> TokenMenu | None:
        tab = self._tab()
        span = tab.draft.span
        if span is None or tab.draft.streaming is not None or not 0 <= index < len(span.current.tokens):
            return None
        menu = TokenMenu(index, span.current.tokens[index], self)
        menu.picked.connect(lambda i, alt: self._guard(lambda: self.pick_token(i, alt)))
        menu.aboutToHide.connect(menu.deleteLater)
        if pos is not None:
            menu.popup(pos)
        return menu

    def _with_model(self, request: TextRequest) -> TextRequest:
        if request.model_id:
            return request
        return replace(request, model_id=getattr(self.settings, "text_model", "") or "")

    def _submit(self, tab: DraftTab, request: TextRequest) -> int:
        self._jobs[request.job_id] = tab
        self._mine.add(request.job_id)
        self._stream_t0.pop(request.job_id, None)
        self.banner.hide()
        tab.editor.refresh_span()
        self.worker.submit(request)
        self._update_state()
        return request.job_id

    # ── worker events (every workspace sees every job: filter by id) ──
    def _on_token(self, delta: TokenDelta) -> None:
        tab = self._jobs.get(delta.job_id)
        if tab is None or not tab.draft.on_token(delta):
            return
        now = time.monotonic()
        t0 = self._stream_t0.setdefault(delta.job_id, now)
        if delta.index >= 1 and now > t0:
            self.speed_label.setText(self.tr("{0:.1f} tokens/s").format(delta.index / (now - t0)))
        tab.editor.refresh_span()
        if tab.draft.span is not None:
            tab.editor.move_cursor_to(tab.draft.span_end())

    def _on_progress(self, p: Progress) -> None:
        if p.job_id in self._jobs and p.message:
            self.state_label.setText(p.message)

    def _on_finished(self, result) -> None:
        if not isinstance(result, TextResult):
            return
        tab = self._jobs.pop(result.job_id, None)
        if tab is None:
            return
        tab.draft.on_finished(result)
        self._after_stream(tab)
        st = result.stats
        if st.decode_tps:
            self.speed_label.setText(self.tr("{0:.1f} tokens/s").format(st.decode_tps))
        if st.device:
            self.speed_label.setToolTip(st.device)
        for n in result.notices:
            self.status_message.emit(n)

    def _on_cancelled(self, c: JobCancelled) -> None:
        tab = self._jobs.pop(c.job_id, None)
        if tab is not None:
            tab.draft.on_stopped(c.job_id, "cancelled")
            self._after_stream(tab)

    def _on_failed(self, f: JobFailed) -> None:
        tab = self._jobs.pop(f.job_id, None)
        if tab is None:
            return
        tab.draft.on_stopped(f.job_id, "failed")
        self._after_stream(tab)
        self.show_message(f.message, f.details)

    def _on_notice(self, n: Notice) -> None:
        if n.job_id in self._mine:
            self.status_message.emit(n.message)

    def _on_recorded(self, rec) -> None:
        if getattr(rec, "kind", "") == "text" and rec.job_id in self._mine:
            self.accepted.recorded(rec.job_id, tuple(rec.record_ids))

    def _after_stream(self, tab: DraftTab) -> None:
        self._idle_autosave.start()
        tab.editor.refresh_span()
        if tab.draft.span is not None:
            tab.editor.move_cursor_to(tab.draft.span_end())
        self._update_state()
        self._schedule_budget()

    # ── panel ↔ draft ──
    def _sync_tab(self) -> None:
        tab = self.tabs.currentWidget()
        if tab is None:
            return
        self.panel.show_settings(tab.draft.settings)
        self._update_state()
        QTimer.singleShot(0, self._update_words)
        self._schedule_budget()

    def _on_panel_changed(self) -> None:
        tab = self._tab()
        self.panel.write_settings(tab.draft.settings)
        tab.settings_changed()
        self._idle_autosave.start()
        self._schedule_budget()

    def _on_user_edit(self) -> None:
        self._idle_autosave.start()
        self._update_state()
        self._words_timer.start()
        self._schedule_budget()

    def _update_state(self) -> None:
        tab = self.tabs.currentWidget()
        if tab is None:
            return
        d = tab.draft
        busy = d.streaming is not None
        span = d.span
        self.act_continue.setEnabled(not busy)
        self.act_retry.setEnabled(not busy and span is not None)
        self.act_accept.setEnabled(not busy and span is not None)
        many = span is not None and not busy and len(span.candidates) > 1
        self.act_prev.setEnabled(many and span.index > 0)
        self.act_next.setEnabled(many and span.index < len(span.candidates) - 1)
        self.act_escape.setText(self.tr("&Stop") if busy else self.tr("&Reject"))
        if span is not None and len(span.candidates) > 1:
            self.alt_label.setText(self.tr("Alternative {0} / {1}").format(span.index + 1, len(span.candidates)))
        else:
            self.alt_label.setText("")
        if busy:
            self.state_label.setText(self.tr("Writing… (Esc stops)"))
        elif span is not None:
            self.state_label.setText(self.tr("Enter accepts, Esc rejects, Ctrl+R retries, "
                                             "click a word for alternatives"))
        else:
            self.state_label.setText("")

    def _update_words(self) -> None:
        tab = self.tabs.currentWidget()
        if tab is not None:
            n = tab.editor.word_count()
            self.words_label.setText(self.tr("%n word(s)", "", n))

    def _schedule_budget(self) -> None:
        self._budget_timer.start()

    def _token_counter(self) -> TokenCounter:
        model_id = getattr(self.settings, "text_model", "")
        if self._counter is None or self._counter_model != model_id:
            folder = None
            try:
                from studio.models import registry

                folder = registry.get(model_id).path if model_id else None
            except UserError:
                folder = None
            self._counter = TokenCounter(folder)
            self._counter_model = model_id
        return self._counter

    def _update_budget(self) -> None:
        tab = self.tabs.currentWidget()
        if tab is None:
            return
        d = tab.draft
        pos = d.span.start if d.span is not None else tab.editor.textCursor().position()
        request = d.continue_request(pos)
        b = self._token_counter().budget(request.memory, request.prompt, request.sampler.max_new_tokens)
        self.panel.show_budget(b)
        approx = "" if b.exact else "≈"
        self.context_label.setText(self.tr("Context {0}{1} / {2}").format(approx, b.used, b.total))

    def _retitle(self, tab: DraftTab) -> None:
        i = self.tabs.indexOf(tab)
        if i >= 0:
            mark = "•" if tab.editor.document().isModified() else ""
            self.tabs.setTabText(i, tab.title() + mark)

    def _retitle_soon(self, tab: DraftTab) -> None:
        if tab.path is None and tab.editor.document().blockCount() < 3:
            self._retitle(tab)

    # ── font and zoom ──
    def _apply_font(self, tab: DraftTab) -> None:
        font = QFont(self.view.family) if self.view.family else QFont(tab.editor.font())
        if not self.view.family:
            font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSizeF(self.view.size)
        tab.editor.setFont(font)

    def zoom(self, step: int) -> None:
        self.view.size = 12.0 if step == 0 else max(6.0, min(48.0, self.view.size + step))
        for tab in self._all_tabs():
            self._apply_font(tab)
        self.view.save()

    def choose_font(self) -> None:
        ok, font = QFontDialog.getFont(self._tab().editor.font(), self)
        if isinstance(ok, QFont):  # PySide returns (ok, font) or (font, ok) across versions
            ok, font = font, ok
        if ok:
            self.view.family = font.family()
            self.view.size = font.pointSizeF() if font.pointSizeF() > 0 else self.view.size
            for tab in self._all_tabs():
                self._apply_font(tab)
            self.view.save()

    # ── messages ──
    def show_message(self, message: str, details: str = "") -> None:
        """A non-modal message in the workspace; nothing in the document changes."""
        self.banner_text.setText(message)
        self._error_details = details
        self.banner_details.setVisible(bool(details))
        self.banner.show()
        self.status_message.emit(message)

    def _show_details(self) -> None:
        from studio.ui.errors import show_error

        show_error(self, self.banner_text.text(), self._error_details)

    def _guard(self, slot) -> None:
        """Run an action; a UserError becomes a message instead of an exception."""
        try:
            slot()
        except UserError as exc:
            self.show_message(str(exc))


WritingWorkspace = Workspace  # the name the main window looks up
