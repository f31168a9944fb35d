"""ONNX Runtime session factory: provider choice, session options, device report, small LRU.

Worker thread only (or the CLI's single thread): sessions are created and used where they live.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


@dataclass(frozen=True)
class DeviceReport:
    provider: str  # CUDA or CPU provider name that will be asked for first
    label: str  # for the status bar: "CPU, 2 threads" / "CUDA (NVIDIA H100)"
    reason: str = ""  # why we are not on the preferred device, "" if we are
    threads: int = 0  # CPU threads (the UI builds a translated label from these parts)
    gpu: str = ""  # GPU name when on CUDA
    why: str = ""  # the bare cause inside `reason`


def default_threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _gpu_name() -> str:
    """Name of the first NVIDIA GPU from the driver's /proc files (no subprocess, no CUDA init)."""
    root = Path("/proc/driver/nvidia/gpus")
    try:
        for info in sorted(root.glob("*/information")):
            for line in info.read_text().splitlines():
                if line.startswith("Model:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "GPU"


def _tiny_model_bytes() -> bytes:
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "probe", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


_probe_lock = threading.Lock()
_probe_cache: dict[str, tuple[bool, str]] = {}


def probe_cuda() -> tuple[bool, str]:
    """(usable, reason). Creates a one-node CUDA session once per process: the only reliable test,
    since ORT silently falls back to CPU when the CUDA/cuDNN libraries are missing."""
    with _probe_lock:
        if "cuda" in _probe_cache:
            return _probe_cache["cuda"]
        _probe_cache["cuda"] = result = _probe_cuda_uncached()
        return result


def _probe_cuda_uncached() -> tuple[bool, str]:
    if os.environ.get("STUDIO_FORCE_NO_CUDA"):
        return False, "CUDA disabled by STUDIO_FORCE_NO_CUDA"
    import onnxruntime as ort

    if CUDA not in ort.get_available_providers():
        return False, "this ONNX Runtime build has no CUDA support"
    if os.name != "nt" and not Path("/proc/driver/nvidia/version").exists():
        return False, "no NVIDIA GPU driver found"
    try:
        if hasattr(ort, "preload_dlls"):
            ort.preload_dlls()  # CUDA/cuDNN from the nvidia-* pip packages, if installed
    except Exception as exc:  # noqa: BLE001 - a missing library is a reason, not a crash
        log.info("preload_dlls failed: %s", exc)
    try:
        so = ort.SessionOptions()
        so.log_severity_level = 4
        sess = ort.InferenceSession(_tiny_model_bytes(), so, providers=[CUDA, CPU])
        if CUDA not in sess.get_providers():
            return False, "CUDA libraries (CUDA 12 runtime, cuDNN 9) could not be loaded"
    except Exception as exc:  # noqa: BLE001
        return False, f"CUDA failed to start: {exc}"
    return True, ""


class SessionFactory:
    """Creates ONNX Runtime sessions with the chosen device and keeps a small LRU of them.

    Args:
        device: "auto" (CUDA when usable, else CPU), "gpu" (CUDA or say why not) or "cpu".
        threads: intra-op threads for the CPU provider.
        max_bytes: LRU budget, counted as the size of the model files on disk.
    """

    def __init__(self, device: str = "auto", threads: int = 0, max_bytes: int = 6 << 30,
                 cuda_probe: Callable[[], tuple[bool, str]] = probe_cuda) -> None:
        self.device = device
        self.threads = threads or default_threads()
        self.max_bytes = max_bytes
        self._cuda_probe = cuda_probe
        self._report: DeviceReport | None = None
        self._sessions: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._objects: OrderedDict[Any, Any] = OrderedDict()
        self.on_fallback: Callable[[str], None] = lambda reason: None

    # ── device ──
    def report(self) -> DeviceReport:
        if self._report is None:
            self._report = self._decide()
        return self._report

    def _decide(self) -> DeviceReport:
        cpu_label = f"CPU, {self.threads} thread{'s' if self.threads != 1 else ''}"
        if self.device == "cpu":
            return DeviceReport(CPU, cpu_label, threads=self.threads)
        ok, why = self._cuda_probe()
        if ok:
            gpu = _gpu_name()
            return DeviceReport(CUDA, f"CUDA ({gpu})", gpu=gpu)
        return DeviceReport(CPU, cpu_label, f"GPU not used: {why}", threads=self.threads, why=why)

    @property
    def on_gpu(self) -> bool:
        return self.report().provider == CUDA

    def force_cpu(self, reason: str) -> None:
        """Fall back to CPU for every later session (after a CUDA failure at run time)."""
        self.device = "cpu"
        self._report = DeviceReport(CPU, f"CPU, {self.threads} threads", reason, threads=self.threads)
        self.clear()
        self.on_fallback(reason)

    # ── sessions ──
    def options(self, *, spin: bool = False, threads: int = 0):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads or self.threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        # Spin-waiting threads steal the core the UI needs on small machines (FIELD-NOTES).
        so.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        so.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return so

    def providers(self) -> list:
        if self.report().provider == CUDA:
            return [(CUDA, {"cudnn_conv_algo_search": "HEURISTIC"}), CPU]
        return [CPU]

    def create(self, path: str | os.PathLike, *, spin: bool = False, threads: int = 0,
               cache: bool = True):
        """An InferenceSession for the model at `path` (cached by path and options)."""
        import onnxruntime as ort

        path = str(Path(path).resolve())
        key = (path, self.report().provider, spin, threads)
        if cache and key in self._sessions:
            self._sessions.move_to_end(key)
            return self._sessions[key][0]
        sess = ort.InferenceSession(path, self.options(spin=spin, threads=threads),
                                    providers=self.providers())
        if cache:
            self._sessions[key] = (sess, _model_bytes(path))
            self._evict()
        return sess

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """A long-lived engine object (tokenizer + sessions + caches) built once per key, LRU."""
        if key in self._objects:
            self._objects.move_to_end(key)
            return self._objects[key]
        obj = self._objects[key] = build()
        while len(self._objects) > 4:
            self._objects.popitem(last=False)
        return obj

    def clear(self) -> None:
        self._sessions.clear()
        self._objects.clear()

    def _evict(self) -> None:
        while len(self._sessions) > 1 and sum(b for _, b in self._sessions.values()) > self.max_bytes:
            self._sessions.popitem(last=False)

    def session_report(self) -> list[tuple[str, list[str]]]:
        """(model path, providers it really got) for every cached session."""
        return [(key[0], list(sess.get_providers())) for key, (sess, _) in self._sessions.items()]


def _model_bytes(path: str) -> int:
    p = Path(path)
    total = p.stat().st_size if p.exists() else 0
    for extra in p.parent.glob("*.data"):
        total += extra.stat().st_size
    return total
