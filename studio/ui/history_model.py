"""List model over the history store: pages fetched as the view scrolls, thumbnails decoded
only when a row is painted. Main thread only (it reads through the UI thread's connection)."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import replace
from typing import Any, Iterable

from PySide6.QtCore import (QAbstractListModel, QCoreApplication, QMimeData, QModelIndex,
                            QPersistentModelIndex, Qt, QUrl)
from PySide6.QtGui import QImage, QPixmap

from studio.history import HistoryRow, HistoryStore, Query

PAGE = 200  # rows per fetch: a few screens of thumbnails
THUMB_WINDOW = 24  # thumbnails decoded per miss (one query for about a screenful)
CACHE = 3000  # decoded thumbnails kept
THUMB_PX = 128  # shown size; decoded thumbnails are scaled to it once, not at every paint


class HistoryListModel(QAbstractListModel):
    RowRole = Qt.ItemDataRole.UserRole + 1  # the HistoryRow
    IdRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, store: HistoryStore, kind: str, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.kind = kind
        self.query = Query(kind=kind)
        self.rows: list[HistoryRow] = []
        self._more = True
        self._thumbs: OrderedDict[int, QPixmap] = OrderedDict()

    # ── loading ──

    def set_query(self, query: Query) -> None:
        """Show the first page of a new query (search text, filters)."""
        self.beginResetModel()
        self.query = replace(query, kind=self.kind)
        self.rows = self.store.page(self.query, limit=PAGE)
        self._more = len(self.rows) == PAGE
        self.endResetModel()

    def reload(self) -> None:
        self.set_query(self.query)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if parent.isValid() or not self._more:
            return
        before = self.rows[-1].id if self.rows else None
        page = self.store.page(self.query, before=before, limit=PAGE)
        self._more = len(page) == PAGE
        if page:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()

    def add_ids(self, ids: Iterable[int]) -> int:
        """Put newly recorded ids that match the query at the top; returns how many."""
        ids = tuple(i for i in ids if not self.rows or i > self.rows[0].id)
        if not ids:
            return 0
        new = self.store.page(replace(self.query, ids=ids), limit=len(ids))
        if new:
            self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
            self.rows[:0] = new
            self.endInsertRows()
        return len(new)

    def remove_ids(self, ids: Iterable[int]) -> None:
        gone = set(ids)
        for row in range(len(self.rows) - 1, -1, -1):
            if self.rows[row].id in gone:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.rows[row]
                self.endRemoveRows()

    def refresh_ids(self, ids: Iterable[int]) -> None:
        """Re-read rows whose flags changed (favourite); rows no longer matching leave."""
        ids = tuple(ids)
        fresh = {r.id: r for r in self.store.page(replace(self.query, ids=ids), limit=max(1, len(ids)))}
        self.remove_ids(i for i in ids if i not in fresh)
        for row, r in enumerate(self.rows):
            if r.id in fresh:
                self.rows[row] = fresh[r.id]
                idx = self.index(row)
                self.dataChanged.emit(idx, idx)

    # ── Qt model ──

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def row_at(self, index: QModelIndex) -> HistoryRow | None:
        return self.rows[index.row()] if index.isValid() and 0 <= index.row() < len(self.rows) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.row_at(index)  # type: ignore[arg-type]
        if r is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:  # what screen readers say; the delegates paint
            star = "★ " if r.favourite else ""
            return star + " ".join((r.prompt if r.kind == "image" else r.text or "").split())[:160]
        if role == Qt.ItemDataRole.DecorationRole and r.kind == "image":
            return self._thumbnail(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r)
        if role == self.RowRole:
            return r
        if role == self.IdRole:
            return r.id
        return None

    def _tooltip(self, r: HistoryRow) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created))
        prompt = r.prompt if len(r.prompt) < 300 else r.prompt[:300] + "…"
        model_label = QCoreApplication.translate("HistoryListModel", "Model")
        seed_label = QCoreApplication.translate("HistoryListModel", "Seed")
        lines = [prompt, f"{model_label}: {r.model_id}", f"{seed_label}: {r.seed}", when]
        if r.width and r.height:
            lines.insert(2, f"{r.width}×{r.height}")
        return "\n".join(lines)

    def _thumbnail(self, row: int) -> QPixmap | None:
        rid = self.rows[row].id
        pix = self._thumbs.get(rid)
        if pix is not None:
            self._thumbs.move_to_end(rid)
            return pix
        # One query for this row and the ones that will be painted next to it.
        window = [r.id for r in self.rows[max(0, row - 4):row + THUMB_WINDOW] if r.id not in self._thumbs]
        for tid, data in self.store.thumbnails(window).items():
            image = QImage.fromData(data)
            if image.isNull():
                continue
            if max(image.width(), image.height()) > THUMB_PX:
                image = image.scaled(THUMB_PX, THUMB_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
            self._thumbs[tid] = QPixmap.fromImage(image)
        while len(self._thumbs) > CACHE:
            self._thumbs.popitem(last=False)
        return self._thumbs.get(rid)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    # ── drag out: file URLs (file manager, canvas) plus the image itself ──

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", "application/x-qt-image", "text/plain"]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        rows = [r for r in (self.row_at(i) for i in indexes) if r is not None]
        paths = [r.image_path for r in rows if r.image_path is not None and r.image_path.exists()]
        if paths:
            mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
            image = QImage(str(paths[0]))
            if not image.isNull():
                mime.setImageData(image)
        full = (self.store.get(r.id) for r in rows if r.kind == "text")
        texts = [rec.text for rec in full if rec is not None and rec.text]
        if texts:
            mime.setText("\n\n".join(texts))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction
