"""The Settings dialog: device, threads, default models, data folder, language."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget)

from studio.engines.runtime import default_threads
from studio.models import registry
from studio.settings import Settings


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.settings = settings
        form = QFormLayout(self)

        self.device = QComboBox()
        for value, label in (("auto", self.tr("Auto (GPU when available)")), ("gpu", self.tr("GPU (CUDA)")),
                             ("cpu", self.tr("CPU"))):
            self.device.addItem(label, value)
        self.device.setCurrentIndex(max(0, self.device.findData(settings.device)))
        form.addRow(self.tr("Device"), self.device)

        self.threads = QSpinBox()
        self.threads.setRange(0, 64)
        self.threads.setSpecialValueText(self.tr("Automatic ({0})").format(default_threads()))
        self.threads.setValue(settings.threads)
        form.addRow(self.tr("CPU threads"), self.threads)

        self.text_model = self._model_combo("text", settings.text_model)
        form.addRow(self.tr("Default text model"), self.text_model)
        self.image_model = self._model_combo("image", settings.image_model)
        form.addRow(self.tr("Default image model"), self.image_model)

        row = QHBoxLayout()
        self.data_dir = QLineEdit(settings.data_dir)
        self.data_dir.setPlaceholderText(self.tr("Default location"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.data_dir)
        row.addWidget(browse)
        form.addRow(self.tr("Data folder"), row)
        note = QLabel(self.tr("A new data folder is used after Studio restarts."))
        note.setWordWrap(True)
        form.addRow("", note)

        self.language = QComboBox()
        # Each language is named in itself, so it can be found whatever the current UI language.
        for value, label in (("", self.tr("System")), ("en", "English"), ("zh_CN", "简体中文")):
            self.language.addItem(label, value)
        index = self.language.findData(settings.language)
        if index < 0:  # a language set by hand in settings.json that is not in the list: keep it
            self.language.addItem(settings.language, settings.language)
            index = self.language.count() - 1
        self.language.setCurrentIndex(index)
        form.addRow(self.tr("Language"), self.language)
        lang_note = QLabel(self.tr("A new language applies after Studio restarts."))
        lang_note.setWordWrap(True)
        form.addRow("", lang_note)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _model_combo(self, kind: str, current: str) -> QComboBox:
        box = QComboBox()
        for m in registry.list_models(kind):
            suffix = "" if m.installed else self.tr(" (downloads on first use)")
            box.addItem(m.name + suffix, m.id)
        if box.findData(current) < 0:
            box.addItem(current, current)
        box.setCurrentIndex(box.findData(current))
        return box

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the data folder"), self.data_dir.text())
        if folder:
            self.data_dir.setText(folder)

    def apply(self) -> Settings:
        """Copy the widgets into the settings object and save it."""
        s = self.settings
        s.device = self.device.currentData()
        s.threads = self.threads.value()
        s.text_model = self.text_model.currentData()
        s.image_model = self.image_model.currentData()
        s.data_dir = self.data_dir.text().strip()
        s.language = self.language.currentData()
        s.save()
        return s
