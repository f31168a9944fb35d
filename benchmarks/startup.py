"""Start-up time and UI responsiveness.

Prints, median of N runs:
  * seconds from process launch to the main window shown (first paint), for Studio and for a
    bare PySide6 QMainWindow measured in the same run (the reference), and their ratio;
  * the longest stall of the UI event loop (ms) while a worker job runs, against the same
    measurement with the worker idle.
Goal (issue 2): window in under 1.0 s, stall under 33 ms.

    python benchmarks/startup.py [--runs 3] [--job iterate|image|text] [--seconds 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Appended to each child: report the time of the window's first paint, then quit.
PAINT_PROBE = r"""
class Paint(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and not hasattr(self, "t"):
            self.t = time.time() - t_launch
            QTimer.singleShot(0, lambda: (print(json.dumps({"shown": self.t})), app.quit()))
        return False
f = Paint(); w.installEventFilter(f)
w.show()
app.exec()
"""

CHILD_STUDIO = r"""
import os, sys, time, json
t_launch = float(os.environ["T_LAUNCH"])
from studio.app import *  # the real entry point's imports
from PySide6.QtCore import QTimer, QObject, QEvent
from PySide6.QtWidgets import QApplication
from studio.settings import Settings
from studio.ui.main_window import MainWindow
from studio.app import open_history
app = QApplication([])
store, _ = open_history()
w = MainWindow(Settings.load(), history_store=store)
%(paint_probe)sw.worker.shutdown(1000)
"""

CHILD_BARE = r"""
import os, time, json
t_launch = float(os.environ["T_LAUNCH"])
from PySide6.QtCore import QTimer, QObject, QEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.resize(1280, 820)
%(paint_probe)s"""


def time_to_window(code: str, home: str) -> float:
    env = dict(os.environ, STUDIO_HOME=home, PYTHONPATH=str(ROOT))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["T_LAUNCH"] = repr(time.time())
    out = subprocess.run([sys.executable, "-c", code % {"paint_probe": PAINT_PROBE}], env=env, capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr}")
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1]
    return json.loads(line)["shown"]


def measure_stall(job: str, seconds: float) -> tuple[float, float, float, int]:
    """(max stall ms with the job, p99 ms with the job, max stall ms idle, ticks)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from stall import StallProbe, p99, worst
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(Settings.load())
    window.show()
    app.processEvents()

    probe = StallProbe()
    sample = probe.sample

    sample(0.5)  # let the worker start and import ONNX Runtime
    idle = sample(seconds / 2)
    requests = make_requests(job)
    for r in requests:
        window.worker.submit(r)
    busy = sample(seconds)
    window.worker.cancel_all()
    window.close()
    return worst(busy), p99(busy), worst(idle), len(busy)


def make_requests(job: str):
    import numpy as np

    from studio.jobs import ImageRequest, IterateRequest, SamplerParams, TextRequest

    if job == "image":
        return [ImageRequest("a smiling cat", seed=i) for i in range(50)]
    if job == "text":
        return [TextRequest("Once upon a time", sampler=SamplerParams(max_new_tokens=256))]
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    n = 512
    w = (np.random.default_rng(0).standard_normal((n, n)) / np.sqrt(n)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Tanh", ["h"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [64, n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [64, n])], [numpy_helper.from_array(w, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = Path(tempfile.mkdtemp()) / "step.onnx"
    onnx.save(model, path)
    return [IterateRequest(str(path), np.ones((64, n), np.float32), steps=10**7)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--job", choices=("iterate", "image", "text"), default="iterate")
    ap.add_argument("--seconds", type=float, default=4.0)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as home:
        studio = [time_to_window(CHILD_STUDIO, home) for _ in range(args.runs)]
        bare = [time_to_window(CHILD_BARE, home) for _ in range(args.runs)]
        os.environ["STUDIO_HOME"] = home
        busy_max, busy_p99, idle_max, ticks = measure_stall(args.job, args.seconds)
    s, b = statistics.median(studio), statistics.median(bare)
    print(f"load average at start: {load:.2f} (2-core machine; >1 means other work competed)")
    print(f"window shown, Studio:          {s:.3f} s  (runs: {', '.join(f'{v:.3f}' for v in studio)})"
          f"   goal < 1.0 s: {'OK' if s < 1.0 else 'MISSED'}")
    print(f"window shown, bare Qt window:  {b:.3f} s  (reference)")
    print(f"ratio Studio / bare:           {s / b:.2f}x")
    print(f"UI stall while a {args.job} job runs: max {busy_max:.1f} ms, p99 {busy_p99:.1f} ms "
          f"over {ticks} ticks   goal < 33 ms: {'OK' if busy_max < 33 else 'MISSED'}")
    print(f"UI stall with the worker idle:      max {idle_max:.1f} ms (reference)")


if __name__ == "__main__":
    main()
