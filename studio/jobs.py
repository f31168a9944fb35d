"""The plain data that crosses the UI ↔ worker boundary.

Requests hold everything a generation needs (a history record can rebuild one exactly);
events and results are small frozen dataclasses. No Qt or ONNX Runtime objects here:
this module is imported by the UI, the worker, the engines, the CLI and the history store.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # numpy is imported by whoever builds the arrays; the UI starts faster without it
    import numpy as np

_ids = itertools.count(1)
_ids_lock = threading.Lock()


def next_job_id() -> int:
    with _ids_lock:
        return next(_ids)


# ── errors ──────────────────────────────────────────────────────────────────────────────


class UserError(Exception):
    """A problem with the user's input, files or models. Its message is shown as is (no traceback)."""


class Cancelled(Exception):
    """Raised inside an engine when the job's cancel token is set; the worker reports JobCancelled."""


class CancelToken:
    """Thread-safe flag checked by engines between steps/tokens."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._run_options: list[Any] = []

    def cancel(self) -> None:
        self._event.set()
        for ro in self._run_options:
            ro.terminate = True  # aborts an ORT run already in progress (a long UNet step)

    def run_options(self) -> Any:
        """An ``onnxruntime.RunOptions`` that cancel() terminates; pass it to ``session.run``.

        A run aborted this way raises; engines call ``check()`` in their handler to turn it into
        Cancelled.
        """
        import onnxruntime as ort

        ro = ort.RunOptions()
        ro.terminate = self._event.is_set()
        self._run_options.append(ro)
        return ro

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise Cancelled if cancel() was called. Engines call this between steps/tokens."""
        if self._event.is_set():
            raise Cancelled()


# ── requests ────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class SamplerParams:
    max_new_tokens: int = 128
    temperature: float = 0.8
    top_k: int = 40  # 0 = off
    top_p: float = 0.95  # 1.0 = off
    min_p: float = 0.05  # 0.0 = off
    typical_p: float = 1.0  # 1.0 = off
    repetition_penalty: float = 1.1  # 1.0 = off (CTRL-style, divides positive logits)
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    seed: int | None = None  # None = random; the used seed is reported in the result
    greedy: bool = False  # argmax, ignores every other sampling knob; deterministic
    stop: tuple[str, ...] = ()  # stop sequences (not included in the output)
    banned_tokens: tuple[int, ...] = ()
    logit_bias: tuple[tuple[int, float], ...] = ()  # (token id, bias) pairs
    top_logprobs: int = 10  # alternatives reported per token for the probability view


@dataclass(frozen=True, eq=False)
class TextRequest:
    prompt: str  # the context: text before the cursor (or the instruction in chat mode)
    model_id: str = ""  # "" = the default text model from settings
    precision: str = ""  # fp32 | int8 | int4 | fp16; "" = best for the device
    sampler: SamplerParams = SamplerParams()
    memory: str = ""  # pinned text kept at the start when the context must be trimmed
    chat: bool = False  # wrap the prompt in the model's chat template (instruct mode)
    job_id: int = field(default_factory=next_job_id)


@dataclass(frozen=True, eq=False)
class ImageRequest:
    prompt: str
    negative_prompt: str = ""
    model_id: str = ""  # "" = the default image model from settings
    width: int = 0  # 0 = the model's native size
    height: int = 0
    steps: int = 0  # 0 = the model's default
    guidance: float = -1.0  # < 0 = the model's default
    seed: int | None = None  # None = random; the used seed is reported in the result
    scheduler: str = ""  # euler | euler_a | ddim | dpmpp_2m | dpmpp_2m_karras | lcm; "" = model default
    batch: int = 1
    strength: float = 0.75  # img2img / inpaint: how much of init_image is replaced
    init_image: np.ndarray | None = None  # H×W×3 uint8 (img2img, inpaint, outpaint)
    mask: np.ndarray | None = None  # H×W uint8, 255 = regenerate (inpaint)
    fast: bool = False  # the model's distilled few-step mode, if it has one
    preview_every: int = 1  # send a preview every N steps; 0 = never
    precision: str = ""  # fp32 | fp16; "" = best for the device
    job_id: int = field(default_factory=next_job_id)


