"""Canvas benchmark: brush-stroke frame time on 1024² and 4096² canvases, and the memory the
undo history holds after 100 operations on a 2048² document.

Frame time = one mouse-move event through the real CanvasView (dabs stamped into the layer,
the dirty rectangle re-composited, the widget repainted synchronously), offscreen. The 1024²
canvas is the reference the 4096² figure is compared with (same run, same machine).

    QT_QPA_PLATFORM=offscreen python benchmarks/canvas.py [--events 300] [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402


def keep_none_alive() -> None:
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void Qt call (measured:
    -1000 after 1000 QWidget.update() calls), so a long paint loop ends in "Fatal Python error:
    none_dealloc". The project pins PySide6 < 6.12; this guard only matters on 6.12.0."""
    import PySide6

    if sys.version_info < (3, 12) and PySide6.__version__ == "6.12.0":
        import ctypes

        for obj in (None, True, False):
            ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


def load() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load average n/a"


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def stroke_path(size: int, events: int, step: float = 6.0):
    """A wavy stroke across the canvas: `events` mouse positions `step` px apart (a brisk drag)."""
    pts = []
    x, y = size * 0.1, size * 0.5
    for i in range(events):
        a = math.sin(i / 15) * 0.8
        x += step * math.cos(a)
        y += step * math.sin(a)
        pts.append((x % size, y % size))
    return pts


def frame_times(size: int, events: int, brush: float, layers: int, zoom: str = "100%") -> list[float]:
    from PySide6.QtWidgets import QApplication

    from studio.canvas import Document, Layer
    from studio.canvas.brush import Brush
    from studio.canvas.ops import Stroke
    from studio.ui.image.canvas_view import CanvasView
    from studio.ui.image.document_model import DocumentModel

    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    doc = Document(size, size)
    doc.layers[0].rgba[:] = 255
    for i in range(layers - 1):  # a few semi-transparent layers above, so compositing is real
        l = Layer.blank(size, size, f"L{i}")
        l.rgba[::7, :, :] = rng.integers(0, 255, (len(range(0, size, 7)), size, 4), np.uint8)
        l.opacity = 0.7
        doc.layers.append(l)
    doc.active_id = doc.layers[-1].id
    model = DocumentModel(doc)
    view = CanvasView(model)
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    view.fit()  # "fit": the whole 4096² canvas scaled down (smooth scaling on every paint)
    if zoom == "100%":
        view.actual_size()
    stroke = Stroke(doc, doc.active_id, Brush(size=brush, hardness=0.7, color=(200, 30, 30)),
                    model.memory)
    times = []
    for x, y in stroke_path(size, events):
        t0 = time.perf_counter()
        rect = stroke.add(x, y)
        model.repaint(rect)
        view.repaint(view.view_rect(rect))  # synchronous paint of the dirty area
        times.append(time.perf_counter() - t0)
    edit = stroke.finish()
    assert edit is not None
    view.close()
    return times


def layer_op_times(size: int) -> dict:
    """Whole-canvas operations through the real view: each re-composites what it changed."""
    from PySide6.QtWidgets import QApplication

    from studio.canvas import Document
    from studio.canvas.brush import Brush
    from studio.canvas.ops import AddLayer, SetLayerProps, StrokeOp
    from studio.ui.image.canvas_view import CanvasView
    from studio.ui.image.document_model import DocumentModel

    app = QApplication.instance() or QApplication([])
    model = DocumentModel(Document(size, size))
    view = CanvasView(model)
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    noise = np.random.default_rng(2).integers(0, 255, (size, size, 3), np.uint8)
    out = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        fn()
        view.repaint()
        out[name] = (time.perf_counter() - t0) * 1e3

    timed("add a generated layer", lambda: model.apply(AddLayer("gen", noise)))
    view.fit()
    timed("full repaint, fit zoom", lambda: None)
    view.actual_size()
    timed("full repaint, 100 %", lambda: None)
    top = model.doc.layers[-1].id
    timed("hide it", lambda: model.apply(SetLayerProps(top, visible=False)))
    timed("show it", lambda: model.apply(SetLayerProps(top, visible=True)))
    timed("rename it", lambda: model.apply(SetLayerProps(top, name="renamed")))
    timed("brush stroke (op)", lambda: model.apply(StrokeOp(top, Brush(size=40), ((10.0, 10.0), (400.0, 300.0)))))
    timed("undo the stroke", model.undo_stack.undo)
    view.close()
    return out


