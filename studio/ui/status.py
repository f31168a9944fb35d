"""Status bar: device in use, loaded model, queue length, live speed and progress."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from studio.engines.runtime import DeviceReport
from studio.jobs import JobStarted, Progress

QUEUE_LABEL_MS = 100


def set_progress(bar: QProgressBar, minimum: int, maximum: int, value: int) -> None:
    """Set a progress bar's range and value, repainted with the window's next regular update.

    QProgressBar.setValue (and reset, which setRange may call) repaint synchronously, and a
    synchronous repaint paints everything dirty in the whole window on the spot (the canvas,
    the queue list): one full paint per progress event instead of one per event-loop turn.
    """
    if bar.minimum() == minimum and bar.maximum() == maximum and bar.value() == value:
        return
    enabled = bar.updatesEnabled()
    bar.setUpdatesEnabled(False)  # repaint() does nothing while updates are off
    try:
        bar.setRange(minimum, maximum)
        bar.setValue(value)
    finally:
        bar.setUpdatesEnabled(enabled)  # schedules an ordinary update()


class StudioStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device = QLabel(self.tr("Device: starting…"))
        self.model = QLabel("")
        self.queue = QLabel(self.tr("Queue: 0"))
        self.speed = QLabel("")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.bar.hide()
        for w in (self.speed, self.bar, self.model, self.queue, self.device):
            self.addPermanentWidget(w)
        self._running: int | None = None
        self._last_speed_at = 0.0
        self._queue_n = 0
        self._queue_timer = QTimer(self)
        self._queue_timer.setSingleShot(True)
        self._queue_timer.setInterval(QUEUE_LABEL_MS)
        self._queue_timer.timeout.connect(self._show_queue)

    def set_device(self, report: DeviceReport) -> None:
        if report.gpu:
            label = self.tr("CUDA ({0})").format(report.gpu)
        elif report.threads == 1:
            label = self.tr("CPU, 1 thread")
        elif report.threads:
            label = self.tr("CPU, {0} threads").format(report.threads)
        else:
            label = report.label
        reason = self.tr("GPU not used: {0}").format(report.why) if report.why else report.reason
        self.device.setText(label)
        self.device.setToolTip(reason or self.tr("Running on the preferred device."))
        if reason:
            self.showMessage(reason, 15000)

    def set_model(self, name: str) -> None:
        self.model.setText(self.tr("Model: {0}").format(name) if name else "")

    def set_queue(self, n: int) -> None:
        """A new queue length. A label's new text re-lays out and repaints the whole status bar
        (the busy bar too), and a script queueing 1,000 jobs changes it 1,000 times: the first
        change shows at once, later ones at most every QUEUE_LABEL_MS."""
        self._queue_n = n
        if not self._queue_timer.isActive():
            self._show_queue()

    def _show_queue(self) -> None:
        text = self.tr("Queue: {0}").format(self._queue_n)
        if text != self.queue.text():
            self.queue.setText(text)
            self._queue_timer.start()  # changes until it fires are shown together

    def job_started(self, ev: JobStarted) -> None:
        self._running = ev.job_id
        self.bar.setRange(0, 0)
        self.bar.show()
        self.speed.setText("")

    def job_progress(self, p: Progress) -> None:
        if p.job_id != self._running:
            return
        if p.total > 0:
            set_progress(self.bar, 0, p.total, p.step)
        text = ""
        if p.rate > 0 and p.unit in ("steps", "tokens"):
            unit = self.tr("tokens/s") if p.unit == "tokens" else self.tr("steps/s")
            text = f"{p.rate:.1f} {unit}"
        elif p.message:
            text = p.message
        if text and text != self.speed.text():  # a new text repaints the whole status bar
            self.speed.setText(text)
        self._last_speed_at = time.monotonic()

    def job_ended(self, ev) -> None:
        if getattr(ev, "job_id", None) == self._running:
            self._running = None
            self.bar.hide()
