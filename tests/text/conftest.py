"""Tiny random-weight GGUF models (llama, qwen2) written in the test, converted once per session.

The GGUF carries a real byte-level BPE tokenizer (256 byte symbols + a few merges + chat
specials), so every path — tokenizer.json from metadata, dequantization, the ONNX graph,
streaming — runs on real data. ``hf_weights`` keeps the Hugging Face layout of the very same
(dequantized) weights for the transformers reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
MERGES = ["Ġ t", "Ġ a", "h e", "i n", "Ġt he", "e r", "o n", "Ġ s", "e n", "a t"]
CHAT_TEMPLATE = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + "
                 "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
                 "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def _byte_symbols() -> list[str]:
    from studio.engines.text.tokenizer import _byte_decoder

    return sorted(_byte_decoder(), key=lambda c: _byte_decoder()[c])


@dataclass
class Tiny:
    arch: str
    gguf: Path
    hf_weights: dict  # HF parameter name → float32 array (what the GGUF dequantizes to)
    config: dict  # HF config kwargs


def write_tiny_gguf(path: Path, arch: str = "llama", seed: int = 0, context: int = 256,
                    quant: bool = True, layers: int = 2) -> Tiny:
    import gguf

    rng = np.random.default_rng(seed)
    tokens = SPECIALS + _byte_symbols() + [m.replace(" ", "") for m in MERGES]
    types = [3] * len(SPECIALS) + [1] * (len(tokens) - len(SPECIALS))
    vocab, hidden, heads, kv, ffn = len(tokens), 64, 4, 2, 128
    hd = hidden // heads
    w = gguf.GGUFWriter(str(path), arch)
    w.add_context_length(context)
    w.add_embedding_length(hidden)
    w.add_block_count(layers)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_rope_dimension_count(hd)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2" if arch == "qwen2" else "smollm")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(MERGES)
    w.add_bos_token_id(0)
    w.add_eos_token_id(2)
    w.add_add_bos_token(False)
    w.add_chat_template(CHAT_TEMPLATE)

    hf: dict[str, np.ndarray] = {}

    def tensor(gname: str, hname: str, shape: tuple, scale: float = 0.08, qtype=None, permute_heads=0,
               offset: float = 0.0):
        a = (rng.standard_normal(shape) * scale + offset).astype(np.float32)
        if qtype is not None and quant:
            raw = gguf.quants.quantize(a, qtype)
            a = gguf.quants.dequantize(raw, qtype).reshape(shape).astype(np.float32)
        hf[hname] = a
        stored = _permute(a, permute_heads) if permute_heads else a
        if qtype is not None and quant:
            w.add_tensor(gname, gguf.quants.quantize(stored, qtype), raw_dtype=qtype)
        else:
            w.add_tensor(gname, stored)

    Q8, Q4 = gguf.GGMLQuantizationType.Q8_0, gguf.GGMLQuantizationType.Q4_0
    tensor("token_embd.weight", "model.embed_tokens.weight", (vocab, hidden), 0.5, Q8)
    for i in range(layers):
        p, h = f"blk.{i}", f"model.layers.{i}"
        perm = arch == "llama"
        tensor(f"{p}.attn_norm.weight", f"{h}.input_layernorm.weight", (hidden,), 0.1, offset=1.0)
        tensor(f"{p}.attn_q.weight", f"{h}.self_attn.q_proj.weight", (heads * hd, hidden), 0.15, Q4,
               heads if perm else 0)
        tensor(f"{p}.attn_k.weight", f"{h}.self_attn.k_proj.weight", (kv * hd, hidden), 0.15, Q8,
               kv if perm else 0)
        tensor(f"{p}.attn_v.weight", f"{h}.self_attn.v_proj.weight", (kv * hd, hidden), 0.15)
        if arch == "qwen2":
            for n, size in (("q", heads * hd), ("k", kv * hd), ("v", kv * hd)):
                tensor(f"{p}.attn_{n}.bias", f"{h}.self_attn.{n}_proj.bias", (size,), 0.2)
        tensor(f"{p}.attn_output.weight", f"{h}.self_attn.o_proj.weight", (hidden, heads * hd), 0.15, Q4)
        tensor(f"{p}.ffn_norm.weight", f"{h}.post_attention_layernorm.weight", (hidden,), 0.1, offset=1.0)
        tensor(f"{p}.ffn_gate.weight", f"{h}.mlp.gate_proj.weight", (ffn, hidden), 0.15, Q8)
        tensor(f"{p}.ffn_up.weight", f"{h}.mlp.up_proj.weight", (ffn, hidden), 0.15)
        tensor(f"{p}.ffn_down.weight", f"{h}.mlp.down_proj.weight", (hidden, ffn), 0.15, Q4)
    tensor("output_norm.weight", "model.norm.weight", (hidden,), 0.1, offset=1.0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    config = dict(vocab_size=vocab, hidden_size=hidden, intermediate_size=ffn, num_hidden_layers=layers,
                  num_attention_heads=heads, num_key_value_heads=kv, max_position_embeddings=context,
                  rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=True, head_dim=hd)
    return Tiny(arch, path, hf, config)


def _permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's convert_hf_to_gguf permutation of Q/K rows."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def hf_model(tiny: Tiny):
    """The transformers model holding the same weights (torch only in tests)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    cfg_cls, model_cls = (Qwen2Config, Qwen2ForCausalLM) if tiny.arch == "qwen2" else (LlamaConfig, LlamaForCausalLM)
    model = model_cls(cfg_cls(**tiny.config)).eval().float()
    state = {k: torch.from_numpy(v.copy()) for k, v in tiny.hf_weights.items()}
    state["lm_head.weight"] = state["model.embed_tokens.weight"]
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all("rotary" in m for m in missing), (missing, unexpected)
    return model


