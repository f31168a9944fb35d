"""A real worker and the real Image workspace for GUI tests (offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from studio.engines.runtime import SessionFactory
from studio.settings import Settings
from studio.worker.thread import Worker


@pytest.fixture
def worker(qtbot):
    w = Worker(SessionFactory(device="cpu", threads=1))
    w.start()
    yield w
    w.shutdown()


@pytest.fixture
def workspace(qtbot, worker):
    from studio.ui.image.workspace import ImageWorkspace

    ws = ImageWorkspace(worker, Settings())
    qtbot.addWidget(ws)
    ws.resize(1200, 800)
    ws.show()
    qtbot.waitExposed(ws)
    yield ws
    for job in list(ws.jobs):
        worker.cancel(job)


def mouse(view, kind, canvas_xy, buttons=Qt.MouseButton.LeftButton, button=Qt.MouseButton.LeftButton):
    """Send a real QMouseEvent at a canvas coordinate (qtbot.mouseMove cannot hold a button)."""
    pos = view.to_view(QPointF(*canvas_xy))
    types = {"press": QEvent.Type.MouseButtonPress, "move": QEvent.Type.MouseMove,
             "release": QEvent.Type.MouseButtonRelease}
    ev = QMouseEvent(types[kind], pos, view.mapToGlobal(pos.toPoint()).toPointF(),
                     button if kind != "move" else Qt.MouseButton.NoButton,
                     buttons if kind != "release" else Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, ev)


def drag(view, points):
    mouse(view, "press", points[0])
    for p in points[1:]:
        mouse(view, "move", p)
    mouse(view, "release", points[-1])


def layer_names(ws) -> list[str]:
    return [l.name for l in ws.model.doc.layers]


def solid(h, w, rgb) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = rgb
    return img
