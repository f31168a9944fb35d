"""Large views opened from the history: an image fitted to the window, a text with its prompt."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QSizePolicy,
                               QVBoxLayout, QWidget)

from studio.history import HistoryRecord


class ImageViewer(QDialog):
    """The image at up to 100 %, scaled down to fit the dialog; its recipe underneath."""

    def __init__(self, record: HistoryRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Image #%1").replace("%1", str(record.id)))
        self.record = record
        self.pixmap = QPixmap(str(record.image_path)) if record.image_path else QPixmap()
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.label.setMinimumSize(64, 64)
        if self.pixmap.isNull():
            self.label.setText(self.tr("The image file is missing."))
        info = QLabel(self._info(record), self)
        info.setWordWrap(True)
        info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(info)
        layout.addWidget(buttons)
        if not self.pixmap.isNull():
            self.resize(min(1024, max(400, self.pixmap.width() + 40)), min(900, self.pixmap.height() + 160))

    def _info(self, r: HistoryRecord) -> str:
        parts = [r.prompt]
        if r.negative_prompt:
            parts.append(self.tr("Negative: %1").replace("%1", r.negative_prompt))
        parts.append(self.tr("Seed %1 · %2×%3 · %4 · %5").replace("%1", str(r.seed))
                     .replace("%2", str(r.width)).replace("%3", str(r.height))
                     .replace("%4", r.model_id).replace("%5", r.device))
        return "\n".join(parts)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.pixmap.isNull():
            size = self.label.size()
            pix = self.pixmap
            if pix.width() > size.width() or pix.height() > size.height():
                pix = pix.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
            self.label.setPixmap(pix)


class TextViewer(QDialog):
    """A text generation: the end of its context, then the generated text."""

    def __init__(self, record: HistoryRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Text #%1").replace("%1", str(record.id)))
        context = QPlainTextEdit(self)
        context.setReadOnly(True)
        context.setPlainText(record.prompt[-4000:])
        output = QPlainTextEdit(self)
        output.setReadOnly(True)
        output.setPlainText(record.text or "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Context"), self))
        layout.addWidget(context, 1)
        layout.addWidget(QLabel(self.tr("Generated"), self))
        layout.addWidget(output, 1)
        layout.addWidget(buttons)
        self.resize(640, 560)
