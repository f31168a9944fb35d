"""A scripted stand-in for the worker, for fast UI tests of the workspace's own logic.

It has the worker's signals and methods and streams a fixed script of tokens from a QTimer,
so the workspace sees the same asynchronous event order as with the real engine. The tests
that need the real engine (tests/ui_writing/test_writing_real_model.py) use the real Worker.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, QTimer, Signal

from studio.jobs import (JobCancelled, JobFailed, Recorded, RunStats, TextResult, TokenDelta,
                         TokenInfo)


class ScriptedWorker(QObject):
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

    def __init__(self, scripts: list[list[str]], interval_ms: int = 1) -> None:
        super().__init__()
        self.scripts = list(scripts)
        self.requests = []
        self.interval_ms = interval_ms
        self.fail_next = ""
        self.result_hook = None  # like Worker.result_hook: result → history record ids
        self._running: dict[int, tuple] = {}

    def submit(self, request) -> int:
        self.requests.append(request)
        pieces = self.scripts.pop(0) if self.scripts else [" more"]
        state = {"i": 0, "pieces": pieces, "tokens": [], "request": request, "stop": False}
        timer = QTimer(self)
        timer.setInterval(self.interval_ms)
        timer.timeout.connect(lambda: self._step(request.job_id))
        self._running[request.job_id] = (timer, state)
        timer.start()
        return request.job_id

    def _step(self, job_id: int) -> None:
        timer, st = self._running[job_id]
        req = st["request"]
        if self.fail_next:
            timer.stop()
            del self._running[job_id]
            msg, self.fail_next = self.fail_next, ""
            self.failed.emit(JobFailed(job_id, msg, "Traceback (most recent call last): …"))
            return
        if st["stop"] or st["i"] >= len(st["pieces"]):
            timer.stop()
            del self._running[job_id]
            reason = "cancelled" if st["stop"] else "length"
            text = "".join(t.text for t in st["tokens"])
            result = TextResult(job_id, req, text, tuple(st["tokens"]), reason, seed=7,
                                stats=RunStats(decode_tps=12.5, device="CPU"))
            self.finished_job.emit(result)
            if self.result_hook is not None:
                self.recorded.emit(Recorded(job_id, "text", tuple(self.result_hook(result))))
            return
        piece = st["pieces"][st["i"]]
        tid = 1000 + st["i"]
        tok = TokenInfo(tid, piece, math.log(0.6), ((tid, piece, math.log(0.6)), (5, " maybe", math.log(0.25)),
                                                  (6, " 🎉", math.log(0.1))))
        st["tokens"].append(tok)
        self.token.emit(TokenDelta(job_id, st["i"], tok))
        st["i"] += 1

    def cancel(self, job_id: int) -> None:
        if job_id in self._running:
            self._running[job_id][1]["stop"] = True

    def cancel_current(self) -> None:
        for job_id in list(self._running):
            self.cancel(job_id)

    def pending(self):
        return [st["request"] for _t, st in self._running.values()]

    def move(self, job_id, delta) -> None:
        pass

    def emit_foreign(self) -> None:
        """Events of a job that is not the writing workspace's (the image workspace's)."""
        self.token.emit(TokenDelta(999_999, 0, TokenInfo(1, "FOREIGN", 0.0)))
        self.cancelled.emit(JobCancelled(999_999))
