"""The Qt face of the image document: a QUndoStack of edits and change signals.

Main thread only. Every change goes through ``apply(op)`` or ``push(edit)`` so it lands on the
undo stack; the stack's count limit plus ``UndoMemory``'s RAM budget bound the history.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from studio.canvas import Document, Rect
from studio.canvas.edits import Edit
from studio.canvas.undo_memory import UndoMemory

UNDO_LIMIT = 200


class EditCommand(QUndoCommand):
    """Wraps an edit that has already been applied: the first redo() (from push) does nothing."""

    def __init__(self, model: "DocumentModel", edit: Edit) -> None:
        # edits are Qt-free and name themselves in English; the undo menu shows a translation
        super().__init__(QCoreApplication.translate("edits", edit.label))
        self.model, self.edit = model, edit
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.edit.redo(self.model.doc)
        self.model.notify(self.edit)

    def undo(self) -> None:
        self.edit.undo(self.model.doc)
        self.model.notify(self.edit)


class DocumentModel(QObject):
    """Signals:
        changed(object): a canvas Rect to repaint, or None for everything (sizes may differ).
        structure_changed(): layers, their properties or the canvas size changed.
        document_replaced(): a new document was opened.
    """

    changed = Signal(object)
    structure_changed = Signal()
    document_replaced = Signal()

    def __init__(self, doc: Document | None = None, undo_budget: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc or Document(512, 512)
        self.memory = UndoMemory() if undo_budget is None else UndoMemory(undo_budget)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.path: str = ""  # the .ora file this document was opened from / saved to

    def apply(self, op) -> Edit | None:
        """Apply an operation from ``studio.canvas.ops`` and put it on the undo stack."""
        edit = op.apply(self.doc, self.memory)
        if edit is not None:
            self.push(edit)
        return edit

    def push(self, edit: Edit) -> None:
        self.undo_stack.push(EditCommand(self, edit))
        self.notify(edit)

    def notify(self, edit: Edit) -> None:
        if edit.structural:
            self.structure_changed.emit()
        dirty = edit.dirty(self.doc)
        if dirty is None or not dirty.empty:
            self.changed.emit(dirty)

    def replace(self, doc: Document, path: str = "") -> None:
        """A new document (open, restore): the undo history starts afresh."""
        self.undo_stack.clear()
        self.doc = doc
        self.path = path
        self.undo_stack.setClean()
        self.document_replaced.emit()
        self.structure_changed.emit()
        self.changed.emit(None)

    def repaint(self, rect: Rect | None) -> None:
        self.changed.emit(rect)
