"""Prompt, negative prompt, model and sampling settings; builds ImageRequests. Main thread only."""

from __future__ import annotations

import random

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QInputDialog, QLabel, QPlainTextEdit, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from studio.jobs import ImageRequest
from studio.ui.image.presets import PromptHistory, Style, StyleBook

SCHEDULERS = ("euler", "euler_a", "ddim", "dpmpp_2m", "dpmpp_2m_karras", "lcm")
SIZES = ((0, 0), (64, 64), (128, 128), (256, 256), (512, 512), (512, 768), (768, 512),
         (768, 768), (1024, 1024))
MAX_SEED = 2**31 - 1


def image_models() -> list[tuple[str, str]]:
    """(id, name) of the image models the registry knows (installed ones first)."""
    try:
        from studio.models.registry import list_models

        return [(m.id, m.name + ("" if m.installed else " ⤓")) for m in list_models("image")]
    except Exception:  # noqa: BLE001 - a broken model folder must not break the panel
        return []


class PromptPanel(QWidget):
    """Signals:
        generate_requested(): the Generate button was pressed.
    """

    generate_requested = Signal()

    def __init__(self, default_model: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.default_model = default_model
        self.styles = StyleBook()
        self.history = PromptHistory()
        self.last_seed: int | None = None

        self.prompt = QPlainTextEdit(self)
        self.prompt.setObjectName("prompt")
        self.prompt.setPlaceholderText(self.tr("Describe the picture…"))
        self.prompt.setTabChangesFocus(True)
        self.negative = QPlainTextEdit(self)
        self.negative.setObjectName("negative")
        self.negative.setPlaceholderText(self.tr("What to avoid (negative prompt)"))
        self.negative.setTabChangesFocus(True)
        self.negative.setMaximumHeight(60)
        self.recent = QComboBox(self)
        self.recent.setToolTip(self.tr("Recent prompts"))
        self.recent.activated.connect(self._recall_recent)

        self.style_box = QComboBox(self)
        self.apply_style_btn = QPushButton(self.tr("Apply"), self)
        self.apply_style_btn.clicked.connect(self.apply_style)
        self.save_style_btn = QPushButton(self.tr("＋"), self)
        self.save_style_btn.setToolTip(self.tr("Save the prompt as a named style…"))
        self.save_style_btn.setMaximumWidth(30)
        self.save_style_btn.clicked.connect(self._save_style_dialog)
        self.delete_style_btn = QPushButton(self.tr("✕"), self)
        self.delete_style_btn.setToolTip(self.tr("Delete the chosen style"))
        self.delete_style_btn.setMaximumWidth(30)
        self.delete_style_btn.clicked.connect(lambda: self.delete_style(self.style_box.currentText()))

        self.model_box = QComboBox(self)
        self.refresh_models(default_model)
        self.scheduler = QComboBox(self)
        self.scheduler.addItem(self.tr("Model default"), "")
        for s in SCHEDULERS:
            self.scheduler.addItem(s, s)
        self.steps = QSpinBox(self)
        self.steps.setRange(0, 150)
        self.steps.setSpecialValueText(self.tr("Model default"))
        self.guidance = QDoubleSpinBox(self)
        self.guidance.setRange(-1.0, 30.0)
        self.guidance.setSingleStep(0.5)
        self.guidance.setValue(-1.0)
        self.guidance.setSpecialValueText(self.tr("Model default"))

        self.size_box = QComboBox(self)
        for w, h in SIZES:  # item data as "WxH" text: combo lookups of tuples are unreliable
            self.size_box.addItem(self.tr("Model default") if w == 0 else f"{w} × {h}", f"{w}x{h}")
        self.size_box.addItem(self.tr("Custom"), "")
        self.size_box.currentIndexChanged.connect(self._size_preset)
        self.width_box = QSpinBox(self)
        self.height_box = QSpinBox(self)
        for b in (self.width_box, self.height_box):
            b.setMinimumWidth(60)
            b.setRange(0, 4096)
            b.setSingleStep(8)
            b.setSpecialValueText(self.tr("auto"))
            b.valueChanged.connect(self._size_edited)

        self.seed = QSpinBox(self)
        self.seed.setRange(0, MAX_SEED)
        self.random_seed = QCheckBox(self.tr("Random"), self)
        self.random_seed.setChecked(True)
        self.random_seed.toggled.connect(lambda on: self.seed.setEnabled(not on))
        self.seed.setEnabled(False)
        self.reuse_seed_btn = QPushButton(self.tr("Reuse"), self)
        self.reuse_seed_btn.setToolTip(self.tr("Use the seed of the last finished image"))
        self.reuse_seed_btn.setEnabled(False)
        self.reuse_seed_btn.clicked.connect(self.reuse_last_seed)
        self.fast = QCheckBox(self.tr("Fast mode"), self)
        self.fast.setToolTip(self.tr("The model's distilled few-step mode, if it has one"))
        self.batch = QSpinBox(self)
        self.batch.setRange(1, 16)
        self.strength = QDoubleSpinBox(self)
        self.strength.setRange(0.05, 1.0)
        self.strength.setSingleStep(0.05)
        self.strength.setValue(0.75)
        self.strength.setToolTip(self.tr("How much of the canvas is replaced (img2img, inpaint)"))

        self.generate_btn = QPushButton(self.tr("Generate"), self)
        self.generate_btn.setObjectName("generate")
        self.generate_btn.setStyleSheet("QPushButton#generate { font-weight: bold; padding: 6px; }")
        self.generate_btn.setToolTip(self.tr("Add a job to the queue (Ctrl+Enter)"))
        self.generate_btn.clicked.connect(self.generate_requested)

        style_row = QHBoxLayout()
        style_row.addWidget(self.style_box, 1)
        style_row.addWidget(self.apply_style_btn)
        style_row.addWidget(self.save_style_btn)
        style_row.addWidget(self.delete_style_btn)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_box, 1)
        size_row.addWidget(QLabel("×", self))
        size_row.addWidget(self.height_box, 1)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.random_seed)
        seed_row.addWidget(self.reuse_seed_btn)

        form = QFormLayout()
        form.addRow(self.tr("Style"), style_row)
        form.addRow(self.tr("Model"), self.model_box)
        form.addRow(self.tr("Scheduler"), self.scheduler)
        form.addRow(self.tr("Steps"), self.steps)
        form.addRow(self.tr("Guidance"), self.guidance)
        form.addRow(self.tr("Size"), self.size_box)
        form.addRow("", size_row)
        form.addRow(self.tr("Seed"), seed_row)
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch, 1)
        batch_row.addWidget(self.fast)
        form.addRow(self.tr("Batch"), batch_row)
        form.addRow(self.tr("Strength"), self.strength)

        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Prompt"), self))
        lay.addWidget(self.prompt, 2)
        lay.addWidget(self.recent)
        lay.addWidget(self.negative)
        lay.addLayout(form)
        lay.addWidget(self.generate_btn)
        lay.addStretch(0)
        self._fill_recent()
        self._fill_styles()

    def refresh_models(self, select: str | None = None) -> None:
        """Re-read the installed image models (a model may have been installed meanwhile)."""
        current = select if select is not None else (self.model_box.currentData() or "")
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for mid, name in image_models():
            self.model_box.addItem(name, mid)
        if current and self.model_box.findData(current) < 0:
            self.model_box.insertItem(0, current, current)
        if self.model_box.count() == 0:
            self.model_box.addItem(self.tr("Default model"), "")
        self.model_box.setCurrentIndex(max(0, self.model_box.findData(current)))
        self.model_box.blockSignals(False)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_models()

    # ── building requests ──
    def build_request(self, **overrides) -> ImageRequest:
        """An ImageRequest from the panel; `overrides` set init_image, mask, width, height…"""
        w, h = self.width_box.value(), self.height_box.value()
        seed = None if self.random_seed.isChecked() else self.seed.value()
        if seed is None:
            seed = random.randint(0, MAX_SEED)  # chosen here so the request alone reproduces it
        fields = dict(
            prompt=self.prompt.toPlainText().strip(),
            negative_prompt=self.negative.toPlainText().strip(),
            model_id=self.model_box.currentData() or "",
            width=w, height=h,
            steps=self.steps.value(),
            guidance=self.guidance.value() if self.guidance.value() >= 0 else -1.0,
            seed=seed,
            scheduler=self.scheduler.currentData() or "",
            batch=self.batch.value(),
            strength=self.strength.value(),
            fast=self.fast.isChecked(),
        )
        fields.update(overrides)
        return ImageRequest(**fields)

    def remember(self, request: ImageRequest) -> None:
        self.history.add(request.prompt, request.negative_prompt)
        self._fill_recent()

    def apply_request(self, r: ImageRequest) -> None:
        """Put every parameter of a past request back into the panel."""
        self.prompt.setPlainText(r.prompt)
        self.negative.setPlainText(r.negative_prompt)
        if r.model_id:
            i = self.model_box.findData(r.model_id)
            if i < 0:
                self.model_box.addItem(r.model_id, r.model_id)
                i = self.model_box.count() - 1
            self.model_box.setCurrentIndex(i)
        self.scheduler.setCurrentIndex(max(0, self.scheduler.findData(r.scheduler or "")))
        self.steps.setValue(r.steps)
        self.guidance.setValue(r.guidance if r.guidance >= 0 else -1.0)
        self.set_size(r.width, r.height)
        if r.seed is not None:
            self.random_seed.setChecked(False)
            self.seed.setValue(int(r.seed) % (MAX_SEED + 1))
        self.batch.setValue(max(1, r.batch))
        self.strength.setValue(r.strength)
        self.fast.setChecked(r.fast)

    def import_parameters(self, params: dict) -> None:
        """Fill the panel from parameters read out of an image file (exporters.read)."""
        def num(key, cast, default):
            try:
                return cast(params.get(key, default))
            except (TypeError, ValueError):
                return default

        if "prompt" in params:
            self.prompt.setPlainText(str(params.get("prompt") or ""))
        if "negative_prompt" in params:
            self.negative.setPlainText(str(params.get("negative_prompt") or ""))
        if params.get("steps") is not None:
            self.steps.setValue(num("steps", int, 0))
        if params.get("guidance") is not None:
            self.guidance.setValue(num("guidance", float, -1.0))
        sched = params.get("scheduler")
        if sched:
            self.scheduler.setCurrentIndex(max(0, self.scheduler.findData(sched)))
        if params.get("seed") is not None:
            self.random_seed.setChecked(False)
            self.seed.setValue(num("seed", int, 0) % (MAX_SEED + 1))
        if params.get("width") and params.get("height"):
            self.set_size(num("width", int, 0), num("height", int, 0))
        model = params.get("model_id") or params.get("model")
        if model and self.model_box.findData(model) >= 0:
            self.model_box.setCurrentIndex(self.model_box.findData(model))

    def set_size(self, w: int, h: int) -> None:
        i = self.size_box.findData(f"{w}x{h}")
        self.width_box.blockSignals(True)
        self.height_box.blockSignals(True)
        self.width_box.setValue(w)
        self.height_box.setValue(h)
        self.width_box.blockSignals(False)
        self.height_box.blockSignals(False)
        self.size_box.blockSignals(True)
        self.size_box.setCurrentIndex(i if i >= 0 else self.size_box.count() - 1)
        self.size_box.blockSignals(False)

    def set_last_seed(self, seed: int) -> None:
        self.last_seed = seed
        self.reuse_seed_btn.setEnabled(True)
        self.reuse_seed_btn.setToolTip(self.tr("Use seed {0} of the last finished image").format(seed))

    def reuse_last_seed(self) -> None:
        if self.last_seed is not None:
            self.random_seed.setChecked(False)
            self.seed.setValue(self.last_seed % (MAX_SEED + 1))

    # ── styles and history ──
    def apply_style(self, name: str | None = None) -> None:
        style = self.styles.get(name if isinstance(name, str) else self.style_box.currentText())
        if style is None:
            return
        p, n = style.apply(self.prompt.toPlainText(), self.negative.toPlainText())
        self.prompt.setPlainText(p)
        self.negative.setPlainText(n)

    def save_style(self, name: str) -> None:
        name = name.strip()
        if not name:
            return
        text = self.prompt.toPlainText().strip()
        template = text if "{prompt}" in text else "{prompt}, " + text if text else "{prompt}"
        self.styles.save_style(Style(name, template, self.negative.toPlainText().strip()))
        self._fill_styles()
        self.style_box.setCurrentText(name)

    def delete_style(self, name: str) -> None:
        """Forget a saved style (a built-in one comes back on the next start)."""
        if name:
            self.styles.delete(name)
            self._fill_styles()

    def _save_style_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save style"), self.tr(
            "Name of the style (the prompt becomes its template; write {prompt} where the "
            "future prompt goes):"))
        if ok:
            self.save_style(name)

    def _fill_styles(self) -> None:
        self.style_box.clear()
        self.style_box.addItems(self.styles.names())

    def _fill_recent(self) -> None:
        self.recent.clear()
        self.recent.addItem(self.tr("Recent prompts…"), None)
        for prompt, neg in self.history.items:
            label = prompt.replace("\n", " ")
            self.recent.addItem(label[:80] + ("…" if len(label) > 80 else ""), (prompt, neg))

    def _recall_recent(self, index: int) -> None:
        data = self.recent.itemData(index)
        if data:
            self.prompt.setPlainText(data[0])
            self.negative.setPlainText(data[1])
        self.recent.setCurrentIndex(0)

    # ── size ──
    def _size_preset(self, index: int) -> None:
        data = self.size_box.itemData(index)
        if data:
            self.set_size(*(int(v) for v in data.split("x")))

    def _size_edited(self) -> None:
        self.set_size(self.width_box.value(), self.height_box.value())
