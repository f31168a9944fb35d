"""How history rows are painted: framed thumbnails with a favourite star; two-line text rows."""

from __future__ import annotations

import time

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from studio.history import HistoryRow
from studio.ui.history_model import THUMB_PX, HistoryListModel

THUMB = THUMB_PX
CELL = QSize(THUMB + 12, THUMB + 12)


def _row(index: QModelIndex | QPersistentModelIndex) -> HistoryRow | None:
    return index.data(HistoryListModel.RowRole)


def _star(painter: QPainter, rect: QRect, color: QColor) -> None:
    font = QFont(painter.font())
    font.setPointSizeF(font.pointSizeF() * 1.3)
    painter.setFont(font)
    painter.setPen(QPen(color))
    painter.drawText(rect, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight, "★")


class ThumbnailDelegate(QStyledItemDelegate):
    """A thumbnail centred in its cell; selection as a frame, favourites as a gold star."""

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        return CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        row = _row(index)
        painter.save()
        cell = option.rect.adjusted(2, 2, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(option.palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(cell, 6, 6)
        pix = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pix, QPixmap) and not pix.isNull():
            scaled = pix if max(pix.width(), pix.height()) <= THUMB else pix.scaled(
                THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            x = cell.x() + (cell.width() - scaled.width()) // 2
            y = cell.y() + (cell.height() - scaled.height()) // 2
            painter.drawPixmap(x, y, scaled)
        else:
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Mid)))
            painter.drawRect(cell.adjusted(4, 4, -4, -4))
        if row is not None and row.favourite:
            _star(painter, cell.adjusted(0, 2, -6, 0), QColor("#f5b301"))
        painter.restore()


class TextRowDelegate(QStyledItemDelegate):
    """The generated text on the first line; when, which model and the context's end below."""

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        h = QFontMetrics(option.font).height()
        return QSize(200, 2 * h + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        row = _row(index)
        if row is None:
            return super().paint(painter, option, index)
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        if selected:
            painter.fillRect(option.rect, pal.color(QPalette.ColorRole.Highlight))
        elif option.features & QStyleOptionViewItem.ViewItemFeature.Alternate:
            painter.fillRect(option.rect, pal.color(QPalette.ColorRole.AlternateBase))
        fm = QFontMetrics(option.font)
        r = option.rect.adjusted(6, 4, -6, -4)
        first = QRect(r.x(), r.y(), r.width(), fm.height())
        second = QRect(r.x(), r.y() + fm.height() + 2, r.width(), fm.height())
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(pal.color(text_role))
        head = ("★ " if row.favourite else "") + " ".join((row.text or "").split())
        painter.drawText(first, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(head, Qt.TextElideMode.ElideRight, first.width()))
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.created))
        context = " ".join(row.prompt.split())
        prefix = f"{when} · {row.model_id} · "
        room = max(0, second.width() - fm.horizontalAdvance(prefix))
        # the end of the context is what the text continued, so elide its start
        detail = prefix + fm.elidedText(context, Qt.TextElideMode.ElideLeft, room)
        muted = QColor(pal.color(text_role))
        muted.setAlpha(150)
        painter.setPen(muted)
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(detail, Qt.TextElideMode.ElideRight, second.width()))
        painter.restore()
