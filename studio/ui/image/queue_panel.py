"""This workspace's jobs: waiting and running, with cancel and reorder. Main thread only.

The worker's queue is shared with the writing workspace; this list shows only our jobs (in
the worker's order) and acts on them through the worker.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from studio.ui.status import set_progress

ID_ROLE = Qt.ItemDataRole.UserRole
BURST_MS = 50  # while rows come and go faster than this, the list is repainted this often


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
        # one line of text per row: every row is as tall as the last one, so laying out
        # 1,000 rows (on every change, and each time the tab is shown) measures one row, not all
        self.list.setUniformItemSizes(True)
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
        self._ids: list[int] = []  # shown jobs, in run order
        self._labels: dict[int, str] = {}
        self._running: int | None = None
        self._burst = QTimer(self)
        self._burst.setSingleShot(True)
        self._burst.setInterval(BURST_MS)
        self._burst.timeout.connect(self._burst_over)
        self.set_jobs([], None)

    def set_jobs(self, jobs: list[tuple[int, str]], running: int | None) -> None:
        """(job id, label) in run order; `running` is the id of the job running now.

        The full picture, compared with what is shown: jobs appended or removed in order only
        touch those rows, so queueing or cancelling 1,000 jobs stays linear instead of
        rebuilding the list each time. `add_job` / `remove_job` / `set_running` are the O(1)
        steps for the changes the workspace knows about.
        """
        ids = [job_id for job_id, _ in jobs]
        old = self._ids
        keep = set(ids)
        if ids == old:
            pass
        elif ids[:len(old)] == old:  # appended
            self._changing()
            self._add_items(jobs[len(old):], running)
        elif not ids:
            self._changing()
            self.list.clear()
        elif len(ids) < len(old) and ids == [i for i in old if i in keep]:  # removed, order kept
            self._changing()
            for row in range(len(old) - 1, -1, -1):
                if old[row] not in keep:
                    self.list.takeItem(row)
        else:  # reordered: rebuild
            self._changing()
            selected = self.selected_job()
            self.list.clear()
            self._add_items(jobs, running)
            if selected in ids:
                self.list.setCurrentRow(ids.index(selected))
        self._ids = ids
        self._labels = dict(jobs)
        self.set_running(running)

    def add_job(self, job_id: int, label: str) -> None:
        """Append a job (it was queued last)."""
        if job_id in self._labels:
            return
        self._changing()
        self._ids.append(job_id)
        self._labels[job_id] = label
        self.list.addItem(self._item(job_id, label, self._running))

    def remove_job(self, job_id: int) -> None:
        """Drop a job that ended or was cancelled (no-op if it is not listed)."""
        if self._labels.pop(job_id, None) is None:
            return
        self._changing()
        row = self._ids.index(job_id)
        del self._ids[row]
        self.list.takeItem(row)

    def set_running(self, running: int | None) -> None:
        """Mark the running job (None: none of ours runs; the progress bar is cleared)."""
        if running != self._running:
            for job_id in (self._running, running):
                if job_id in self._labels:
                    item = self.list.item(self._ids.index(job_id))
                    item.setText(("▶ " if job_id == running else "⏳ ") + self._labels[job_id])
        self._running = running
        self.stop_btn.setEnabled(running is not None)
        if running is None:
            set_progress(self.progress, 0, 1, 0)
            if self.rate.text():
                self.rate.setText("")

    def _add_items(self, jobs: list[tuple[int, str]], running: int | None) -> None:
        for job_id, label in jobs:
            self.list.addItem(self._item(job_id, label, running))

    def _changing(self) -> None:
        """Rows are about to be added or removed. Each such change lays out and repaints the
        whole list and its scroll bar, so while changes keep coming (a script queueing 1,000
        jobs, Cancel All) the list is repainted every BURST_MS, not on every event-loop turn;
        a lone change still shows at once."""
        if not self._burst.isActive():
            self._burst.start()
        elif self.list.updatesEnabled():
            self.list.setUpdatesEnabled(False)  # held: update() is a no-op until _burst_over

    def _burst_over(self) -> None:
        if not self.list.updatesEnabled():
            self.list.setUpdatesEnabled(True)  # one repaint for everything held back
            self._burst.start()  # and the next change within BURST_MS is held again

    @staticmethod
    def _item(job_id: int, label: str, running: int | None) -> QListWidgetItem:
        item = QListWidgetItem(("▶ " if job_id == running else "⏳ ") + label)
        item.setData(ID_ROLE, job_id)
        return item

    def selected_job(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def show_progress(self, step: int, total: int, rate: float, unit: str) -> None:
        set_progress(self.progress, 0, max(1, total), min(step, total))
        self.progress.setFormat(f"{step}/{total}")  # repaints only when the text changed
        if rate > 0:
            text = self.tr("{0:.2f} {1}/s").format(rate, unit)
            if text != self.rate.text():
                self.rate.setText(text)

    def _cancel_selected(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.cancel_requested.emit(job)

    def _move(self, delta: int) -> None:
        job = self.selected_job()
        if job is not None:
            self.move_requested.emit(job, delta)