@pytest.fixture(scope="session")
def tiny_models(shared_cache):
    """{arch: (Tiny, converted folder with fp32/int8/int4 decoders)} built once per session."""
    from studio.models.gguf_convert import convert_gguf

    out = {}
    for arch in ("llama", "qwen2"):
        tiny = write_tiny_gguf(shared_cache / f"tiny-{arch}.gguf", arch, seed=1 if arch == "llama" else 2)
        folder = convert_gguf(tiny.gguf, shared_cache / f"tiny-{arch}", ("fp32", "int8", "int4"),
                              model_id=f"tiny-{arch}")
        out[arch] = (tiny, folder)
    return out


@pytest.fixture
def tiny_llama(tiny_models):
    return tiny_models["llama"]


@pytest.fixture(scope="session")
def hf_reference():
    """Function Tiny → transformers model with the same weights."""
    return hf_model


@pytest.fixture
def cpu_sessions():
    from studio.engines.runtime import SessionFactory

    return SessionFactory(device="cpu", threads=2)


def write_tiny_gemma3(path: Path, seed: int = 3, window: int = 8, layers: int = 6) -> Tiny:
    """A tiny Gemma 3: q/k norms, pre/post norms, GELU-tanh, scaled embeddings, sliding layers."""
    import gguf

    rng = np.random.default_rng(seed)
    tokens = SPECIALS + _byte_symbols() + [m.replace(" ", "") for m in MERGES]
    vocab, hidden, heads, kv, hd, ffn = len(tokens), 64, 4, 2, 32, 128
    w = gguf.GGUFWriter(str(path), "gemma3")
    w.add_context_length(256)
    w.add_embedding_length(hidden)
    w.add_block_count(layers)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_key_length(hd)
    w.add_value_length(hd)
    w.add_rope_freq_base(1_000_000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_sliding_window(window)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_types([3] * len(SPECIALS) + [1] * (len(tokens) - len(SPECIALS)))
    w.add_token_merges(MERGES)
    w.add_bos_token_id(0)
    w.add_eos_token_id(2)
    hf: dict[str, np.ndarray] = {}

    def tensor(gname: str, hname: str, shape: tuple, scale: float, norm: bool = False):
        a = (rng.standard_normal(shape) * scale).astype(np.float32)
        hf[hname] = a
        w.add_tensor(gname, a + 1.0 if norm else a)  # llama.cpp stores Gemma norms as 1 + w

    tensor("token_embd.weight", "model.embed_tokens.weight", (vocab, hidden), 0.1)
    for i in range(layers):
        p, h = f"blk.{i}", f"model.layers.{i}"
        for g, n, size in (("attn_norm", "input_layernorm", hidden), ("post_attention_norm", "post_attention_layernorm", hidden),
                           ("ffn_norm", "pre_feedforward_layernorm", hidden), ("post_ffw_norm", "post_feedforward_layernorm", hidden),
                           ("attn_q_norm", "self_attn.q_norm", hd), ("attn_k_norm", "self_attn.k_norm", hd)):
            tensor(f"{p}.{g}.weight", f"{h}.{n}.weight", (size,), 0.1, norm=True)
        tensor(f"{p}.attn_q.weight", f"{h}.self_attn.q_proj.weight", (heads * hd, hidden), 0.15)
        tensor(f"{p}.attn_k.weight", f"{h}.self_attn.k_proj.weight", (kv * hd, hidden), 0.15)
        tensor(f"{p}.attn_v.weight", f"{h}.self_attn.v_proj.weight", (kv * hd, hidden), 0.15)
        tensor(f"{p}.attn_output.weight", f"{h}.self_attn.o_proj.weight", (hidden, heads * hd), 0.15)
        tensor(f"{p}.ffn_gate.weight", f"{h}.mlp.gate_proj.weight", (ffn, hidden), 0.15)
        tensor(f"{p}.ffn_up.weight", f"{h}.mlp.up_proj.weight", (ffn, hidden), 0.15)
        tensor(f"{p}.ffn_down.weight", f"{h}.mlp.down_proj.weight", (hidden, ffn), 0.15)
    tensor("output_norm.weight", "model.norm.weight", (hidden,), 0.1, norm=True)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    config = dict(vocab_size=vocab, hidden_size=hidden, intermediate_size=ffn, num_hidden_layers=layers,
                  num_attention_heads=heads, num_key_value_heads=kv, head_dim=hd, query_pre_attn_scalar=hd,
                  max_position_embeddings=256, rms_norm_eps=1e-6, rope_theta=1_000_000.0,
                  rope_local_base_freq=10000.0, sliding_window=window, tie_word_embeddings=True,
                  hidden_activation="gelu_pytorch_tanh", pad_token_id=1, bos_token_id=0, eos_token_id=2)
    return Tiny("gemma3", path, hf, config)


def hf_gemma3(tiny: Tiny):
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    model = Gemma3ForCausalLM(Gemma3TextConfig(**tiny.config)).eval().float()
    state = {k: torch.from_numpy(v.copy()) for k, v in tiny.hf_weights.items()}
    state["lm_head.weight"] = state["model.embed_tokens.weight"]
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all("rotary" in m or "embed_scale" in m for m in missing), (missing, unexpected)
    return model
