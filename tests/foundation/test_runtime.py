"""Provider choice and the CPU fallback, on the CPU-only machines CI runs on."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engines.runtime import CPU, CUDA, SessionFactory, probe_cuda
from studio.jobs import CancelToken, IterateRequest, JobContext
from studio.worker.runner import run_with_fallback
from tests.foundation.graphs import matmul_tanh


def test_cpu_preference_uses_cpu():
    report = SessionFactory(device="cpu", threads=3).report()
    assert report.provider == CPU and report.label == "CPU, 3 threads" and report.reason == ""


def test_auto_falls_back_to_cpu_and_says_why():
    f = SessionFactory(device="auto", threads=2, cuda_probe=lambda: (False, "no NVIDIA GPU driver found"))
    report = f.report()
    assert report.provider == CPU
    assert report.reason == "GPU not used: no NVIDIA GPU driver found"
    assert f.providers() == [CPU]


def test_real_probe_on_this_machine_never_raises():
    ok, why = probe_cuda()
    assert isinstance(ok, bool)
    if not ok:
        assert why  # a reason for the status bar
        report = SessionFactory(device="auto").report()
        assert report.provider == CPU and why in report.reason


def test_sessions_report_the_provider_they_really_got(tmp_path):
    path, _ = matmul_tanh(tmp_path / "m.onnx", n=8)
    f = SessionFactory(device="cpu", threads=1)
    sess = f.create(path)
    assert f.create(path) is sess  # cached
    assert f.session_report() == [(str(path.resolve()), ["CPUExecutionProvider"])]


class FlakyGpuSessions(SessionFactory):
    """Claims CUDA like a GPU machine would, then fails at run time like a lost device does."""

    def __init__(self):
        super().__init__(device="auto", threads=1, cuda_probe=lambda: (True, ""))
        self.fallback_reasons = []
        self.on_fallback = self.fallback_reasons.append

    def create(self, path, **kw):
        if self.on_gpu:
            raise RuntimeError("CUDA failure 999: unknown error ; GPU=0")
        return super().create(path, **kw)


def test_gpu_failure_at_run_time_finishes_on_cpu(tmp_path):
    path, _ = matmul_tanh(tmp_path / "m.onnx", n=8)
    sessions = FlakyGpuSessions()
    assert sessions.report().provider == CUDA
    notices = []
    req = IterateRequest(str(path), np.ones((1, 8), np.float32), steps=3)
    ctx = JobContext(req.job_id, CancelToken(), sessions, on_notice=notices.append)
    result = run_with_fallback(req, ctx)
    assert result.steps == 3
    assert sessions.report().provider == CPU and "GPU failed" in sessions.report().reason
    assert sessions.fallback_reasons and notices and "CPU" in notices[0].message


def test_force_no_cuda_env(monkeypatch):
    from studio.engines import runtime

    monkeypatch.setenv("STUDIO_FORCE_NO_CUDA", "1")
    assert runtime._probe_cuda_uncached() == (False, "CUDA disabled by STUDIO_FORCE_NO_CUDA")


@pytest.mark.gpu
def test_cuda_is_used_when_present(tmp_path):
    ok, why = probe_cuda()
    if not ok:
        pytest.skip(f"no usable CUDA GPU here: {why}")
    path, _ = matmul_tanh(tmp_path / "m.onnx", n=8)
    f = SessionFactory(device="auto")
    assert f.report().provider == CUDA
    assert f.create(path).get_providers()[0] == CUDA
