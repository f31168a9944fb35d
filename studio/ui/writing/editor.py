"""The draft editor: a QPlainTextEdit (fast on 100,000-word drafts) that shows the pending
generated span and routes the user's edits through the draft model.

Main thread only.
"""

from __future__ import annotations

from PySide6.QtCore import SIGNAL, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from studio.writing.buffer import normalize_newlines, utf16_len
from studio.writing.draft import Draft
from studio.writing.words import count_words

PENDING = QColor("#dbeafe")  # light blue: written by the model, not accepted yet
STREAMING = QColor("#fdecc8")  # amber while tokens arrive


class QtBuffer:
    """The draft model's Buffer over a QTextDocument (positions in UTF-16 code units).

    Each replace is one edit block, or joins the previous one (streamed tokens), so a whole
    generation is a single undo step.
    """

    def __init__(self, doc: QTextDocument) -> None:
        self.doc = doc
        self.programmatic = 0  # > 0 while the model edits: the editor does not treat it as typing

    def size(self) -> int:
        return self.doc.characterCount() - 1

    def length(self, text: str) -> int:
        return utf16_len(text)

    def normalize(self, text: str) -> str:
        return normalize_newlines(text)

    def slice(self, start: int, end: int) -> str:
        cur = QTextCursor(self.doc)
        cur.setPosition(max(0, start))
        cur.setPosition(min(end, self.size()), QTextCursor.MoveMode.KeepAnchor)
        return to_plain(cur.selectedText())

    def replace(self, start: int, end: int, text: str, *, merge: bool = False) -> None:
        cur = QTextCursor(self.doc)
        self.programmatic += 1
        try:
            if merge:
                cur.joinPreviousEditBlock()
            else:
                cur.beginEditBlock()
            cur.setPosition(start)
            if end != start:  # (each setPosition lays out the paragraph: skip the no-op one)
                cur.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cur.insertText(text)
            cur.endEditBlock()
        finally:
            self.programmatic -= 1

    def undo_steps(self) -> int:
        return self.doc.availableUndoSteps()


def to_plain(selected: str) -> str:
    """QTextCursor.selectedText() uses U+2029 for paragraph breaks; drafts use '\\n'.

    A slice that starts inside a surrogate pair would carry a lone surrogate; drop it.
    """
    text = selected.replace("\u2029", "\n").replace("\u2028", "\n")
    if text and "\ud800" <= text[0] <= "\udfff":
        text = text[1:]
    if text and "\ud800" <= text[-1] <= "\udbff":
        text = text[:-1]
    return text


