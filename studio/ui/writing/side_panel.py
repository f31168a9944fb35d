"""The panel beside the editor: instruct line, memory, author's note, context budget, sampler.

Main thread only. It edits the current draft's ``DraftSettings`` through ``changed``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QProgressBar, QPushButton, QScrollArea, QSpinBox,
                               QVBoxLayout, QWidget)

from studio.ui.writing.sampler_panel import SamplerPanel
from studio.writing.budget import Budget
from studio.writing.draft import DraftSettings


class SidePanel(QScrollArea):
    """Signals: changed(): memory, note, depth or sampler edited; instruct(str): apply instruction."""

    changed = Signal()
    instruct = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setMinimumWidth(380)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        lay = QVBoxLayout(body)
        self._loading = False

        box = QGroupBox(self.tr("Instruct"))
        row = QHBoxLayout(box)
        self.instruction = QLineEdit()
        self.instruction.setPlaceholderText(self.tr("Rewrite this paragraph more vividly"))
        self.instruction.setToolTip(self.tr("Applied to the selected text with the model's chat "
                                            "template (Ctrl+Shift+Enter)"))
        self.apply = QPushButton(self.tr("Apply"))
        row.addWidget(self.instruction, 1)
        row.addWidget(self.apply)
        lay.addWidget(box)

        box = QGroupBox(self.tr("Memory"))
        v = QVBoxLayout(box)
        self.memory = QPlainTextEdit()
        self.memory.setPlaceholderText(self.tr("Always kept at the start of the context: characters, "
                                               "setting, style…"))
        self.memory.setFixedHeight(90)
        v.addWidget(self.memory)
        lay.addWidget(box)

        box = QGroupBox(self.tr("Author's note"))
        form = QFormLayout(box)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("Inserted a few lines before the cursor: mood, "
                                             "what happens next…"))
        self.note.setFixedHeight(60)
        self.depth = QSpinBox()
        self.depth.setRange(1, 50)
        self.depth.setSuffix(self.tr(" lines before the cursor"))
        form.addRow(self.note)
        form.addRow(self.tr("Insert"), self.depth)
        lay.addWidget(box)

        box = QGroupBox(self.tr("Context"))
        v = QVBoxLayout(box)
        self.budget_bar = QProgressBar()
        self.budget_bar.setTextVisible(True)
        self.budget_label = QLabel()
        self.budget_label.setWordWrap(True)
        v.addWidget(self.budget_bar)
        v.addWidget(self.budget_label)
        lay.addWidget(box)

        box = QGroupBox(self.tr("Sampler"))
        v = QVBoxLayout(box)
        self.sampler = SamplerPanel()
        v.addWidget(self.sampler)
        lay.addWidget(box)
        lay.addStretch(1)
        self.setWidget(body)

        self.memory.textChanged.connect(self._emit)
        self.note.textChanged.connect(self._emit)
        self.depth.valueChanged.connect(self._emit)
        self.sampler.changed.connect(self._emit)
        self.apply.clicked.connect(lambda: self.instruct.emit(self.instruction.text()))
        self.instruction.returnPressed.connect(lambda: self.instruct.emit(self.instruction.text()))

    def show_settings(self, s: DraftSettings) -> None:
        self._loading = True
        if self.memory.toPlainText() != s.memory:
            self.memory.setPlainText(s.memory)
        if self.note.toPlainText() != s.author_note:
            self.note.setPlainText(s.author_note)
        self.depth.setValue(s.note_depth)
        self.sampler.set_params(s.sampler)
        self._loading = False

    def write_settings(self, s: DraftSettings) -> None:
        s.memory = self.memory.toPlainText()
        s.author_note = self.note.toPlainText()
        s.note_depth = self.depth.value()
        s.sampler = self.sampler.params()
        s.preset = self.sampler.preset.currentData() or ""

    def show_budget(self, b: Budget) -> None:
        self.budget_bar.setRange(0, b.total)
        self.budget_bar.setValue(min(b.used, b.total))
        approx = "" if b.exact else "≈"
        self.budget_bar.setFormat(f"{approx}{b.used} / {b.total}")
        text = self.tr("{0}{1} of {2} tokens used by memory and the text before the cursor.") \
            .format(approx, b.used, b.total)
        if b.trimmed:
            text += " " + self.tr("The oldest text does not fit and is left out; memory is kept.")
        if not b.exact:
            text += " " + self.tr("(Estimated: the model's tokenizer is not available.)")
        self.budget_label.setText(text)

    def _emit(self, *_args) -> None:
        if not self._loading:
            self.changed.emit()
