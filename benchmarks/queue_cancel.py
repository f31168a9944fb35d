"""1,000 image jobs queued in the real main window, then cancelled at once (Jobs → Cancel All Jobs).

Prints the longest event-loop stall (a 5 ms QTimer's lateness) while the jobs are queued and
after the cancel, against the same measurement with the app idle (the reference), and whether
the cancel emptied the queue. Goal (issue 9): stall under 50 ms.

    python benchmarks/queue_cancel.py [--jobs 1000] [--runs 3] [--model ID]

The image model is the built-in one when installed, else a tiny hand-built ONNX model (the
jobs only need to be real requests; one runs while the rest wait).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=10, help="jobs queued per event-loop turn")
    ap.add_argument("--model", default="", help="image model id (default: built-in, else a tiny test model)")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="studio-queue-")
    os.environ["STUDIO_HOME"] = home

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.jobs import ImageRequest
    from studio.models import registry
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow

    from stall import StallProbe, worst

    model = args.model or registry.DEFAULT_IMAGE_MODEL
    if not any(m.id == model and m.installed for m in registry.list_models("image")):
        from tests.bad_input import models as tiny

        model = tiny.install(tiny.tiny_image_folder(Path(home) / "src"))
        print(f"note: the built-in image model is not installed; using a tiny test model ({model})")

    app = QApplication.instance() or QApplication([])
    window = MainWindow(Settings(image_model=model))
    window.show()
    cancel_action = next(a for a in window.jobs_menu.actions() if "Cancel" in a.text())
    probe = StallProbe()
    clock = probe.clock

    def measure(action, seconds: float, until=lambda: True) -> float:
        return worst(probe.sample(seconds, action, until))

    def queue_all() -> None:
        """--chunk jobs per event-loop turn, as fast as the loop allows (a script or a held key)."""
        def chunk(start: int) -> None:
            for i in range(start, min(start + args.chunk, args.jobs)):
                window.image_ws.submit_request(ImageRequest(f"queued job {i}", model_id=model, seed=i))
            if start + args.chunk < args.jobs:
                QTimer.singleShot(0, lambda: chunk(start + args.chunk))
            else:
                queued_at[0] = clock.nsecsElapsed()
        chunk(0)

    def wait_queued() -> None:
        while queued_at[0] == 0:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        queued_at[0] = 0

    measure(lambda: None, 1.0)  # the worker starts, ONNX Runtime loads
    idle, queued, cancelled, left, queue_s = [], [], [], [], []
    queued_at = [0]
    for _ in range(args.runs):
        idle.append(measure(lambda: None, 0.5))
        t0 = clock.nsecsElapsed()
        queued.append(measure(queue_all, 0.1, until=lambda: queued_at[0] != 0))
        wait_queued()
        queue_s.append((clock.nsecsElapsed() - t0) / 1e9)
        measure(lambda: None, 1.0)  # let queued signals settle before the cancel
        cancelled.append(measure(cancel_action.trigger, 1.5))
        left.append(len(window.worker.pending()))
    window.close()
    load = os.getloadavg()[0]
    med = statistics.median
    print(f"load average: {load:.2f} (2-core machine; >1 means other work competed)")
    print(f"{args.jobs} jobs, {args.runs} runs, model {model}")
    print(f"stall after Cancel All:        {med(cancelled):6.1f} ms median "
          f"(runs: {', '.join(f'{v:.1f}' for v in cancelled)})   goal < 50 ms: "
          f"{'OK' if med(cancelled) < 50 else 'MISSED'}")
    print(f"stall while queueing {args.jobs}:  {med(queued):6.1f} ms median "
          f"(runs: {', '.join(f'{v:.1f}' for v in queued)}; {args.chunk} jobs per event-loop turn; "
          f"all queued in {med(queue_s):.1f} s)")
    print(f"stall idle (reference):        {med(idle):6.1f} ms median")
    print(f"ratio cancel / idle:           {med(cancelled) / max(med(idle), 0.1):.1f}x")
    print(f"jobs left after each cancel:   {left} (the running one stops at its next step)")


if __name__ == "__main__":
    main()