@dataclass(frozen=True, eq=False)
class IterateRequest:
    """Run an ONNX graph `steps` times, feeding its first output back as its first input.

    A real, model-agnostic job: used by the foundation tests and the start-up benchmark.
    """

    model_path: str
    initial: np.ndarray
    steps: int
    job_id: int = field(default_factory=next_job_id)


Request = TextRequest | ImageRequest | IterateRequest


# ── events and results ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class RunStats:
    seconds: float = 0.0
    device: str = ""  # what really ran, e.g. "CPU, 2 threads" or "CUDA (NVIDIA H100)"
    model_id: str = ""
    prompt_tokens: int = 0
    new_tokens: int = 0
    prompt_tps: float = 0.0
    decode_tps: float = 0.0
    ttft: float = 0.0  # seconds to the first token
    steps_per_s: float = 0.0


@dataclass(frozen=True, eq=False)
class Progress:
    job_id: int
    step: int
    total: int
    rate: float = 0.0  # steps/s or tokens/s so far
    unit: str = "steps"  # "steps" | "tokens"
    preview: np.ndarray | None = None  # H×W×3 uint8, cheap approximation of the result
    message: str = ""


@dataclass(frozen=True)
class TokenInfo:
    token_id: int
    text: str  # the UTF-8-safe text this token added (may be "" until a character completes)
    logprob: float
    top: tuple[tuple[int, str, float], ...] = ()  # (token id, text, logprob) alternatives


@dataclass(frozen=True)
class TokenDelta:
    job_id: int
    index: int  # 0-based position among the new tokens
    token: TokenInfo


@dataclass(frozen=True)
class Notice:
    """Something the user should know that is not an error (a truncated prompt, an adjusted size)."""

    job_id: int
    message: str


@dataclass(frozen=True, eq=False)
class TextResult:
    job_id: int
    request: TextRequest
    text: str
    tokens: tuple[TokenInfo, ...]
    finish_reason: str  # "stop" | "length" | "cancelled"
    seed: int
    stats: RunStats = RunStats()
    notices: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class ImageResult:
    job_id: int
    request: ImageRequest
    images: tuple[np.ndarray, ...]  # H×W×3 uint8 each
    seeds: tuple[int, ...]
    stats: RunStats = RunStats()
    notices: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class IterateResult:
    job_id: int
    output: np.ndarray
    steps: int
    stats: RunStats = RunStats()


@dataclass(frozen=True)
class JobStarted:
    job_id: int
    kind: str  # "text" | "image" | "iterate"


@dataclass(frozen=True)
class JobFailed:
    job_id: int
    message: str  # one clear sentence for the user
    details: str = ""  # traceback or technical detail, shown behind "Details…"


@dataclass(frozen=True)
class JobCancelled:
    job_id: int


@dataclass(frozen=True)
class Recorded:
    """A finished job's result was written to the history store (worker thread)."""

    job_id: int
    kind: str  # "text" | "image"
    record_ids: tuple[int, ...]


Result = TextResult | ImageResult | IterateResult


# ── what an engine gets while running ───────────────────────────────────────────────────


def _ignore(_: Any) -> None:
    pass


@dataclass
class JobContext:
    """Handed to an engine for one job. Qt-free; the worker turns the callbacks into signals.

    Engines call ``ctx.cancel.check()`` between steps/tokens, ``ctx.progress(...)`` after each
    step, ``ctx.token(...)`` for each streamed token and ``ctx.notice(...)`` for non-fatal news.
    """

    job_id: int
    cancel: CancelToken
    sessions: Any  # studio.engines.runtime.SessionFactory (Any to keep this module import-light)
    on_progress: Callable[[Progress], None] = _ignore
    on_token: Callable[[TokenDelta], None] = _ignore
    on_notice: Callable[[Notice], None] = _ignore

    def progress(self, step: int, total: int, *, rate: float = 0.0, unit: str = "steps",
                 preview: np.ndarray | None = None, message: str = "") -> None:
        self.on_progress(Progress(self.job_id, step, total, rate, unit, preview, message))

    def token(self, index: int, token: TokenInfo) -> None:
        self.on_token(TokenDelta(self.job_id, index, token))

    def notice(self, message: str) -> None:
        self.on_notice(Notice(self.job_id, message))
