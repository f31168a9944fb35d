"""A GPU that fails at run time (the job finishes on the CPU, the user is told), and quitting
with 20 jobs queued (the window closes within 2 s and nothing is corrupted)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from studio.engines.runtime import CPU, CUDA, SessionFactory
from studio.jobs import ImageRequest, TextRequest, SamplerParams
from studio.settings import Settings
from studio.worker.thread import Worker
from tests.bad_input import models
from tests.bad_input.checks import assert_clear, assert_db_intact


class LostGpu(SessionFactory):
    """Reports CUDA like a GPU machine, then every session fails the way a lost device does
    (CUDA provider present at start-up, failing at run time). CPU sessions are real."""

    def __init__(self):
        super().__init__(device="auto", threads=1, cuda_probe=lambda: (True, ""))

    def create(self, path, **kw):
        if self.on_gpu:
            raise RuntimeError("[ONNXRuntimeError] : 1 : FAIL : CUDA failure 700: an illegal memory "
                               "access was encountered ; GPU=0")
        return super().create(path, **kw)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("gpu-models")
    return models.tiny_text_folder(root), models.tiny_image_folder(root)


@pytest.mark.parametrize("kind", ["image", "text"])
def test_gpu_failure_falls_back_to_cpu_and_finishes(qtbot, tiny, kind):
    text_dir, image_dir = tiny
    mid = models.install(image_dir if kind == "image" else text_dir)
    worker = Worker(LostGpu())
    devices, notices = [], []
    worker.device_changed.connect(devices.append)
    worker.notice.connect(lambda n: notices.append(n.message))
    worker.start()
    try:
        qtbot.waitUntil(lambda: bool(devices), timeout=5000)
        assert devices[0].provider == CUDA
        req = (ImageRequest("a cat", model_id=mid, seed=4) if kind == "image"
               else TextRequest("once", model_id=mid, sampler=SamplerParams(max_new_tokens=4, seed=4)))
        with qtbot.waitSignal(worker.finished_job, timeout=30_000) as done:
            worker.submit(req)
        result = done.args[0]
        assert result.job_id == req.job_id
        assert "CPU" in result.stats.device
        qtbot.waitUntil(lambda: any(d.provider == CPU for d in devices), timeout=5000)
        fallback = [d for d in devices if d.provider == CPU][-1]
        assert "GPU failed" in fallback.reason
        assert notices and "CPU" in notices[0]
        assert_clear(notices[0])
        # Later jobs go straight to the CPU.
        with qtbot.waitSignal(worker.finished_job, timeout=30_000):
            worker.submit(req.__class__(**{**{f: getattr(req, f) for f in ("prompt", "model_id")}}))
    finally:
        assert worker.shutdown(5000)


def test_quit_with_20_jobs_queued(qtbot, tiny, studio_home):
    from studio.app import open_history
    from studio.ui.main_window import MainWindow

    _, image_dir = tiny
    mid = models.install(image_dir)
    store, _ = open_history()
    window = MainWindow(Settings(image_model=mid), history_store=store,
                        worker=Worker(SessionFactory(device="cpu", threads=1)))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.worker.recorded, timeout=30_000):
        window.worker.submit(ImageRequest("kept", model_id=mid, seed=1))
    window.writing_ws.current_tab().editor.insertPlainText("unsaved draft at quit")
    window.image_ws.add_image_layer(np.full((16, 16, 3), 77, np.uint8), "quit layer")
    # Not qtbot.waitSignal on progress: its queued emissions would reach the blocker after it is gone.
    steps = []
    window.worker.progress.connect(steps.append)
    for i in range(20):
        window.image_ws.submit_request(ImageRequest(f"queued {i}", model_id=mid, steps=500,
                                                    width=256, height=256, seed=i))
    qtbot.waitUntil(lambda: bool(steps), timeout=30_000)
    assert len(window.worker.pending()) == 20
    t0 = time.perf_counter()
    assert window.close()
    elapsed = time.perf_counter() - t0
    print(f"closing with 20 jobs queued took {elapsed:.3f} s")
    assert elapsed < 2.0, f"closing took {elapsed:.2f} s"
    assert window.worker.isFinished()
    assert store.count() == 1
    store.close()
    assert_db_intact(store.path)
    # The unsaved work was autosaved on the way out.
    from studio.canvas.files import read_autosave
    from studio.writing.storage import read_autosaves

    assert any(s.text == "unsaved draft at quit" for s in read_autosaves())
    assert "quit layer" in [layer.name for layer in read_autosave().layers]
