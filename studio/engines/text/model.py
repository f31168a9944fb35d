"""A loaded text model: tokenizer + ONNX decoder session + the prompt's KV cache; streaming generate.

Plain Python, Qt-free; used by ``run_text_job`` (worker thread or CLI), the benchmarks and tests::

    model = TextModel.load(folder, "int4", SessionFactory(device="cpu"))
    out = model.generate("Once upon a time", SamplerParams(greedy=True, max_new_tokens=64),
                         cancel=CancelToken(), on_token=lambda i, tok: print(tok.text, end=""))
    out.text, out.finish_reason, out.tokens

The decoder follows the Hugging Face Optimum I/O names (``input_ids``, ``attention_mask``,
``position_ids``, ``past_key_values.N.key/value`` → ``logits``, ``present.N.key/value``), so a
folder exported by Optimum runs the same way as one converted from GGUF.

The KV cache of the last request stays in the model: a new request that starts with the same
tokens (retry, alternatives, continuing the draft) only processes the tokens after the shared
prefix, and an identical prompt reuses its final logits without running the model at all.
Worker thread only: a model and its sessions live on the thread that created them.

Why our own loop and not onnxruntime-genai's: on the very same int4 graph (a genai_config.json
maps the Optimum names), benchmarks/text_decode.py measured decode at 24.6 tok/s / 19.8 CPU-ms per
token for our loop vs 19.1 tok/s / 29.1 CPU-ms for genai (2 threads, load ~5), and 52.4 vs
42.5 tok/s with 1 thread. genai also lacks what the Writing workspace needs: per-token top-k
log-probabilities after our sampler chain (min-p, typical-p, presence/frequency penalties, logit
bias, stop sequences held back while streaming) and prefix reuse of the KV cache across requests.
The per-token Python cost stays small (the KV cache stays in OrtValues, never copied to numpy).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from studio.engines.text.sampler import Sampler, log_softmax, top_logprobs
from studio.engines.text.tokenizer import TextTokenizer
from studio.jobs import CancelToken, SamplerParams, TokenInfo, UserError

PREFILL_CHUNK = 256  # prompt tokens per run: bounds attention memory and lets cancel act
CPU_ORDER = ("int4", "int8", "fp32", "fp16")
GPU_ORDER = ("fp16", "fp32", "int4", "int8")
# ONNX Runtime thread spinning for text sessions: off. benchmarks/text_decode.py --spin both on
# the shared 2-core box (load ~5): int4 decode 24.6 tok/s without spinning, 14.7 tok/s with it
# (34 vs 20 CPU-ms per token), and a desktop app must leave CPU to its own UI thread.
SPIN = False

OnToken = Callable[[int, TokenInfo], None]
ProgressFn = Callable[[str, int, int], None]


@dataclass
class Generation:
    """What one generate() call produced (the engine-level twin of ``TextResult``)."""

    text: str
    tokens: list[TokenInfo]
    finish_reason: str  # "stop" | "length" | "cancelled"
    seed: int
    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens whose KV cache came from the previous request
    new_tokens: int = 0
    prompt_tps: float = 0.0
    decode_tps: float = 0.0
    ttft: float = 0.0
    seconds: float = 0.0
    notices: list[str] = field(default_factory=list)


@dataclass
class _Cache:
    ids: list[int]  # tokens whose keys/values `past` holds
    past: list  # OrtValues, one per past input
    logits: dict[int, np.ndarray]  # prefix length → next-token logits after that prefix


class TextModel:
    def __init__(self, folder: Path, session, tokenizer: TextTokenizer, manifest: dict,
                 precision: str, device: str = "") -> None:
        self.folder = folder
        self.session = session
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.precision = precision
        self.device = device
        self._io = _DecoderIO(session, folder, manifest)
        top = max(tokenizer.tok.get_vocab(with_added_tokens=True).values(), default=-1)
        if self._io.vocab and top >= self._io.vocab:  # else the first prompt fails deep in ORT
            raise UserError(f"The tokenizer of {folder.name} does not match its model: it uses token "
                            f"ids up to {top} but the model knows only {self._io.vocab}.")
        ctx = int(manifest.get("context") or manifest.get("config", {}).get("context") or 2048)
        self.context = max(16, min(ctx, 32768))
        self._cache: _Cache | None = None

    # ── loading ──
    @classmethod
    def load(cls, folder: Path, precision: str = "", sessions=None, progress: ProgressFn | None = None,
             spin: bool = SPIN, threads: int = 0) -> "TextModel":
        """Open the model in `folder` at `precision` ("" = best for the device).

        A precision the folder lacks is converted from its ``source.gguf`` first (with progress).
        """
        from studio.engines.runtime import SessionFactory
        from studio.models.registry import read_manifest

        folder = Path(folder)
        sessions = sessions or SessionFactory()
        manifest = read_manifest(folder)
        if manifest.get("kind") != "text":
            raise UserError(f"{manifest.get('name', folder.name)} is not a text model.")
        tokenizer = TextTokenizer(folder)
        precision = precision or _best_precision(manifest, folder, sessions.on_gpu)
        path = _decoder_path(folder, manifest, precision, progress)
        try:
            session = sessions.create(path, spin=spin, threads=threads)
        except Exception as exc:  # noqa: BLE001 - a broken graph is the user's file, say so
            if "CUDA" in str(exc) or "cuda" in str(exc):
                raise
            raise UserError(f"The model file {path.name} cannot be loaded: "
                            f"{str(exc).splitlines()[0][:200]}") from exc
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return cls(folder, session, tokenizer, manifest, precision, sessions.report().label)

    # ── prompt ──
    def prepare(self, prompt: str, memory: str = "", chat: bool = False,
                max_new_tokens: int = 128) -> tuple[list[int], list[str]]:
        """Token ids for the request, trimmed from the start of `prompt` (never `memory`) to fit.

        Plain mode: BOS? + memory + prompt. Chat mode: the chat template around the prompt, with
        memory as the system message.
        """
        if not prompt.strip() and not (memory.strip() and not chat):
            raise UserError("The prompt is empty: write some text for the model to continue.")
        tok = self.tokenizer
        if chat:
            before, after = tok.chat_parts(memory)
            head, body, tail = tok.encode(before), tok.encode(prompt), tok.encode(after)
            if tok.add_bos and not before.startswith(tok.config.get("bos_token") or "\0"):
                head = tok.with_bos(head)
        else:
            head, body, tail = tok.with_bos(tok.encode(memory)), tok.encode(prompt), []
        notices: list[str] = []
        reserve = min(max(1, max_new_tokens), self.context // 2)
        budget = self.context - reserve - len(head) - len(tail)
        if budget < 1:
            raise UserError(f"The memory block is too long for this model's context of "
                            f"{self.context} tokens; shorten it.")
        if len(body) > budget:
            cut = len(body) - budget
            body = body[cut:]
            kept = " (the memory block was kept)" if memory else ""
            notices.append(f"The text is longer than the model can read at once ({self.context} "
                           f"tokens); its first {cut} tokens were left out{kept}.")
        return head + body + tail, notices

    # ── generation ──
    def generate(self, prompt: str | list[int], params: SamplerParams = SamplerParams(),
                 cancel: CancelToken | None = None, on_token: OnToken | None = None,
                 memory: str = "", chat: bool = False) -> Generation:
        """Stream new tokens for `prompt` (text, or token ids used as is). Cancel between tokens."""
        t0 = time.perf_counter()
        cancel = cancel or CancelToken()
        if isinstance(prompt, str):
            ids, notices = self.prepare(prompt, memory, chat, params.max_new_tokens)
        else:
            ids, notices = list(prompt), []
            if not ids:
                raise UserError("The prompt is empty: write some text for the model to continue.")
            if len(ids) >= self.context:
                raise UserError(f"The prompt has {len(ids)} tokens; this model reads at most {self.context}.")
        max_new = max(0, min(params.max_new_tokens, self.context - len(ids)))
        sampler = Sampler(params, self._io.vocab or self.tokenizer.vocab_size, ids)
        run_options = cancel.run_options()
        out = Generation("", [], "length", sampler.seed, prompt_tokens=len(ids), notices=notices)
        try:
            logits, past, reused = self._prefill(ids, cancel, run_options)
        except _Aborted:
            out.finish_reason = "cancelled"
            out.seconds = time.perf_counter() - t0
            return out
        t_prompt = time.perf_counter()
        out.reused_tokens = reused
        processed = len(ids) - reused
        out.prompt_tps = processed / (t_prompt - t0) if processed and t_prompt > t0 else 0.0
        fed = list(ids)
        stream = self.tokenizer.stream()
        stops = _StopFilter(params.stop, lambda tok: _emit(out, tok, on_token))
        eos = self.tokenizer.eos_ids
        t_first = 0.0
        for n in range(max_new):
            if cancel.cancelled:
                out.finish_reason = "cancelled"
                break
            x = sampler.adjust(logits)
            tid = sampler.choose(x)
            if not t_first:
                t_first = time.perf_counter()
            if tid in eos:
                out.finish_reason = "stop"
                break
            sampler.accept(tid)
            lp = log_softmax(x)
            top = tuple((i, self.tokenizer.piece(i), v) for i, v in top_logprobs(lp, params.top_logprobs))
            info = TokenInfo(tid, stream.feed(tid), float(lp[tid]), top)
            out.new_tokens += 1
            if stops.push(info):
                out.finish_reason = "stop"
                break
            if n + 1 == max_new:
                break  # the model need not run for a token nobody will read
            try:
                logits, past = self._run([tid], past, len(fed), run_options)
            except _Aborted:
                out.finish_reason = "cancelled"
                break
            fed.append(tid)
        stops.flush()
        t_end = time.perf_counter()
        out.ttft = (t_first or t_end) - t0
        if out.new_tokens > 1 and t_first:
            out.decode_tps = (out.new_tokens - 1) / max(t_end - t_first, 1e-9)
        out.seconds = t_end - t0
        if past is not None:
            self._cache.ids, self._cache.past = fed, past  # type: ignore[union-attr]
        return out

    def logits(self, ids: list[int]) -> np.ndarray:
        """Next-token logits for every position of `ids` [len(ids), vocab] (tests, parity)."""
        past = self._io.empty_past()
        rows = []
        for start in range(0, len(ids), PREFILL_CHUNK):
            chunk = ids[start:start + PREFILL_CHUNK]
            lg, past = self._io.run(chunk, past, start, None, last_only=False)
            rows.append(lg)
        return np.concatenate(rows, axis=0)

    def forget(self) -> None:
        """Drop the cached prompt state (e.g. when memory is tight)."""
        self._cache = None

    # ── internals ──
    def _prefill(self, ids: list[int], cancel: CancelToken, run_options):
        """(logits after `ids`, past for `ids`, tokens reused from the previous request)."""
        cache = self._cache
        n = _common_prefix(cache.ids, ids) if cache else 0
        if cache and n == len(ids) and n in cache.logits:
            past = self._io.slice_past(cache.past, n) if n < len(cache.ids) else cache.past
            self._cache = _Cache(ids[:n], past, {n: cache.logits[n]})
            return cache.logits[n], past, n
        if n == len(ids):
            n -= 1  # the last prompt token must run to produce logits
        past = self._io.slice_past(cache.past, n) if cache and n > 0 else self._io.empty_past()
        logits = None
        for start in range(n, len(ids), PREFILL_CHUNK):
            if cancel.cancelled:
                raise _Aborted()
            logits, past = self._run(ids[start:start + PREFILL_CHUNK], past, start, run_options)
        self._cache = _Cache(list(ids), past, {len(ids): logits})
        return logits, past, n

    def _run(self, ids: list[int], past, start: int, run_options):
        try:
            return self._io.run(ids, past, start, run_options)
        except Exception:
            if run_options is not None and run_options.terminate:
                raise _Aborted() from None
            raise


class _Aborted(Exception):
    pass


def _emit(out: Generation, tok: TokenInfo, on_token: OnToken | None) -> None:
    index = len(out.tokens)
    out.tokens.append(tok)
    out.text += tok.text
    if on_token is not None:
        on_token(index, tok)


class _DecoderIO:
    """Feeds one Optimum-style decoder session; keeps the KV cache as OrtValues (no copies)."""

    def __init__(self, session, folder: Path, manifest: dict) -> None:
        ins = {i.name: i for i in session.get_inputs()}
        outs = [o.name for o in session.get_outputs()]
        self.session = session
        if "input_ids" not in ins or "logits" not in outs:
            raise UserError(f"{folder.name} is not a text decoder (it lacks input_ids or logits).")
        self.past_names = [n for n in ins if n.startswith("past_key_values.")]
        self.present_names = [n.replace("past_key_values.", "present.") for n in self.past_names]
        missing = [n for n in self.present_names if n not in outs]
        if missing or not self.past_names:
            raise UserError(f"{folder.name} has no KV cache (past_key_values/present); export it "
                            "with a cache (Optimum: task text-generation-with-past).")
        self.out_names = ["logits", *self.present_names]
        self.has_mask = "attention_mask" in ins
        self.has_positions = "position_ids" in ins
        self.has_branch = "use_cache_branch" in ins  # older Optimum "merged" decoders
        first = ins[self.past_names[0]]
        self.kv_dtype = np.float16 if "float16" in first.type else np.float32
        cfg = manifest.get("config") or _hf_config(folder)
        shape = first.shape
        heads = shape[1] if isinstance(shape[1], int) else cfg.get("kv_heads") or \
            cfg.get("num_key_value_heads") or cfg.get("num_attention_heads")
        dim = shape[3] if isinstance(shape[3], int) else cfg.get("head_dim") or \
            (cfg.get("hidden_size", 0) // max(1, cfg.get("num_attention_heads", 1)))
        if not heads or not dim:
            raise UserError(f"{folder.name} does not say its KV-cache shape (config.json is missing).")
        self.kv_heads, self.head_dim = int(heads), int(dim)
        lshape = session.get_outputs()[outs.index("logits")].shape
        self.vocab = lshape[-1] if isinstance(lshape[-1], int) else 0

    def empty_past(self) -> list:
        from onnxruntime import OrtValue

        z = np.zeros((1, self.kv_heads, 0, self.head_dim), self.kv_dtype)
        return [OrtValue.ortvalue_from_numpy(z) for _ in self.past_names]

    def slice_past(self, past: list, n: int) -> list:
        from onnxruntime import OrtValue

        return [OrtValue.ortvalue_from_numpy(np.ascontiguousarray(v.numpy()[:, :, :n])) for v in past]

    def run(self, ids: list[int], past: list, start: int, run_options, last_only: bool = True):
        from onnxruntime import OrtValue

        s = len(ids)
        feeds = {"input_ids": OrtValue.ortvalue_from_numpy(np.array([ids], np.int64))}
        if self.has_mask:
            feeds["attention_mask"] = OrtValue.ortvalue_from_numpy(np.ones((1, start + s), np.int64))
        if self.has_positions:
            feeds["position_ids"] = OrtValue.ortvalue_from_numpy(
                np.arange(start, start + s, dtype=np.int64)[None])
        if self.has_branch:
            feeds["use_cache_branch"] = OrtValue.ortvalue_from_numpy(np.array([start > 0]))
        feeds.update(zip(self.past_names, past))
        res = self.session.run_with_ort_values(self.out_names, feeds, run_options)
        logits = res[0].numpy()[0]
        return (logits[-1] if last_only else logits), list(res[1:])


class _StopFilter:
    """Holds back tokens whose text could begin a stop sequence; cuts the output at one.

    The emitted tokens' texts always concatenate to the final text (no stop sequence in it).
    """

    def __init__(self, stops: tuple[str, ...], emit: Callable[[TokenInfo], None]) -> None:
        self.stops = [s for s in stops if s]
        self.emit = emit
        self.queue: list[TokenInfo] = []

    def push(self, tok: TokenInfo) -> bool:
        """Add a token; True when a stop sequence is complete (output ends before it)."""
        if not self.stops:
            self.emit(tok)
            return False
        self.queue.append(tok)
        pending = "".join(t.text for t in self.queue)
        hits = [i for i in (pending.find(s) for s in self.stops) if i >= 0]
        if hits:
            self._release(min(hits), cut=True)
            return True
        hold = 0
        for k in range(1, len(pending) + 1):
            tail = pending[-k:]
            if any(s.startswith(tail) for s in self.stops):
                hold = k
        self._release(len(pending) - hold, cut=False)
        return False

    def _release(self, chars: int, cut: bool) -> None:
        """Emit queued tokens covering the first `chars` characters of the pending text."""
        done = 0
        while self.queue:
            tok = self.queue[0]
            if done + len(tok.text) <= chars:
                if cut and not tok.text and done == chars:
                    break  # an unfinished character at the cut belongs to the stop sequence
                self.emit(self.queue.pop(0))
                done += len(tok.text)
                continue
            if cut and done < chars:  # a token straddling the stop keeps its part before it
                t = self.queue.pop(0)
                self.emit(TokenInfo(t.token_id, t.text[: chars - done], t.logprob, t.top))
            break
        if cut:
            self.queue.clear()

    def flush(self) -> None:
        while self.queue:
            self.emit(self.queue.pop(0))


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _best_precision(manifest: dict, folder: Path, on_gpu: bool) -> str:
    formats = manifest.get("formats", {})
    order = GPU_ORDER if on_gpu else CPU_ORDER
    if on_gpu and (folder / "source.gguf").is_file():
        return "fp16"  # GroupQueryAttention runs on CUDA in fp16 only; built on first use
    for p in order:
        if p in formats:
            return p
    if (folder / "source.gguf").is_file():
        return order[0]
    raise UserError(f"{manifest.get('name', folder.name)} has no ONNX decoder file.")


def _decoder_path(folder: Path, manifest: dict, precision: str, progress: ProgressFn | None) -> Path:
    formats = manifest.get("formats", {})
    if precision in formats and (folder / formats[precision]).is_file():
        return folder / formats[precision]
    from studio.models.gguf_convert import ensure_precision

    return ensure_precision(folder, precision, progress)


def _hf_config(folder: Path) -> dict:
    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
