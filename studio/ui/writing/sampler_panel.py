"""Sampler settings with named presets. Main thread only."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QInputDialog, QLineEdit, QPushButton, QSpinBox, QWidget)

from studio.jobs import SamplerParams, UserError
from studio.writing import presets


def _dspin(lo: float, hi: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    return box


def parse_stops(text: str) -> tuple[str, ...]:
    """Stop sequences typed as comma-separated values; "\\n" means a newline."""
    out = []
    for part in text.split(","):
        part = part.strip().replace("\\n", "\n")
        if part:
            out.append(part)
    return tuple(out)


def format_stops(stops: tuple[str, ...]) -> str:
    return ", ".join(s.replace("\n", "\\n") for s in stops)


class SamplerPanel(QWidget):
    """Signals: changed(SamplerParams), error(str)."""

    changed = Signal(object)
    error = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._loading = False
        self._extra = SamplerParams()  # fields without a widget (banned tokens, logit bias)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        row = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.setToolTip(self.tr("Named sampler settings"))
        self.save_preset = QPushButton(self.tr("Save…"))
        self.save_preset.setToolTip(self.tr("Save these settings as a preset"))
        row.addWidget(self.preset, 1)
        row.addWidget(self.save_preset)
        form.addRow(self.tr("Preset"), row)

        self.temperature = _dspin(0.0, 3.0, 0.05)
        self.top_k = QSpinBox()
        self.top_k.setRange(0, 1000)
        self.top_k.setSpecialValueText(self.tr("off"))
        self.top_p = _dspin(0.0, 1.0, 0.01)
        self.min_p = _dspin(0.0, 1.0, 0.01)
        self.typical = _dspin(0.0, 1.0, 0.01)
        self.repetition = _dspin(1.0, 2.0, 0.01)
        self.presence = _dspin(-2.0, 2.0, 0.05)
        self.frequency = _dspin(-2.0, 2.0, 0.05)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(1, 4096)
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2**31 - 1)
        self.seed.setSpecialValueText(self.tr("random"))
        self.greedy = QCheckBox(self.tr("Greedy"))
        self.greedy.setToolTip(self.tr("Always pick the most likely token (ignores the settings above)"))
        self.stops = QLineEdit()
        self.stops.setPlaceholderText(self.tr("e.g. \\n\\n, THE END"))
        for label, w in ((self.tr("Temperature"), self.temperature), (self.tr("Top-k"), self.top_k),
                         (self.tr("Top-p"), self.top_p), (self.tr("Min-p"), self.min_p),
                         (self.tr("Typical-p"), self.typical), (self.tr("Repetition penalty"), self.repetition),
                         (self.tr("Presence penalty"), self.presence),
                         (self.tr("Frequency penalty"), self.frequency),
                         (self.tr("Max tokens"), self.max_tokens), (self.tr("Seed"), self.seed),
                         ("", self.greedy), (self.tr("Stop sequences"), self.stops)):
            form.addRow(label, w)
            signal = getattr(w, "valueChanged", None) or getattr(w, "toggled", None) or w.editingFinished
            signal.connect(self._on_edit)
        self.preset.activated.connect(self._on_preset)
        self.save_preset.clicked.connect(self._on_save_preset)
        self.reload_presets()
        self.set_params(SamplerParams())

    def reload_presets(self) -> None:
        self._loading = True
        current = self.preset.currentText()
        self.preset.clear()
        self.preset.addItem(self.tr("(custom)"), "")
        for name in presets.all_presets():
            self.preset.addItem(name, name)
        idx = self.preset.findData(current)
        self.preset.setCurrentIndex(max(0, idx))
        self._loading = False

    def params(self) -> SamplerParams:
        seed = self.seed.value()
        return replace(
            self._extra, temperature=self.temperature.value(), top_k=self.top_k.value(),
            top_p=self.top_p.value(), min_p=self.min_p.value(), typical_p=self.typical.value(),
            repetition_penalty=self.repetition.value(), presence_penalty=self.presence.value(),
            frequency_penalty=self.frequency.value(), max_new_tokens=self.max_tokens.value(),
            seed=None if seed < 0 else seed, greedy=self.greedy.isChecked(),
            stop=parse_stops(self.stops.text()))

    def set_params(self, p: SamplerParams) -> None:
        """Show ``p`` in the widgets (recall, a draft switch) without emitting ``changed``."""
        self._loading = True
        self._extra = p
        self.temperature.setValue(p.temperature)
        self.top_k.setValue(p.top_k)
        self.top_p.setValue(p.top_p)
        self.min_p.setValue(p.min_p)
        self.typical.setValue(p.typical_p)
        self.repetition.setValue(p.repetition_penalty)
        self.presence.setValue(p.presence_penalty)
        self.frequency.setValue(p.frequency_penalty)
        self.max_tokens.setValue(p.max_new_tokens)
        self.seed.setValue(-1 if p.seed is None else p.seed)
        self.greedy.setChecked(p.greedy)
        self.stops.setText(format_stops(p.stop))
        self._show_preset(p)
        self._loading = False

    def _show_preset(self, p: SamplerParams) -> None:
        self.preset.setCurrentIndex(max(0, self.preset.findData(presets.matching_preset(p))))

    def _on_edit(self, *_args) -> None:
        if self._loading:
            return
        p = self.params()
        self._loading = True
        self._show_preset(p)
        self._loading = False
        self.changed.emit(p)

    def _on_preset(self, index: int) -> None:
        name = self.preset.itemData(index)
        if not name:
            return
        chosen = presets.all_presets()[name]
        # A preset is a style: keep the length and seed the user set.
        current = self.params()
        self.set_params(replace(chosen, max_new_tokens=current.max_new_tokens, seed=current.seed,
                                stop=current.stop))
        self.changed.emit(self.params())

    def _on_save_preset(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save preset"), self.tr("Preset name:"))
        if not ok:
            return
        try:
            presets.save_preset(name, self.params())
        except UserError as exc:
            self.error.emit(str(exc))
            return
        self.reload_presets()
        self._show_preset(self.params())
