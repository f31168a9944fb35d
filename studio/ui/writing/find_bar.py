"""Find / replace bar under the editor. Main thread only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QWidget)


class FindBar(QWidget):
    def __init__(self, editor: QPlainTextEdit, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        self.find = QLineEdit()
        self.find.setPlaceholderText(self.tr("Find"))
        self.replace = QLineEdit()
        self.replace.setPlaceholderText(self.tr("Replace with"))
        self.case = QCheckBox(self.tr("Match case"))
        self.prev_btn = QPushButton(self.tr("Previous"))
        self.next_btn = QPushButton(self.tr("Next"))
        self.replace_btn = QPushButton(self.tr("Replace"))
        self.all_btn = QPushButton(self.tr("Replace all"))
        self.info = QLabel()
        close = QPushButton("✕")
        close.setFlat(True)
        close.setToolTip(self.tr("Close (Esc)"))
        for w in (self.find, self.replace, self.case, self.prev_btn, self.next_btn, self.replace_btn,
                  self.all_btn, self.info, close):
            lay.addWidget(w)
        self.find.returnPressed.connect(self.find_next)
        self.next_btn.clicked.connect(self.find_next)
        self.prev_btn.clicked.connect(lambda: self.find_next(backward=True))
        self.replace_btn.clicked.connect(self.replace_one)
        self.all_btn.clicked.connect(self.replace_all)
        close.clicked.connect(self.close_bar)
        self.hide()

    def open_bar(self) -> None:
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find.setText(selected)
        self.show()
        self.find.setFocus()
        self.find.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.editor.setFocus()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)

    def _flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def find_next(self, backward: bool = False) -> bool:
        needle = self.find.text()
        if not needle:
            return False
        if self.editor.find(needle, self._flags(backward)):
            self.info.clear()
            return True
        # wrap around
        cur = self.editor.textCursor()
        cur.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
        self.editor.setTextCursor(cur)
        found = self.editor.find(needle, self._flags(backward))
        self.info.setText("" if found else self.tr("Not found"))
        return found

    def replace_one(self) -> None:
        cur = self.editor.textCursor()
        needle = self.find.text()
        same = (cur.selectedText() == needle if self.case.isChecked()
                else cur.selectedText().lower() == needle.lower())
        if cur.hasSelection() and same:
            cur.insertText(self.replace.text())
        self.find_next()

    def replace_all(self) -> int:
        needle = self.find.text()
        if not needle:
            return 0
        doc = self.editor.document()
        cur = QTextCursor(doc)
        edit = QTextCursor(doc)
        edit.beginEditBlock()  # one undo step for the whole replacement
        count = 0
        while True:
            cur = doc.find(needle, cur, self._flags())
            if cur.isNull():
                break
            cur.insertText(self.replace.text())
            count += 1
        edit.endEditBlock()
        self.info.setText(self.tr("%n replaced", "", count))
        return count
