"""The real main window: both workspaces, the history dock, the status bar, a clean close."""

from __future__ import annotations

import numpy as np

from studio.engines.runtime import SessionFactory
from studio.jobs import IterateRequest
from studio.settings import Settings
from studio.ui.main_window import MainWindow
from studio.worker.thread import Worker
from tests.foundation.graphs import matmul_tanh


def make_window(qtbot, store=None):
    worker = Worker(SessionFactory(device="cpu", threads=1))
    window = MainWindow(Settings(), worker=worker, history_store=store)
    qtbot.addWidget(window)
    return window


def test_window_opens_with_both_workspaces_and_history(qtbot):
    window = make_window(qtbot)
    with qtbot.waitSignal(window.worker.device_changed, timeout=10000):
        window.show()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Image", "Writing"]
    assert window.history.windowTitle() == "History"
    assert window.status.device.text() == "CPU, 1 thread"
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&File" in menus and "&Help" in menus
    window.close()
    assert not window.worker.isRunning()


def test_status_bar_follows_a_running_job(qtbot, tmp_path):
    window = make_window(qtbot)
    window.show()
    path, _ = matmul_tanh(tmp_path / "m.onnx", n=128)
    with qtbot.waitSignal(window.worker.finished_job, timeout=15000):
        window.worker.submit(IterateRequest(str(path), np.ones((1, 128), np.float32), steps=200))
    assert "steps/s" in window.status.speed.text()
    qtbot.waitUntil(lambda: window.status.queue.text() == "Queue: 0", timeout=2000)
    assert window.status.bar.isHidden()
    window.close()


def test_closing_mid_job_stops_the_worker(qtbot, tmp_path):
    window = make_window(qtbot)
    window.show()
    path, _ = matmul_tanh(tmp_path / "m.onnx", n=256)
    steps = []
    window.worker.progress.connect(lambda p: steps.append(p.step))
    for _ in range(3):
        window.worker.submit(IterateRequest(str(path), np.ones((1, 256), np.float32), steps=10**8))
    qtbot.waitUntil(lambda: bool(steps), timeout=15000)
    assert window.close()
    assert window.worker.isFinished()


def test_settings_dialog_saves_and_reconfigures_worker(qtbot):
    from studio.ui.settings_dialog import SettingsDialog

    window = make_window(qtbot)
    with qtbot.waitSignal(window.worker.device_changed, timeout=10000):
        window.show()
    dlg = SettingsDialog(window.settings, window)
    qtbot.addWidget(dlg)
    dlg.threads.setValue(2)
    dlg.device.setCurrentIndex(dlg.device.findData("cpu"))
    dlg.data_dir.setText("/tmp/数据 folder")
    with qtbot.waitSignal(window.worker.device_changed, timeout=5000) as blocker:
        window.worker.reconfigure(dlg.apply().device, 2)
    assert blocker.args[0].label == "CPU, 2 threads"
    again = Settings.load()
    assert again.threads == 2 and again.device == "cpu" and again.data_dir == "/tmp/数据 folder"
    window.close()
