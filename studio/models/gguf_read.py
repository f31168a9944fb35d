"""Read a GGUF language model: hyper-parameters, tokenizer metadata and float32 weights.

Torch-free (numpy + the ``gguf`` package). Every tensor type ``gguf.quants`` can dequantize
(F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K…Q6_K, IQ*) comes out as float32 in the
Hugging Face layout ``[out_features, in_features]``. Llama Q/K rows are un-permuted (llama.cpp's
converter interleaves them for its rotary kernel) so the weights equal the original checkpoint.

Errors a user can cause (a truncated file, an unsupported architecture) raise ``UserError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from studio.jobs import UserError

SUPPORTED_ARCHS = ("llama", "qwen2", "gemma3")


@dataclass(frozen=True)
class DecoderConfig:
    """What the ONNX graph builder needs to know about a decoder-only transformer."""

    arch: str  # llama | qwen2 | gemma3
    vocab_size: int
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    context: int  # trained context length
    rope_theta: float
    rms_eps: float
    tied_embeddings: bool
    attn_bias: bool = False  # qwen2: q/k/v projections carry a bias
    # gemma3 only
    rope_local_theta: float = 10000.0
    sliding_window: int = 0  # 0 = every layer global
    sliding_pattern: int = 0  # every Nth layer is global (gemma3: 6)
    query_scale: float = 0.0  # 0 = 1/sqrt(head_dim)
    embed_scale: float = 1.0
    activation: str = "silu"  # silu | gelu_tanh

    def is_global(self, layer: int) -> bool:
        if not self.sliding_window or not self.sliding_pattern:
            return True
        return (layer + 1) % self.sliding_pattern == 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class TokenizerMeta:
    model: str  # "gpt2" (byte-level BPE) | "llama" (SentencePiece)
    pre: str  # llama.cpp pre-tokenizer name ("smollm", "qwen2", "default", …)
    tokens: list[str]
    types: list[int]  # 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
    merges: list[str]
    scores: list[float]
    bos_id: int | None
    eos_id: int | None
    unk_id: int | None
    pad_id: int | None
    add_bos: bool
    add_space_prefix: bool
    chat_template: str
    eot_ids: list[int] = field(default_factory=list)  # extra end-of-turn tokens


class GGUFModel:
    """An opened GGUF file. ``tensors()`` dequantizes lazily, one tensor at a time."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._reader = _open(self.path)
        self.meta = {k: _field_value(f) for k, f in self._reader.fields.items()
                     if not k.startswith("tokenizer.ggml.")}
        self.arch = str(self.meta.get("general.architecture", "?"))
        if self.arch not in SUPPORTED_ARCHS:
            raise UserError(f"{self.path.name} is a '{self.arch}' model; Studio supports "
                            f"{', '.join(SUPPORTED_ARCHS)}.")
        self._by_name = {t.name: t for t in self._reader.tensors}
        self.config = self._config()

    # ── metadata ──
    def _get(self, key: str, default: Any = None) -> Any:
        return self.meta.get(f"{self.arch}.{key}", default)

    def _config(self) -> DecoderConfig:
        a = self.arch
        try:
            hidden = int(self._get("embedding_length"))
            heads = int(self._get("attention.head_count"))
            kv = self._get("attention.head_count_kv", heads)
            kv = int(kv[0] if isinstance(kv, list) else kv)
            head_dim = int(self._get("attention.key_length", hidden // heads))
            emb = self._by_name["token_embd.weight"]
        except (TypeError, KeyError) as exc:
            raise UserError(f"{self.path.name} lacks the model description ({exc}); "
                            "the file is incomplete or not a language model.") from None
        vocab = int(emb.shape[1]) if len(emb.shape) > 1 else int(self._get("vocab_size"))
        common = dict(
            arch=a, vocab_size=vocab, hidden=hidden, layers=int(self._get("block_count")),
            heads=heads, kv_heads=kv, head_dim=head_dim, ffn=int(self._get("feed_forward_length")),
            context=int(self._get("context_length", 2048)),
            rope_theta=float(self._get("rope.freq_base", 10000.0)),
            rms_eps=float(self._get("attention.layer_norm_rms_epsilon", 1e-6)),
            tied_embeddings="output.weight" not in self._by_name,
        )
        if a == "qwen2":
            common["attn_bias"] = "blk.0.attn_q.bias" in self._by_name
        if a == "gemma3":
            common.update(
                rope_theta=float(self._get("rope.freq_base", 1_000_000.0)),
                sliding_window=int(self._get("attention.sliding_window", 512)),
                sliding_pattern=_pattern(self._get("attention.sliding_window_pattern", 6)),
                rope_local_theta=float(self._get("rope.freq_base_swa", 10000.0)),
                query_scale=float(head_dim) ** -0.5, embed_scale=float(hidden) ** 0.5,
                activation="gelu_tanh",
            )
        return DecoderConfig(**common)

    def tokenizer_meta(self) -> TokenizerMeta:
        f = self._reader.fields

        def arr(key: str) -> list:
            return list(_field_value(f[key])) if key in f else []

        def scalar(key: str, default: Any = None) -> Any:
            return _field_value(f[key]) if key in f else default

        if "tokenizer.ggml.tokens" not in f:
            raise UserError(f"{self.path.name} has no tokenizer inside; Studio needs a GGUF "
                            "that carries its vocabulary.")
        tokens = arr("tokenizer.ggml.tokens")
        return TokenizerMeta(
            model=str(scalar("tokenizer.ggml.model", "gpt2")), pre=str(scalar("tokenizer.ggml.pre", "default")),
            tokens=tokens, types=[int(t) for t in arr("tokenizer.ggml.token_type")] or [1] * len(tokens),
            merges=arr("tokenizer.ggml.merges"), scores=[float(s) for s in arr("tokenizer.ggml.scores")],
            bos_id=scalar("tokenizer.ggml.bos_token_id"), eos_id=scalar("tokenizer.ggml.eos_token_id"),
            unk_id=scalar("tokenizer.ggml.unknown_token_id"), pad_id=scalar("tokenizer.ggml.padding_token_id"),
            add_bos=bool(scalar("tokenizer.ggml.add_bos_token", self.arch == "gemma3")),
            add_space_prefix=bool(scalar("tokenizer.ggml.add_space_prefix", False)),
            chat_template=str(scalar("tokenizer.chat_template", "")),
            eot_ids=[int(x) for x in [scalar("tokenizer.ggml.eot_token_id")] if x is not None],
        )

    # ── weights ──
    def tensor(self, name: str) -> np.ndarray:
        """One tensor as float32 in the Hugging Face layout (``[out, in]`` for matrices)."""
        import gguf

        t = self._by_name.get(name)
        if t is None:
            raise UserError(f"{self.path.name} lacks the tensor {name}; the file is incomplete.")
        qtype = t.tensor_type
        try:
            if qtype in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
                w = np.asarray(t.data, dtype=np.float32)
            else:
                w = gguf.quants.dequantize(np.asarray(t.data), qtype).astype(np.float32, copy=False)
        except NotImplementedError:
            raise UserError(f"{self.path.name} uses the {qtype.name} format, which Studio cannot "
                            "read yet; use a file quantized as Q4_K, Q6_K, Q8_0 or F16.") from None
        w = w.reshape([int(d) for d in reversed(t.shape)])
        if self.arch == "llama" and name.endswith(("attn_q.weight", "attn_k.weight")):
            n = self.config.heads if "attn_q" in name else self.config.kv_heads
            w = _unpermute(w, n)
        return w

    def has(self, name: str) -> bool:
        return name in self._by_name

    def tensor_names(self) -> Iterator[str]:
        return iter(self._by_name)


def _pattern(value: Any) -> int:
    """Gemma 3 marks every Nth layer global; newer GGUFs store a per-layer bool list instead."""
    if isinstance(value, list) and value:
        sliding = [bool(v) for v in value]
        return next((i + 1 for i, v in enumerate(sliding) if not v), 6)
    return int(value or 6)


def _unpermute(w: np.ndarray, n_head: int) -> np.ndarray:
    """Undo llama.cpp's Q/K row permutation (interleaved rotary pairs → rotate-half halves)."""
    dim = w.shape[0] // n_head // 2
    return w.reshape(n_head, dim, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _open(path: Path):
    import gguf

    if not path.is_file():
        raise UserError(f"{path} does not exist.")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise UserError(f"{path.name} cannot be read: {exc.strerror or exc}.") from None
    if magic != b"GGUF":
        raise UserError(f"{path.name} is not a GGUF file.")
    try:
        return gguf.GGUFReader(str(path))
    except Exception as exc:  # noqa: BLE001 - the reader raises many kinds on damaged files
        raise UserError(f"{path.name} is damaged or incomplete (it could not be read: "
                        f"{str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__}).") from None


def _field_value(f: Any) -> Any:
    try:
        return f.contents()
    except Exception:  # noqa: BLE001 - odd metadata is skipped, not fatal
        return None
