"""Event-loop stall probe shared by the UI benchmarks: the lateness of a 5 ms QTimer.

A tick that arrives late by N ms means the UI thread could not run for N ms (a repaint or a
keystroke would have waited as long).
"""

from __future__ import annotations

from typing import Callable

INTERVAL_MS = 5


class StallProbe:
    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer

        self.clock = QElapsedTimer()
        self.clock.start()

    def now_ns(self) -> int:
        return self.clock.nsecsElapsed()

    def sample(self, seconds: float, action: Callable[[], None] | None = None,
               until: Callable[[], bool] = lambda: True) -> list[float]:
        """Lateness (ms) of each tick while `action` runs (started 20 ms in) and for `seconds`,
        and then until `until()` is true."""
        from PySide6.QtCore import QEventLoop, QTimer

        gaps: list[float] = []
        last = [self.now_ns()]
        timer = QTimer()
        timer.setInterval(INTERVAL_MS)

        def tick() -> None:
            now = self.now_ns()
            gaps.append((now - last[0]) / 1e6 - INTERVAL_MS)
            last[0] = now

        timer.timeout.connect(tick)
        timer.start()
        loop = QEventLoop()
        if action is not None:
            QTimer.singleShot(20, action)
        end = self.now_ns() + int(seconds * 1e9)
        check = QTimer()
        check.setInterval(50)
        check.timeout.connect(lambda: loop.quit() if self.now_ns() > end and until() else None)
        check.start()
        loop.exec()
        check.stop()
        timer.stop()
        return gaps


def worst(gaps: list[float]) -> float:
    return max(gaps) if gaps else 0.0


def p99(gaps: list[float]) -> float:
    s = sorted(gaps)
    return s[int(0.99 * (len(s) - 1))] if s else 0.0
