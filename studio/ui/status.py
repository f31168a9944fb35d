"""Status bar: device in use, loaded model, queue length, live speed and progress."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from studio.engines.runtime import DeviceReport
from studio.jobs import JobStarted, Progress


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
        self.queue.setText(self.tr("Queue: {0}").format(n))

    def job_started(self, ev: JobStarted) -> None:
        self._running = ev.job_id
        self.bar.setRange(0, 0)
        self.bar.show()
        self.speed.setText("")

    def job_progress(self, p: Progress) -> None:
        if p.job_id != self._running:
            return
        if p.total > 0:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.step)
        if p.rate > 0 and p.unit in ("steps", "tokens"):
            unit = self.tr("tokens/s") if p.unit == "tokens" else self.tr("steps/s")
            self.speed.setText(f"{p.rate:.1f} {unit}")
        elif p.message:
            self.speed.setText(p.message)
        self._last_speed_at = time.monotonic()

    def job_ended(self, ev) -> None:
        if getattr(ev, "job_id", None) == self._running:
            self._running = None
            self.bar.hide()
