"""The canvas size dialog: width, height and (for a resize) where the old picture stays. Main thread only."""

from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
                               QSpinBox, QToolButton, QWidget)

from studio.canvas.document import MAX_SIDE
from studio.canvas.ops import ANCHORS

ARROWS = {"top-left": "↖", "top": "↑", "top-right": "↗", "left": "←", "center": "•",
          "right": "→", "bottom-left": "↙", "bottom": "↓", "bottom-right": "↘"}


class CanvasSizeDialog(QDialog):
    def __init__(self, title: str, width: int, height: int, with_anchor: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.width_box = QSpinBox(self)
        self.height_box = QSpinBox(self)
        for box, value in ((self.width_box, width), (self.height_box, height)):
            box.setRange(1, MAX_SIDE)
            box.setSuffix(self.tr(" px"))
            box.setValue(value)
        form = QFormLayout(self)
        form.addRow(self.tr("Width"), self.width_box)
        form.addRow(self.tr("Height"), self.height_box)
        self.anchors = QButtonGroup(self)
        if with_anchor:
            grid_w = QWidget(self)
            grid = QGridLayout(grid_w)
            grid.setSpacing(2)
            for i, name in enumerate(ANCHORS):
                b = QToolButton(grid_w)
                b.setText(ARROWS[name])
                b.setCheckable(True)
                b.setToolTip(name)
                b.setObjectName(name)
                self.anchors.addButton(b, i)
                grid.addWidget(b, i // 3, i % 3)
            self.anchors.button(4).setChecked(True)
            form.addRow(self.tr("Anchor"), grid_w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[int, int, str]:
        checked = self.anchors.checkedButton()
        return (self.width_box.value(), self.height_box.value(),
                checked.objectName() if checked is not None else "center")