class DraftEditor(QPlainTextEdit):
    """Signals:
        accept_requested(): Enter pressed while a span is pending.
        undo_requested(), redo_requested(): Ctrl+Z / Ctrl+Y (undo goes through the draft model).
        token_clicked(int, QPoint): a generated token was clicked (index, global position).
        user_edited(): the user changed the text (typing, paste, cut, drop).
    """

    accept_requested = Signal()
    undo_requested = Signal()
    redo_requested = Signal()
    token_clicked = Signal(int, QPoint)
    user_edited = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTabChangesFocus(False)
        self.document().setDocumentMargin(18)
        self.buffer = QtBuffer(self.document())
        self.draft = Draft(self.buffer)
        self._press_pos: QPoint | None = None
        self._block_words: list[int] = [0]  # words in each block (paragraph), by block number
        self._words_total = 0
        self._dirty: tuple[int, int] | None = None  # changed range not yet recounted
        self.document().contentsChange.connect(self._on_contents_change)

    # ── the span's marking ──
    def refresh_span(self) -> None:
        """Highlight the pending span (amber while streaming) and keep its end in view."""
        rng = self.draft.span_range()
        if rng is None:
            self.setExtraSelections([])
            return
        sel = QTextEdit.ExtraSelection()
        cur = QTextCursor(self.document())
        cur.setPosition(rng[0])
        cur.setPosition(rng[1], QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cur
        fmt = QTextCharFormat()
        fmt.setBackground(STREAMING if self.draft.streaming is not None else PENDING)
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        fmt.setUnderlineColor(QColor("#3b6fd8"))
        sel.format = fmt
        self.setExtraSelections([sel])

    def move_cursor_to(self, pos: int) -> None:
        cur = self.textCursor()
        cur.setPosition(min(pos, self.buffer.size()))
        self.setTextCursor(cur)
        self.ensureCursorVisible()

    # ── input ──
    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo_requested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Redo) or (
                event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier):
            self.redo_requested.emit()
            return
        mods = event.modifiers()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            event.ignore()  # Ctrl+Enter is Continue (a workspace action), never a newline
            return
        if self.draft.streaming is not None:
            if not event.text() or event.key() in (Qt.Key.Key_Escape,):
                super().keyPressEvent(event)  # navigation only while the model writes
            return
        if self.draft.span is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            self.accept_requested.emit()
            return
        typing = bool(event.text()) and not mods & (Qt.KeyboardModifier.ControlModifier
                                                    | Qt.KeyboardModifier.AltModifier)
        if self.draft.span is not None and (typing or event.key() in (
                Qt.Key.Key_Backspace, Qt.Key.Key_Delete)) and event.key() != Qt.Key.Key_Escape:
            self.accept_requested.emit()  # typing accepts the span, then types
        super().keyPressEvent(event)

    def insertFromMimeData(self, source) -> None:  # noqa: N802 - Qt override
        if self.draft.streaming is not None:
            return
        if self.draft.span is not None:
            self.accept_requested.emit()
        super().insertFromMimeData(source)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self._press_pos = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        pos = event.position().toPoint()
        if (event.button() == Qt.MouseButton.LeftButton and self._press_pos is not None
                and (pos - self._press_pos).manhattanLength() < 4 and self.draft.span is not None):
            index = self.draft.token_index_at(self.cursorForPosition(pos).position())
            if index is not None:
                self.token_clicked.emit(index, self.viewport().mapToGlobal(pos))
        self._press_pos = None

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        menu = self.createStandardContextMenu(event.pos())
        # The built-in Undo/Redo would bypass the draft model; route them through it.
        for action in menu.actions():
            if action.objectName() == "edit-undo":
                _disconnect_all(action)
                action.triggered.connect(self.undo_requested.emit)
            elif action.objectName() == "edit-redo":
                _disconnect_all(action)
                action.triggered.connect(self.redo_requested.emit)
        menu.exec(event.globalPos())
        menu.deleteLater()

    # ── word count, per paragraph ──
    def word_count(self) -> int:
        """Words in the draft. Counts are kept per paragraph; edits only mark the changed range,
        and this recounts just those paragraphs, so a 100,000-word draft costs no more than a
        short one (and streaming a token costs nothing here)."""
        if self._dirty is not None:
            self._recount(*self._dirty)
            self._dirty = None
        return self._words_total

    def _mark_dirty(self, pos: int, removed: int, added: int) -> None:
        """Grow the changed range [lo, hi] (in current positions) by one edit."""
        if self._dirty is None:
            self._dirty = (pos, pos + added)
            return
        lo, hi = self._dirty
        if hi >= pos + removed:
            hi += added - removed  # the range's end moved with the text after the edit
        elif hi > pos:
            hi = pos + added  # the edit swallowed the range's end
        self._dirty = (min(lo, pos), max(hi, pos + added))

    def _recount(self, lo: int, hi: int) -> None:
        doc = self.document()
        size = doc.characterCount() - 1
        first = doc.findBlock(min(lo, size))
        last = doc.findBlock(min(hi, size))
        if not last.isValid():
            last = doc.lastBlock()
        if not first.isValid():
            first = last
        first_no, hi_new = first.blockNumber(), last.blockNumber()
        # Blocks before the range keep their numbers; those after it shift by the count delta.
        hi_old = hi_new - (doc.blockCount() - len(self._block_words))
        counts = []
        block = first
        while block.isValid():
            counts.append(count_words(block.text()))
            if block.blockNumber() >= hi_new:
                break
            block = block.next()
        old = self._block_words[first_no:hi_old + 1]
        self._block_words[first_no:hi_old + 1] = counts
        self._words_total += sum(counts) - sum(old)

    def _on_contents_change(self, pos: int, removed: int, added: int) -> None:
        self._mark_dirty(pos, removed, added)
        if self.buffer.programmatic or (removed == 0 and added == 0):
            return
        if getattr(self, "_undoing", False):
            return
        self.draft.user_edit()
        self.draft.after_user_edit()
        self.refresh_span()
        self.user_edited.emit()

    # ── undo / redo through the model ──
    def undo_generation_aware(self) -> None:
        self._run_history(self.document().undo)

    def redo_generation_aware(self) -> None:
        self._run_history(self.document().redo)

    def _run_history(self, op) -> None:
        if self.draft.streaming is not None:
            return
        self._undoing = True
        try:
            op()
        finally:
            self._undoing = False
        self.draft.after_undo_redo()
        self.refresh_span()
        self.user_edited.emit()


def _disconnect_all(action) -> None:
    # Not ``action.triggered.disconnect()``: in PySide6 6.12 every such call drops a reference to
    # True, and after a few hundred context menus the interpreter aborts (bool_dealloc).
    QObject.disconnect(action, SIGNAL("triggered(bool)"), None, None)
