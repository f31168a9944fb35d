"""Screenshots of the Image workspace doing real work: a generation, then an inpaint.

    Xvfb :77 -screen 0 1400x900x24 &
    DISPLAY=:77 python -m studio.ui.image.demo --out docs/screenshots --model studio-emoji

Writes image-generate.png (a finished generation as a layer), image-inpaint-running.png (a live
preview and the progress bar while inpainting a painted mask), image-inpaint-mask.png (the
result under the mask) and image-inpaint.png (the mask cleared).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="docs/screenshots")
    ap.add_argument("--model", default="studio-emoji")
    ap.add_argument("--prompt", default="a smiling cat face")
    ap.add_argument("--inpaint-prompt", default="a red heart")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--size", type=int, default=0, help="canvas size (0 = the model's native size)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--main-window", action="store_true",
                    help="run inside the whole app (history dock, status bar); shots get a -app suffix")
    args = ap.parse_args(argv)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from studio.canvas.brush import Brush
    from studio.canvas.edits import MASK
    from studio.canvas.ops import SetMask, StrokeOp
    from studio.engines.runtime import SessionFactory
    from studio.jobs import ImageRequest
    from studio.settings import Settings
    from studio.ui.image.workspace import ImageWorkspace
    from studio.worker.thread import Worker

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    worker = Worker(SessionFactory(device=args.device))
    if args.main_window:
        from studio.app import open_history
        from studio.ui.main_window import MainWindow

        store, _problem = open_history()
        window = MainWindow(Settings(device=args.device), worker=worker, history_store=store)
        ws = window.image_ws
        shown = window
    else:
        worker.start()
        ws = shown = ImageWorkspace(worker, Settings())
    shown.setWindowTitle("Studio — Image")
    shown.resize(1400, 900)
    shown.show()
    suffix = "-app" if args.main_window else ""
    ws.prompt_panel.apply_request(ImageRequest(prompt=args.prompt, model_id=args.model,
                                               width=args.size, height=args.size,
                                               steps=args.steps, seed=args.seed))
    state = {"stage": "generate", "rc": 0, "shot_running": False}

    def shot(name: str) -> None:
        app.processEvents()
        name = name.replace(".png", suffix + ".png")
        shown.grab().save(str(out / name))
        print("wrote", out / name, flush=True)

    def finish(rc: int) -> None:
        state["rc"] = rc
        if args.main_window:
            shown.close()  # the window cancels jobs and stops its worker
        else:
            worker.shutdown()
        app.quit()

    def on_progress(p) -> None:
        if state["stage"] == "inpaint" and p.preview is not None and p.step >= max(1, p.total // 2) \
                and not state["shot_running"]:
            state["shot_running"] = True
            shot("image-inpaint-running.png")

    def on_finished(result) -> None:
        if state["stage"] == "generate":
            QTimer.singleShot(300, after_generate)
        elif state["stage"] == "inpaint":
            QTimer.singleShot(300, after_inpaint)

    def after_generate() -> None:
        doc = ws.model.doc
        ws.view.fit()
        shot("image-generate.png")
        # paint a mask over the lower right of the picture, then inpaint it
        w, h = doc.width, doc.height
        ws.model.apply(StrokeOp(MASK, Brush(size=max(6, w / 4), hardness=0.9),
                                ((w * 0.55, h * 0.6), (w * 0.75, h * 0.75))))
        ws.prompt_panel.prompt.setPlainText(args.inpaint_prompt)
        ws.prompt_panel.steps.setValue(max(args.steps, 20) if args.steps else 0)
        state["stage"] = "inpaint"
        ws.inpaint()

    def after_inpaint() -> None:
        ws.view.fit()
        shot("image-inpaint-mask.png")  # the result with the painted mask still shown
        ws.model.apply(SetMask(None, "Clear mask"))
        shot("image-inpaint.png")
        finish(0)

    def on_failed(ev) -> None:
        print("job failed:", ev.message, file=sys.stderr)
        finish(1)

    worker.progress.connect(on_progress)
    worker.finished_job.connect(on_finished)
    worker.failed.connect(on_failed)
    QTimer.singleShot(1500, ws.generate)  # the main window starts its worker after the first paint
    QTimer.singleShot(480_000, lambda: finish(2))  # never hang a script
    app.exec()
    return state["rc"]


if __name__ == "__main__":
    sys.exit(main())
