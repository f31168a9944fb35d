"""The background worker: one QThread, a FIFO of requests, Qt signals out.

Thread rules: ``submit``, ``cancel*``, ``move``, ``pending`` and ``shutdown`` are called on the
main thread; ``run`` and everything it calls happen on the worker thread, which is the only
thread that touches ONNX Runtime. Signals carry the frozen dataclasses of ``studio.jobs``.

Signals:
    started(JobStarted), progress(Progress), token(TokenDelta), notice(Notice),
    finished(Result), failed(JobFailed), cancelled(JobCancelled),
    queue_changed(int): jobs waiting + running, device_changed(DeviceReport),
    recorded(Recorded): the result is in the history store (emitted after finished).

``result_hook`` (set before ``start``) runs on the worker thread for every result and returns
the history record ids: the UI thread never waits on PNG encoding or SQLite writes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable

from PySide6.QtCore import QThread, QTimer, Signal

from studio.engines.runtime import SessionFactory
from studio.jobs import (CancelToken, Cancelled, JobCancelled, JobContext, JobStarted, Notice,
                         Progress, Recorded, Request, Result)
from studio.worker.runner import describe_failure, kind_of, run_with_fallback

PROGRESS_INTERVAL = 1 / 30  # at most ~30 progress signals a second keeps the UI smooth
CANCEL_BATCH = 50  # JobCancelled signals per event-loop turn when many jobs are cancelled at once


class Worker(QThread):
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

    def __init__(self, sessions: SessionFactory | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("studio-worker")
        # Built here but only used on the worker thread (no session exists yet).
        self.sessions = sessions or SessionFactory()
        self.sessions.on_fallback = lambda _reason: self.device_changed.emit(self.sessions.report())
        self._cond = threading.Condition()
        self._queue: deque[tuple[Request, CancelToken]] = deque()
        self._current: tuple[Request, CancelToken] | None = None
        self._stopping = False
        self.result_hook: Callable[[Result], tuple[int, ...]] | None = None
        self._pending_config: tuple[str, int] | None = None

    # ── main thread ──
    def submit(self, request: Request) -> int:
        """Queue a request; returns its job id. Main thread only."""
        with self._cond:
            self._queue.append((request, CancelToken()))
            self._cond.notify()
        self._emit_queue()
        return request.job_id

    def cancel(self, job_id: int) -> None:
        """Cancel a queued job, or stop the running one at its next step/token. Main thread only."""
        removed = None
        with self._cond:
            if self._current and self._current[0].job_id == job_id:
                self._current[1].cancel()
            else:
                for item in self._queue:
                    if item[0].job_id == job_id:
                        removed = item
                        self._queue.remove(item)
                        break
        if removed:
            self.cancelled.emit(JobCancelled(job_id))
            self._emit_queue()

    def cancel_current(self) -> None:
        with self._cond:
            if self._current:
                self._current[1].cancel()

    def cancel_all(self) -> None:
        with self._cond:
            dropped = [req.job_id for req, _ in self._queue]
            self._queue.clear()
            if self._current:
                self._current[1].cancel()
        self._emit_cancelled(dropped)
        self._emit_queue()

    def _emit_cancelled(self, job_ids: list[int]) -> None:
        """JobCancelled for each id, CANCEL_BATCH per event-loop turn: every workspace reacts to
        each one, and 1,000 of them in one turn froze the window for a third of a second."""
        for job_id in job_ids[:CANCEL_BATCH]:
            self.cancelled.emit(JobCancelled(job_id))
        if len(job_ids) > CANCEL_BATCH:
            rest = job_ids[CANCEL_BATCH:]
            QTimer.singleShot(0, self, lambda: self._emit_cancelled(rest))

    def move(self, job_id: int, delta: int) -> None:
        """Move a queued job up (delta < 0) or down the queue. Main thread only."""
        with self._cond:
            items = list(self._queue)
            idx = next((i for i, (r, _) in enumerate(items) if r.job_id == job_id), None)
            if idx is None:
                return
            item = items.pop(idx)
            items.insert(max(0, min(len(items), idx + delta)), item)
            self._queue = deque(items)
        self._emit_queue()

    def pending(self) -> list[Request]:
        """Running job first, then the queue in order."""
        with self._cond:
            running = [self._current[0]] if self._current else []
            return running + [r for r, _ in self._queue]

    def shutdown(self, timeout_ms: int = 1500) -> bool:
        """Cancel everything and stop the thread; True if it ended in time. Main thread only."""
        with self._cond:
            self._stopping = True
            self._queue.clear()
            if self._current:
                self._current[1].cancel()
            self._cond.notify()
        return self.wait(timeout_ms)

    def reconfigure(self, device: str, threads: int) -> None:
        """New device preference / thread count, applied before the next job. Main thread only."""
        with self._cond:
            self._pending_config = (device, threads)
            self._cond.notify()

    def _emit_queue(self) -> None:
        with self._cond:
            n = len(self._queue) + (1 if self._current else 0)
        self.queue_changed.emit(n)

    # ── worker thread ──
    def run(self) -> None:
        self.device_changed.emit(self.sessions.report())
        while True:
            with self._cond:
                while not self._queue and not self._stopping and not self._pending_config:
                    self._cond.wait()
                if self._stopping:
                    return
                config, self._pending_config = self._pending_config, None
                if config:
                    self._apply_config(*config)
                    if not self._queue:
                        continue
                self._current = request, token = self._queue.popleft()
            self._emit_queue()
            self._run_one(request, token)
            with self._cond:
                self._current = None
            self._emit_queue()

    def _apply_config(self, device: str, threads: int) -> None:
        old = self.sessions
        self.sessions = SessionFactory(device, threads, old.max_bytes)
        self.sessions.on_fallback = lambda _reason: self.device_changed.emit(self.sessions.report())
        old.clear()
        self.device_changed.emit(self.sessions.report())

    def _run_one(self, request: Request, token: CancelToken) -> None:
        job_id = request.job_id
        last = [0.0]

        def on_progress(p: Progress) -> None:
            now = time.monotonic()
            if p.step >= p.total or now - last[0] >= PROGRESS_INTERVAL:
                last[0] = now
                self.progress.emit(p)

        ctx = JobContext(job_id, token, self.sessions, on_progress=on_progress,
                         on_token=self.token.emit, on_notice=self.notice.emit)
        self.started_job.emit(JobStarted(job_id, kind_of(request)))
        try:
            if token.cancelled:
                raise Cancelled()
            result = run_with_fallback(request, ctx)
        except Cancelled:
            self.cancelled.emit(JobCancelled(job_id))
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a message, never a crash
            if token.cancelled:
                self.cancelled.emit(JobCancelled(job_id))
            else:
                self.failed.emit(describe_failure(job_id, exc))
        else:
            self.finished_job.emit(result)
            self._record(result)

    def _record(self, result: Any) -> None:
        if self.result_hook is None or not hasattr(result, "request"):
            return
        try:
            ids = tuple(self.result_hook(result) or ())
        except Exception as exc:  # noqa: BLE001 - the result is still on screen; say it was not kept
            self.notice.emit(Notice(result.job_id, f"This result could not be saved to the history: {exc}"))
            return
        kind = "image" if hasattr(result, "images") else "text"
        self.recorded.emit(Recorded(result.job_id, kind, ids))