def undo_memory(size: int, ops: int, budget_mb: int | None) -> dict:
    from studio.canvas import Document
    from studio.canvas.brush import Brush
    from studio.canvas.ops import AddLayer, Fill, StrokeOp
    from studio.ui.image.document_model import DocumentModel

    budget = (budget_mb << 20) if budget_mb is not None else 1 << 62
    rss0 = rss_mb()
    model = DocumentModel(Document(size, size), undo_budget=budget)
    doc = model.doc
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, (size, size, 3), np.uint8)
    model.apply(AddLayer("generated", noise))
    t0 = time.perf_counter()
    for i in range(ops):
        kind = i % 4
        if kind == 0:  # full-canvas fill: the worst case, every tile changes
            model.apply(Fill(doc.active_id, (i % 255, 40, 90, 255)))
        elif kind == 1:  # a long stroke across the canvas
            pts = tuple((float(x), size / 2 + size / 3 * math.sin(x / 100)) for x in range(0, size, 8))
            model.apply(StrokeOp(doc.active_id, Brush(size=60), pts))
        elif kind == 2:  # a generated layer added, then filled over
            model.apply(AddLayer(f"gen {i}", noise))
        else:
            model.apply(Fill(doc.active_id, (0, 0, 0, 0)))
    secs = time.perf_counter() - t0
    out = {"ops": model.undo_stack.count(), "undo_ram_mb": model.memory.ram_bytes / 2**20,
           "undo_disk_mb": model.memory.disk_bytes / 2**20, "rss_delta_mb": rss_mb() - rss0,
           "doc_layers_mb": sum(l.rgba.nbytes for l in doc.layers) / 2**20, "seconds": secs}
    # undo all the way back and redo: the spilled history really works
    t0 = time.perf_counter()
    for _ in range(model.undo_stack.count()):
        model.undo_stack.undo()
    out["undo_all_s"] = time.perf_counter() - t0
    assert len(doc.layers) == 1  # back to the blank document
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=300)
    ap.add_argument("--brush", type=float, default=40)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="fewer events, one rep, small undo test")
    args = ap.parse_args()
    keep_none_alive()
    if args.quick:
        args.events, args.reps = 80, 1
    print(f"# canvas benchmark  ({load()}, {os.cpu_count()} CPUs, numpy {np.__version__})")
    print(f"brush {args.brush:.0f} px, {args.layers} layers, {args.events} mouse-move events per stroke, "
          f"median of {args.reps} strokes; 60 fps budget = 16.7 ms")
    for zoom in ("100%", "fit"):
        results = {}
        for size in (1024, 4096):
            meds, p95s = [], []
            for _ in range(args.reps):
                t = frame_times(size, args.events, args.brush, args.layers, zoom)
                meds.append(statistics.median(t) * 1e3)
                p95s.append(pct(t, 0.95) * 1e3)
            results[size] = (statistics.median(meds), statistics.median(p95s))
            print(f"  zoom {zoom:4s} {size}²: frame median {results[size][0]:6.2f} ms   "
                  f"p95 {results[size][1]:6.2f} ms   (reps: {', '.join(f'{m:.2f}' for m in meds)})   {load()}")
        print(f"  zoom {zoom:4s} ratio 4096² / 1024² (median): {results[4096][0] / results[1024][0]:.2f}×")

    print("\n# whole-canvas operations through the view, 4096² (ms, one run each)")
    for name, ms in layer_op_times(4096).items():
        print(f"  {name:24s} {ms:8.1f} ms")
    print(f"  {load()}")

    size, ops = (1024, 40) if args.quick else (2048, 100)
    print(f"\n# undo history: {size}² document, {ops} operations "
          f"(full fills, long strokes, {size}² layers added), real QUndoStack")
    for budget in (None, 384):
        r = undo_memory(size, ops, budget)
        name = "no RAM budget (reference)" if budget is None else f"RAM budget {budget} MiB"
        print(f"  {name:26s}: {r['ops']} undo steps, undo pixels in RAM {r['undo_ram_mb']:7.1f} MiB, "
              f"spilled to disk {r['undo_disk_mb']:7.1f} MiB, process RSS +{r['rss_delta_mb']:7.1f} MiB "
              f"(document itself {r['doc_layers_mb']:.0f} MiB); {ops} ops {r['seconds']:.1f} s, "
              f"undo all {r['undo_all_s']:.1f} s   {load()}")


if __name__ == "__main__":
    main()
