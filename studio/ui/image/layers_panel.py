"""The layers list: add, delete, reorder, rename, show/hide, opacity, merge. Main thread only.

The top layer is listed first, as in every paint program; every change is an undoable op.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
import numpy as np
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QSlider,
                               QToolButton, QVBoxLayout, QWidget)

from studio.canvas.ops import AddLayer, MergeDown, MoveLayer, RemoveLayer, SetLayerProps
from studio.ui.image.document_model import DocumentModel

ID_ROLE = Qt.ItemDataRole.UserRole
THUMB = 40


def thumbnail(rgba: np.ndarray) -> QIcon:
    """A small icon of a layer over a checkerboard (strided, so cheap for 4096² layers)."""
    pm = QPixmap(THUMB, THUMB)
    pm.fill(QColor(220, 220, 220))
    if rgba.size:
        h, w = rgba.shape[:2]
        step = max(1, max(h, w) // THUMB)
        small = np.ascontiguousarray(rgba[::step, ::step])
        img = QImage(small.data, small.shape[1], small.shape[0], small.shape[1] * 4,
                     QImage.Format.Format_RGBA8888)
        p = QPainter(pm)
        p.fillRect(0, 0, THUMB // 2, THUMB // 2, QColor(255, 255, 255))
        p.fillRect(THUMB // 2, THUMB // 2, THUMB // 2, THUMB // 2, QColor(255, 255, 255))
        p.drawImage(pm.rect(), img.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation).copy(
            0, 0, THUMB, THUMB))
        p.end()
    return QIcon(pm)


class LayersPanel(QWidget):
    error = Signal(str)

    def __init__(self, model: DocumentModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._updating = False
        self.list = QListWidget(self)
        self.list.setObjectName("layers")
        self.list.setIconSize(QPixmap(THUMB, THUMB).size())
        self.list.itemChanged.connect(self._item_changed)
        self.list.currentItemChanged.connect(self._current_changed)

        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(0, 100)
        self.opacity.setToolTip(self.tr("Layer opacity"))
        self.opacity.sliderReleased.connect(self._opacity_done)
        self.opacity.valueChanged.connect(self._opacity_changed)
        self.opacity_label = QLabel(self)

        self.add_btn = self._button(self.tr("+"), self.tr("Add a layer"), self.add_layer)
        self.del_btn = self._button(self.tr("−"), self.tr("Delete the layer"), self.delete_layer)
        self.up_btn = self._button(self.tr("▲"), self.tr("Move the layer up"), lambda: self.move(+1))
        self.down_btn = self._button(self.tr("▼"), self.tr("Move the layer down"), lambda: self.move(-1))
        self.merge_btn = self._button(self.tr("Merge"), self.tr("Merge the layer into the one below"),
                                      self.merge_down)
        self.dup_btn = self._button(self.tr("⧉"), self.tr("Duplicate the layer"), self.duplicate_layer)

        buttons = QHBoxLayout()
        for b in (self.add_btn, self.dup_btn, self.del_btn, self.up_btn, self.down_btn, self.merge_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        op_row = QHBoxLayout()
        op_row.addWidget(QLabel(self.tr("Opacity"), self))
        op_row.addWidget(self.opacity, 1)
        op_row.addWidget(self.opacity_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list, 1)
        lay.addLayout(op_row)
        lay.addLayout(buttons)

        model.structure_changed.connect(self.refresh)
        model.undo_stack.indexChanged.connect(self._refresh_icons)  # pixels changed
        self.refresh()

    def _button(self, text: str, tip: str, slot) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    # ── view ──
    def refresh(self) -> None:
        doc = self.model.doc
        self._updating = True
        try:
            self.list.clear()
            for layer in reversed(doc.layers):
                item = QListWidgetItem(layer.name)
                item.setData(ID_ROLE, layer.id)
                item.setIcon(thumbnail(layer.rgba))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
                item.setToolTip(self.tr("{0} × {1} px at ({2}, {3})").format(
                    layer.rgba.shape[1], layer.rgba.shape[0], layer.x, layer.y))
                self.list.addItem(item)
                if layer.id == doc.active_id:
                    self.list.setCurrentItem(item)
            active = doc.active
            self.opacity.setEnabled(active is not None)
            if active is not None:
                self.opacity.setValue(round(active.opacity * 100))
                self.opacity_label.setText(f"{round(active.opacity * 100)} %")
            self.del_btn.setEnabled(len(doc.layers) > 0)
            self.merge_btn.setEnabled(active is not None and doc.index_of(active.id) > 0)
        finally:
            self._updating = False

    def _refresh_icons(self, *_args) -> None:
        self._updating = True
        try:
            for i in range(self.list.count()):
                item = self.list.item(i)
                try:
                    item.setIcon(thumbnail(self.model.doc.layer(item.data(ID_ROLE)).rgba))
                except KeyError:
                    pass  # a structure change is on its way and will rebuild the list
        finally:
            self._updating = False

    def _current_changed(self, item, _previous) -> None:
        if self._updating or item is None:
            return
        self.model.doc.active_id = item.data(ID_ROLE)
        self._updating = True
        layer = self.model.doc.active
        if layer is not None:
            self.opacity.setValue(round(layer.opacity * 100))
            self.opacity_label.setText(f"{round(layer.opacity * 100)} %")
            self.merge_btn.setEnabled(self.model.doc.index_of(layer.id) > 0)
        self._updating = False

    def _item_changed(self, item) -> None:
        if self._updating:
            return
        lid = item.data(ID_ROLE)
        layer = self.model.doc.layer(lid)
        visible = item.checkState() == Qt.CheckState.Checked
        name = item.text().strip() or layer.name
        if visible != layer.visible:
            self.model.apply(SetLayerProps(lid, visible=visible))
        elif name != layer.name:
            self.model.apply(SetLayerProps(lid, name=name))

    def _opacity_changed(self, value: int) -> None:
        self.opacity_label.setText(f"{value} %")
        if not self._updating and not self.opacity.isSliderDown():
            self._opacity_done()  # keyboard, wheel or a click on the groove: one undo step each

    def _opacity_done(self) -> None:
        layer = self.model.doc.active
        if layer is not None:
            self.model.apply(SetLayerProps(layer.id, opacity=self.opacity.value() / 100))

    # ── actions ──
    def add_layer(self) -> None:
        n = len(self.model.doc.layers) + 1
        self.model.apply(AddLayer(self.tr("Layer {0}").format(n)))

    def duplicate_layer(self) -> None:
        layer = self.model.doc.active
        if layer is not None:
            self.model.apply(AddLayer(self.tr("{0} copy").format(layer.name), layer.rgba.copy(),
                                      layer.x, layer.y))

    def delete_layer(self) -> None:
        layer = self.model.doc.active
        if layer is not None:
            self.model.apply(RemoveLayer(layer.id))

    def move(self, delta: int) -> None:
        layer = self.model.doc.active
        if layer is not None:
            self.model.apply(MoveLayer(layer.id, self.model.doc.index_of(layer.id) + delta))

    def merge_down(self) -> None:
        layer = self.model.doc.active
        if layer is not None and self.model.doc.index_of(layer.id) > 0:
            self.model.apply(MergeDown(layer.id))

    def rename(self, layer_id: int, name: str) -> None:
        self.model.apply(SetLayerProps(layer_id, name=name))
