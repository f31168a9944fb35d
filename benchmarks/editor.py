"""Writing workspace responsiveness on a 100,000-word draft.

Measures, in the real Workspace widget (offscreen Qt unless DISPLAY is set):
  * keystroke latency: one typed character → the editor has repainted (QTest key event + a
    synchronous viewport repaint), in the middle of the draft and at its end;
  * streamed-token insertion latency: one TokenDelta from the worker's ``token`` signal → the
    token is in the document, the span highlight updated and the view repainted;
  * one-off costs: loading the draft, counting its words, building a continuation's context.

Reference: the same measurements on a 1,000-word draft in the same run; the ratio shows how
the cost grows with the draft. Prints medians and 95th percentiles (ms) and the load average,
since the machine is shared.

    python benchmarks/editor.py [--words 100000] [--keys 200] [--tokens 300]

Note: with PySide6-Essentials 6.12.0 on Python 3.11 this script aborts ("none_dealloc") after
a few thousand Qt calls: that release drops a reference to None on every void method call
(see tests/ui_writing/test_writing_long_session.py); pyproject.toml pins PySide6 < 6.12.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QObject, Qt, Signal  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.jobs import TokenDelta, TokenInfo  # noqa: E402

WORDS = ("the sea lighthouse keeper climbed stairs wind salt stone night lamp glass storm ship "
         "harbour dawn silence rope gull wave 灯塔 海 🌊 counted slowly quiet old letters").split()


class SignalOnlyWorker(QObject):
    """The worker's interface without an engine: the benchmark emits the token events itself."""

    started_job = Signal(object)
    progress = Signal(object)
    token = Signal(object)
    notice = Signal(object)
    finished_job = Signal(object)
    failed = Signal(object)
    cancelled = Signal(object)
    queue_changed = Signal(int)
    device_changed = Signal(object)
    recorded = Signal(object)

    def submit(self, request) -> int:
        return request.job_id

    def cancel(self, job_id: int) -> None:
        pass

    def cancel_current(self) -> None:
        pass

    def pending(self):
        return []


def make_text(n_words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    paras, words = [], 0
    while words < n_words:
        k = min(n_words - words, rng.randint(40, 160))
        paras.append(" ".join(rng.choice(WORDS) for _ in range(k)) + ".")
        words += k
    return "\n\n".join(paras)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(q * len(values)) - 1)]


def measure(app, n_words: int, n_keys: int, n_tokens: int) -> dict[str, float]:
    from studio.settings import Settings
    from studio.ui.writing import Workspace
    from studio.writing.words import count_words

    worker = SignalOnlyWorker()
    ws = Workspace(worker, Settings())
    ws.resize(1300, 850)
    ws.show()
    app.processEvents()
    tab = ws.current_tab()
    ed = tab.editor
    text = make_text(n_words)

    out: dict[str, float] = {}
    t = time.perf_counter()
    ed.setPlainText(text)
    app.processEvents()
    out["load_ms"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    count_words(ed.toPlainText())
    out["word_count_full_ms"] = (time.perf_counter() - t) * 1000
    ed.word_count()  # the first count after loading (the status bar does it once)
    ed.move_cursor_to(ed.buffer.size() // 2)
    QTest.keyClick(ed, Qt.Key.Key_A)
    t = time.perf_counter()
    words = ed.word_count()  # what the status bar shows after an edit (kept up to date per edit)
    out["word_count_after_edit_ms"] = (time.perf_counter() - t) * 1000
    assert words == count_words(ed.toPlainText()), "the cached count must equal a full count"

    def keystrokes(pos: int, full_repaint: bool) -> list[float]:
        ed.move_cursor_to(pos)
        ed.setFocus()
        app.processEvents()
        times = []
        for i in range(n_keys):
            t0 = time.perf_counter()
            QTest.keyClick(ed, Qt.Key.Key_A if i % 5 else Qt.Key.Key_Space)
            if full_repaint:
                ed.viewport().repaint()  # worst case: the whole visible page redrawn
            else:
                app.processEvents()  # what Qt really does: layout + paint of the dirty region
            times.append((time.perf_counter() - t0) * 1000)
        return times

    mid = keystrokes(ed.buffer.size() // 2, False)
    end = keystrokes(ed.buffer.size(), False)
    full = keystrokes(ed.buffer.size() // 3, True)
    out["key_mid_median_ms"], out["key_mid_p95_ms"] = statistics.median(mid), pct(mid, 0.95)
    out["key_end_median_ms"], out["key_end_p95_ms"] = statistics.median(end), pct(end, 0.95)
    out["key_fullpaint_median_ms"] = statistics.median(full)

    # Continue from the middle of the draft (context built from the real document).
    ed.move_cursor_to(ed.buffer.size() // 2)
    t = time.perf_counter()
    job = ws.continue_at_cursor()
    out["continue_setup_ms"] = (time.perf_counter() - t) * 1000
    times = []
    for i in range(n_tokens):
        piece = " " + WORDS[i % len(WORDS)]
        delta = TokenDelta(job, i, TokenInfo(100 + i, piece, -0.5, ((100 + i, piece, -0.5), (7, " x", -1.6))))
        t0 = time.perf_counter()
        worker.token.emit(delta)
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    out["token_median_ms"], out["token_p95_ms"] = statistics.median(times), pct(times, 0.95)
    assert ed.toPlainText().count(" x") == 0 and tab.draft.span is not None
    ws._jobs.clear()
    ws.deleteLater()
    app.processEvents()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--ref-words", type=int, default=1_000)
    ap.add_argument("--keys", type=int, default=200)
    ap.add_argument("--tokens", type=int, default=300)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("STUDIO_HOME", str(Path("/tmp") / f"studio-bench-{os.getpid()}"))
    app = QApplication.instance() or QApplication([])

    runs: dict[int, list[dict[str, float]]] = {args.words: [], args.ref_words: []}
    for _ in range(args.reps):
        for n in (args.ref_words, args.words):
            runs[n].append(measure(app, n, args.keys, args.tokens))
    big = {k: statistics.median(r[k] for r in runs[args.words]) for k in runs[args.words][0]}
    ref = {k: statistics.median(r[k] for r in runs[args.ref_words]) for k in runs[args.ref_words][0]}

    print(f"platform={app.platformName()} python={sys.version.split()[0]} "
          f"load average={' '.join(f'{x:.2f}' for x in os.getloadavg())} reps={args.reps} "
          f"(medians over reps)")
    print(f"{'measure':24} {args.words:>10,} words {args.ref_words:>8,} words   ratio")
    for k in big:
        ratio = big[k] / ref[k] if ref[k] > 0 else float("nan")
        print(f"{k:24} {big[k]:13.2f} ms {ref[k]:11.2f} ms {ratio:7.2f}x")
    budget = 1000 / 60
    verdict = "within" if max(big["key_mid_p95_ms"], big["token_p95_ms"]) < budget else "NOT within"
    print(f"keystroke and token p95 are {verdict} one 60 Hz frame ({budget:.1f} ms) at {args.words:,} words")


if __name__ == "__main__":
    main()
