"""A non-modal, dismissable message under the canvas, with technical details behind a button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class MessageBar(QWidget):
    """Main thread only. Failed jobs and refused actions show here instead of a modal dialog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setObjectName("message")
        self.details_btn = QPushButton(self.tr("Details…"), self)
        self.details_btn.clicked.connect(self._show_details)
        close = QToolButton(self)
        close.setText("✕")
        close.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.details_btn)
        lay.addWidget(close)
        self.setStyleSheet("MessageBar { background: #fbe3c0; } QLabel { color: #4a2a00; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._details = ""
        self.hide()

    def show_message(self, message: str, details: str = "") -> None:
        self.text.setText(message)
        self._details = details
        self.details_btn.setVisible(bool(details))
        self.show()

    def _show_details(self) -> None:
        from studio.ui.errors import show_error

        show_error(self, self.text.text(), self._details)
