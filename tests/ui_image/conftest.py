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


@pytest.fixture(scope="session")
def tiny_sd_onnx(shared_cache):
    """A tiny random-weight SD pipeline exported to ONNX once per run (the engine tests' helper)."""
    pytest.importorskip("diffusers")
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "image"))
    from tiny_sd import build_tiny_diffusers

    from studio.models.diffusers_export import export_components, load_components

    root = shared_cache / "tiny-sd"  # the same folder (and build) as tests/image's tiny_sd fixture
    if not (root / "onnx" / "unet" / "model.onnx").exists():
        diff = build_tiny_diffusers(root / "diffusers")
        export_components(load_components(diff), root / "onnx")
    return root / "onnx"


@pytest.fixture
def tiny_model(tiny_sd_onnx, studio_home) -> str:
    """The tiny pipeline installed as a Studio image model; returns its id."""
    import json
    import shutil

    dest = studio_home / "models" / "tiny-sd"
    shutil.copytree(tiny_sd_onnx, dest)
    (dest / "manifest.json").write_text(json.dumps({
        "id": "tiny-sd", "kind": "image", "name": "Tiny SD 猫", "family": "sd1", "license": "test",
        "source": "tests", "sha256": {}, "native_size": [64, 64], "default_steps": 4,
        "default_guidance": 5.0, "default_scheduler": "euler", "text_max_length": 77}),
        encoding="utf-8")
    return "tiny-sd"
