"""The History dock: a thumbnail grid of images and a list of texts over the history store.

Main thread only. Records are written by the worker thread (``studio.history.recorder``); the
main window then calls ``add_records(ids)``. Reads go through the UI thread's own connection.

Signals:
    recall_image(ImageRequest): put a record's parameters back into the prompt panel.
    recall_text(TextRequest): the same for the writing workspace's sampler panel.
    reproduce(ImageRequest | TextRequest): run the record again (same seed, same result).
    send_to_canvas(str): the path of a history PNG to add to the canvas.
    history_recovered(str): the store found its database damaged while open, moved it aside and
        salvaged it (emitted from whichever thread met the damage; handled on this one).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable

from PySide6.QtCore import QModelIndex, QSize, QSortFilterProxyModel, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDockWidget, QFileDialog, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QListView, QMenu, QMessageBox,
                               QTabWidget, QToolButton, QVBoxLayout, QWidget)

from studio.history import HistoryStore, Query, request_from_record
from studio.jobs import UserError
from studio.ui.errors import show_error
from studio.ui.history_delegate import CELL, THUMB, TextRowDelegate, ThumbnailDelegate
from studio.ui.history_model import HistoryListModel
from studio.ui.history_viewer import ImageViewer, TextViewer

SEARCH_DELAY_MS = 200
DAY = 86400.0


class HistoryPane(QDockWidget):
    recall_image = Signal(object)
    recall_text = Signal(object)
    reproduce = Signal(object)
    send_to_canvas = Signal(str)
    history_recovered = Signal(str)

    def __init__(self, store: HistoryStore, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("History"), parent)
        self.setObjectName("history")
        self.store = store
        self.trash_mode = False
        self._viewers: list = []

        self.image_model = HistoryListModel(store, "image", self)
        self.text_model = HistoryListModel(store, "text", self)
        self.grid = self._view(self.image_model, grid=True)
        self.list = self._view(self.text_model, grid=False)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.grid, self.tr("Images"))
        self.tabs.addTab(self.list, self.tr("Text"))
        self._stale: set[str] = {"image", "text"}
        self.tabs.currentChanged.connect(lambda _i: self._load_current())

        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3cd; color: #664d03; padding: 4px;")
        self.banner.setVisible(bool(store.problem))
        self.banner.setText(store.problem)
        # Queued even from this thread: the store may be mid-call inside a model's fetchMore.
        self.history_recovered.connect(self._on_history_recovered, Qt.ConnectionType.QueuedConnection)
        listener = self.history_recovered.emit
        store.add_recovery_listener(listener)
        self.destroyed.connect(lambda *_: store.remove_recovery_listener(listener))

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search prompts and text…"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_search)

        self.model_filter = QComboBox(self)
        self.date_filter = QComboBox(self)
        for label, days in ((self.tr("Any time"), None), (self.tr("Today"), 0),
                            (self.tr("Last 7 days"), 7), (self.tr("Last 30 days"), 30)):
            self.date_filter.addItem(label, days)
        self.tag_filter = QComboBox(self)
        self.favourites_only = QToolButton(self)
        self.favourites_only.setText("★")
        self.favourites_only.setToolTip(self.tr("Favourites only"))
        self.favourites_only.setCheckable(True)
        self.trash_button = QToolButton(self)
        self.trash_button.setText(self.tr("Trash"))
        self.trash_button.setToolTip(self.tr("Show the trash"))
        self.trash_button.setCheckable(True)
        for combo in (self.model_filter, self.date_filter, self.tag_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_search())
        self.favourites_only.toggled.connect(lambda _on: self.apply_search())
        self.trash_button.toggled.connect(self._set_trash_mode)

        self._build_actions()
        filters = QHBoxLayout()
        for w in (self.model_filter, self.date_filter, self.tag_filter, self.favourites_only, self.trash_button):
            filters.addWidget(w)
        buttons = QHBoxLayout()
        self._buttons: dict[QAction, QToolButton] = {}
        for action in (self.act_recall, self.act_reproduce, self.act_favourite, self.act_delete,
                       self.act_restore, self.act_empty):
            b = QToolButton(self)
            b.setDefaultAction(action)
            buttons.addWidget(b)
            self._buttons[action] = b
        buttons.addStretch(1)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.setWidget(body)

        self._fill_filters()
        self.apply_search()

    # ── construction ──

    def _view(self, model: HistoryListModel, grid: bool) -> QListView:
        view = QListView(self)
        # QListView asks for every row's index at each relayout (each fetched page): through a
        # C++ proxy those calls stay in C++; straight on the Python model they cost O(rows) calls.
        proxy = QSortFilterProxyModel(view)
        proxy.setSourceModel(model)
        view.setModel(proxy)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setUniformItemSizes(True)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        if grid:
            view.setViewMode(QListView.ViewMode.IconMode)
            view.setIconSize(QSize(THUMB, THUMB))
            view.setGridSize(CELL)
            view.setItemDelegate(ThumbnailDelegate(view))
            view.setResizeMode(QListView.ResizeMode.Adjust)
            view.setMovement(QListView.Movement.Static)
            # SinglePass: a batched layout makes the view think it reached the end and fetch
            # a second page at once; uniform sizes keep a single pass cheap.
        else:
            view.setAlternatingRowColors(True)
            view.setItemDelegate(TextRowDelegate(view))
        # After the mode: a Static movement switches dragging off again.
        view.setDragEnabled(True)
        view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        view.doubleClicked.connect(self.open_large)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(lambda pos, v=view: self._context_menu(v, pos))
        view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        return view

    def _action(self, text: str, slot, shortcut: QKeySequence | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            # Only while a list has focus: Return and Delete in the search box stay its own.
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.grid.addAction(action)
            self.list.addAction(action)
        if tip:
            action.setToolTip(tip)
        return action

    def _build_actions(self) -> None:
        self.act_recall = self._action(self.tr("Recall"), self.recall, QKeySequence(Qt.Key.Key_Return),
                                       self.tr("Put every parameter back into the prompt panel"))
        self.act_reproduce = self._action(self.tr("Reproduce"), self.reproduce_selected,
                                          tip=self.tr("Run it again: same seed, same result"))
        self.act_favourite = self._action(self.tr("★ Favourite"), self.toggle_favourite,
                                          tip=self.tr("Mark or unmark as favourite"))
        self.act_tag = self._action(self.tr("Tag…"), self._ask_tag)
        self.act_canvas = self._action(self.tr("Send to Canvas"), self.send_selected_to_canvas)
        self.act_open = self._action(self.tr("Open Large"), lambda: self.open_large(self.current_view().currentIndex()))
        self.act_delete = self._action(self.tr("Delete"), self.delete_selected, QKeySequence.StandardKey.Delete,
                                       self.tr("Move to the trash"))
        self.act_restore = self._action(self.tr("Restore"), self.restore_selected,
                                        tip=self.tr("Take out of the trash"))
        self.act_empty = self._action(self.tr("Empty Trash…"), self._ask_empty_trash)
        self.act_copy = self._action(self.tr("Copy Parameters"), self.copy_parameters,
                                     tip=self.tr("Copy the recipe (AUTOMATIC1111 text) or the generated text"))
        self.act_export = self._action(self.tr("Export…"), self._ask_export,
                                       tip=self.tr("Save the selection as PNG, JPEG, WebP, PDF or text files"))
        self.act_sheet = self._action(self.tr("Contact Sheet PDF…"), lambda: self._ask_export(contact_sheet=True))
        self._update_actions()

    def _fill_filters(self) -> bool:
        """Refill the model and tag lists; True when a chosen filter vanished (now "All")."""
        def refill(combo: QComboBox, everything: str, values: list[str]) -> bool:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for v in values:
                combo.addItem(v, v)
            i = combo.findData(current)
            combo.setCurrentIndex(max(0, i))
            combo.blockSignals(False)
            return current is not None and i < 0

        lost_model = refill(self.model_filter, self.tr("All models"), self.store.models())
        lost_tag = refill(self.tag_filter, self.tr("All tags"), self.store.all_tags())
        return lost_model or lost_tag

    # ── queries ──

    def current_view(self) -> QListView:
        return self.grid if self.tabs.currentIndex() == 0 else self.list

    def current_model(self) -> HistoryListModel:
        return self.image_model if self.tabs.currentIndex() == 0 else self.text_model

    def query(self) -> Query:
        days = self.date_filter.currentData()
        since = None
        if days is not None:
            start_of_day = time.mktime(time.localtime()[:3] + (0, 0, 0, 0, 0, -1))
            since = start_of_day - days * DAY
        return Query(text=self.search.text(), model_id=self.model_filter.currentData(), since=since,
                     favourite=self.favourites_only.isChecked(), tag=self.tag_filter.currentData(),
                     trash=self.trash_mode)

    @Slot()
    def apply_search(self) -> None:
        """Run the current search and filters; the hidden tab's list reloads when it is shown."""
        self._search_timer.stop()
        self._stale = {"image", "text"}
        self._load_current()

    def _load_current(self) -> None:
        model = self.current_model()
        if model.kind in self._stale:
            self._stale.discard(model.kind)
            model.set_query(self.query())
        self._update_actions()

    @Slot()
    def refresh(self) -> None:
        """Re-read everything (filters, rows) from the store."""
        self._fill_filters()
        self.apply_search()

    @Slot(object)
    def add_records(self, ids: Iterable[int]) -> None:
        """Show records the worker just added (those matching the current filters)."""
        ids = tuple(ids)
        if not ids or self.trash_mode:
            return
        for model in (self.image_model, self.text_model):
            if model.kind not in self._stale:  # a stale list reloads anyway when shown
                model.add_ids(ids)
        if self._fill_filters():  # a new model may have appeared (two index seeks per model: cheap)
            self.apply_search()

    @Slot(str)
    def _on_history_recovered(self, message: str) -> None:
        """Damage found while open was repaired: say so as at start-up, show the new database."""
        self.banner.setText(message)
        self.banner.setVisible(bool(message))
        self.refresh()
        if message:
            show_error(self.window(), message)

    def _set_trash_mode(self, on: bool) -> None:
        self.trash_mode = on
        self.apply_search()

    # ── selection and actions ──

    @staticmethod
    def _source(index: QModelIndex) -> QModelIndex:
        model = index.model()
        return model.mapToSource(index) if isinstance(model, QSortFilterProxyModel) else index

    def selected_ids(self) -> list[int]:
        view = self.current_view()
        model = self.current_model()
        rows = sorted(self._source(i).row() for i in view.selectionModel().selectedIndexes())
        return [model.rows[r].id for r in rows if 0 <= r < len(model.rows)]

    def _update_actions(self) -> None:
        if not hasattr(self, "act_recall"):
            return
        n = len(self.selected_ids()) if hasattr(self, "grid") else 0
        images = self.tabs.currentIndex() == 0
        for a in (self.act_recall, self.act_reproduce, self.act_open, self.act_copy):
            a.setEnabled(n == 1 and not self.trash_mode)
        self.act_canvas.setEnabled(n == 1 and images and not self.trash_mode)
        for a in (self.act_favourite, self.act_tag, self.act_export):
            a.setEnabled(n >= 1 and not self.trash_mode)
        self.act_sheet.setEnabled(n >= 1 and images and not self.trash_mode)
        self.act_delete.setEnabled(n >= 1 and not self.trash_mode)
        self.act_restore.setEnabled(n >= 1 and self.trash_mode)
        self.act_restore.setVisible(self.trash_mode)
        self.act_empty.setVisible(self.trash_mode)
        self.act_delete.setVisible(not self.trash_mode)
        # A lone QToolButton does not follow its action's visibility (a QToolBar would).
        for action, button in getattr(self, "_buttons", {}).items():
            button.setVisible(action.isVisible())

    def _selected_record(self):
        ids = self.selected_ids()
        return self.store.get(ids[0]) if len(ids) == 1 else None

    def recall(self) -> None:
        record = self._selected_record()
        if record is None:
            return
        request = request_from_record(record)
        (self.recall_image if record.kind == "image" else self.recall_text).emit(request)

    def reproduce_selected(self) -> None:
        record = self._selected_record()
        if record is not None:
            self.reproduce.emit(request_from_record(record))

    def send_selected_to_canvas(self) -> None:
        record = self._selected_record()
        if record is not None and record.image_path is not None:
            self.send_to_canvas.emit(str(record.image_path))

    def toggle_favourite(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        model = self.current_model()
        rows = {r.id: r for r in model.rows}
        on = not all(rows[i].favourite for i in ids if i in rows)
        self.store.set_favourite(ids, on)
        model.refresh_ids(ids)

    def tag_selected(self, tag: str) -> None:
        ids = self.selected_ids()
        if ids and tag.strip():
            self.store.add_tag(ids, tag)
            self._fill_filters()

    def untag_selected(self, tag: str) -> None:
        ids = self.selected_ids()
        if ids:
            self.store.remove_tag(ids, tag)
            if self._fill_filters():
                self.apply_search()  # the tag shown is gone everywhere: show all again
            elif self.tag_filter.currentData() == tag:
                self.current_model().refresh_ids(ids)

    def copy_parameters(self) -> str:
        """Put the selected image's recipe (A1111 text) or the generated text on the clipboard."""
        record = self._selected_record()
        if record is None:
            return ""
        if record.kind == "image":
            from exporters.a1111 import format_parameters
            from studio.history.export import file_params

            text = format_parameters({**file_params(record), "prompt": record.prompt,
                                      "negative_prompt": record.negative_prompt, "seed": record.seed})
        else:
            text = record.text or ""
        QGuiApplication.clipboard().setText(text)
        return text

    def _ask_tag(self) -> None:
        tag, ok = QInputDialog.getText(self, self.tr("Tag"), self.tr("Tag for the selected items:"))
        if ok:
            self.tag_selected(tag)

    def delete_selected(self) -> None:
        """Move the selection to the trash (it can be restored until the trash is emptied)."""
        ids = self.selected_ids()
        if ids and not self.trash_mode:
            self.store.trash(ids)
            self.current_model().remove_ids(ids)
            self._update_actions()

    def restore_selected(self) -> None:
        ids = self.selected_ids()
        if ids and self.trash_mode:
            self.store.restore(ids)
            self.current_model().remove_ids(ids)
            self._update_actions()

    def empty_trash(self) -> int:
        n = self.store.empty_trash()
        self.refresh()
        return n

    def _ask_empty_trash(self) -> None:
        n = self.store.count(Query(trash=True))
        if n and QMessageBox.question(
                self, self.tr("Empty Trash"),
                self.tr("Delete %1 items and their files for good?").replace("%1", str(n))) \
                == QMessageBox.StandardButton.Yes:
            self.empty_trash()

    def export_selected(self, path: str, contact_sheet: bool = False) -> list:
        """Write the selection to ``path`` (format from its suffix); returns the files written."""
        from studio.history.export import export_records

        return export_records(self.store, self.selected_ids(), path, contact_sheet=contact_sheet)

    def _ask_export(self, contact_sheet: bool = False) -> None:
        if contact_sheet:
            filters = self.tr("PDF (*.pdf)")
        elif self.tabs.currentIndex() == 0:
            filters = self.tr("PNG with parameters (*.png);;JPEG (*.jpg);;WebP (*.webp);;PDF, one per page (*.pdf)")
        else:
            filters = self.tr("Markdown (*.md);;Plain text (*.txt);;HTML (*.html);;OpenDocument text (*.odt)")
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("Export"), "", filters)
        if not path:
            return
        if not Path(path).suffix:
            path += chosen[chosen.rfind("*.") + 1:chosen.rfind(")")]
        try:
            self.export_selected(path, contact_sheet)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Export"), str(exc))

    def open_large(self, index) -> None:
        index = self._source(index)
        model = index.model() if isinstance(index.model(), HistoryListModel) else self.current_model()
        row = model.row_at(index)
        record = self.store.get(row.id) if row else None
        if record is None:
            return
        viewer = ImageViewer(record, self) if record.kind == "image" else TextViewer(record, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        self._viewers = [v for v in self._viewers if v.isVisible()] + [viewer]

    def _context_menu(self, view: QListView, pos) -> None:
        menu = QMenu(self)
        if self.trash_mode:
            menu.addActions([self.act_restore, self.act_empty])
        else:
            menu.addActions([self.act_recall, self.act_reproduce, self.act_open, self.act_copy])
            if view is self.grid:
                menu.addAction(self.act_canvas)
            menu.addSeparator()
            menu.addActions([self.act_export] + ([self.act_sheet] if view is self.grid else []))
            menu.addSeparator()
            menu.addActions([self.act_favourite, self.act_tag])
            tags = sorted({t for i in self.selected_ids() for t in self.store.tags(i)})
            if tags:
                untag = menu.addMenu(self.tr("Remove Tag"))
                for tag in tags:
                    untag.addAction(tag, lambda t=tag: self.untag_selected(t))
            menu.addAction(self.act_delete)
        menu.exec(view.viewport().mapToGlobal(pos))
