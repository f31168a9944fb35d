"""This workspace's jobs: waiting and running, with cancel and reorder. Main thread only.

The worker's queue is shared with the writing workspace; this list shows only our jobs (in
the worker's order) and acts on them through the worker.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

ID_ROLE = Qt.ItemDataRole.UserRole


class QueuePanel(QWidget):
    """Signals:
        cancel_requested(int), move_requested(int, int), cancel_current_requested()
    """

    cancel_requested = Signal(int)
    move_requested = Signal(int, int)
    cancel_current_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setObjectName("queue")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.rate = QLabel(self)
        self.cancel_btn = QPushButton(self.tr("Cancel"), self)
        self.cancel_btn.setToolTip(self.tr("Cancel the selected job"))
        self.cancel_btn.clicked.connect(self._cancel_selected)
        self.stop_btn = QPushButton(self.tr("Stop"), self)
        self.stop_btn.setToolTip(self.tr("Stop the running job at its next step (Esc)"))
        self.stop_btn.clicked.connect(self.cancel_current_requested)
        self.up_btn = QPushButton(self.tr("▲"), self)
        self.up_btn.setToolTip(self.tr("Run the selected job earlier"))
        self.up_btn.clicked.connect(lambda: self._move(-1))
        self.down_btn = QPushButton(self.tr("▼"), self)
        self.down_btn.setToolTip(self.tr("Run the selected job later"))
        self.down_btn.clicked.connect(lambda: self._move(+1))

        row = QHBoxLayout()
        for b in (self.cancel_btn, self.stop_btn, self.up_btn, self.down_btn):
            row.addWidget(b)
        bar = QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.rate)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list, 1)
        lay.addLayout(bar)
        lay.addLayout(row)
        self.set_jobs([], None)

    def set_jobs(self, jobs: list[tuple[int, str]], running: int | None) -> None:
        """(job id, label) in run order; `running` is the id of the job running now.

        Called on every queue change: jobs appended or removed in order only touch those rows,
        so queueing or cancelling 1,000 jobs stays linear instead of rebuilding the list each time.
        """
        ids = [job_id for job_id, _ in jobs]
        old = getattr(self, "_ids", [])
        keep = set(ids)
        if ids[:len(old)] == old:  # appended (or unchanged)
            for job_id, label in jobs[len(old):]:
                self.list.addItem(self._item(job_id, label, running))
        elif not ids:
            self.list.clear()
        elif len(ids) < len(old) and ids == [i for i in old if i in keep]:  # removed, order kept
            for row in range(len(old) - 1, -1, -1):
                if old[row] not in keep:
                    self.list.takeItem(row)
        else:  # reordered: rebuild
            selected = self.selected_job()
            self.list.clear()
            for job_id, label in jobs:
                item = self._item(job_id, label, running)
                self.list.addItem(item)
                if job_id == selected:
                    self.list.setCurrentItem(item)
        self._ids = ids
        self._labels = dict(jobs)
        for row in {ids.index(j) for j in (getattr(self, "_running", None), running) if j in ids}:
            self.list.item(row).setText(("▶ " if ids[row] == running else "⏳ ") + self._labels[ids[row]])
        self._running = running
        self.stop_btn.setEnabled(running is not None)
        if running is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.rate.setText("")

    @staticmethod
    def _item(job_id: int, label: str, running: int | None) -> QListWidgetItem:
        item = QListWidgetItem(("▶ " if job_id == running else "⏳ ") + label)
        item.setData(ID_ROLE, job_id)
        return item

    def selected_job(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def show_progress(self, step: int, total: int, rate: float, unit: str) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(min(step, total))
        self.progress.setFormat(f"{step}/{total}")
        if rate > 0:
            self.rate.setText(self.tr("{0:.2f} {1}/s").format(rate, unit))

    def _cancel_selected(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.cancel_requested.emit(job)

    def _move(self, delta: int) -> None:
        job = self.selected_job()
        if job is not None:
            self.move_requested.emit(job, delta)
