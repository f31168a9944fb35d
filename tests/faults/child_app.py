"""The real main window in a child process, doing one thing until it is killed with SIGKILL.

    python tests/faults/child_app.py MODE OUT_DIR

MODE: ``generate`` (autosave a draft and a canvas, then run a long image job),
``export`` (export the canvas as PNG over and over), ``history`` (generate and record images
over and over). Prints ``ready`` once the thing to be interrupted is under way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

DRAFT = "A draft the crash must not lose: 草稿 ✍️"
IMAGE_ID = "tiny-image"


def main(mode: str, out: Path) -> None:
    app = QApplication([])
    from studio.app import open_history
    from studio.engines.runtime import SessionFactory
    from studio.jobs import ImageRequest
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow
    from studio.worker.thread import Worker

    store, _ = open_history()
    window = MainWindow(Settings(image_model=IMAGE_ID), history_store=store,
                        worker=Worker(SessionFactory(device="cpu", threads=1)))
    window.show()
    said = []

    def ready() -> None:
        if not said:
            said.append(1)
            print("ready", flush=True)

    def start() -> None:
        if mode == "generate":
            window.writing_ws.current_tab().editor.insertPlainText(DRAFT)
            window.image_ws.add_image_layer(np.full((40, 60, 3), (10, 200, 30), np.uint8), "crash layer")
            window.autosave()  # what the one-minute timer does
            window.worker.progress.connect(lambda p: ready())
            window.worker.submit(ImageRequest("long job", model_id=IMAGE_ID, steps=500, width=256,
                                              height=256, seed=1))
        elif mode == "export":
            rng = np.random.default_rng(0)
            window.image_ws.add_image_layer(rng.integers(0, 256, (1024, 1024, 3), np.uint8), "noise")

            def export() -> None:
                window.image_ws.export_flattened(str(out / "export.png"))
                ready()
                QTimer.singleShot(0, export)
            export()
        elif mode == "history":
            def again(*_a) -> None:
                window.worker.submit(ImageRequest(f"record {len(said)} 記録", model_id=IMAGE_ID, seed=3,
                                                  batch=2))
            window.worker.recorded.connect(lambda r: (ready(), again()))
            again()

    QTimer.singleShot(0, start)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
