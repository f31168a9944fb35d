"""Build an ONNX decoder with KV cache straight from float32 weights (``onnx.helper`` + numpy).

No torch: the graph uses ONNX Runtime's fused contrib ops, as onnxruntime-genai's model builder
does — ``SimplifiedLayerNormalization`` / ``SkipSimplifiedLayerNormalization`` (RMSNorm + residual),
``GroupQueryAttention`` (causal attention, rotary embedding and the KV-cache append in one kernel)
and, for int4/int8, ``MatMulNBits`` (block-quantized weights, int8 dot products on CPU).

Inputs and outputs carry the Hugging Face Optimum names, so an Optimum-exported folder and ours
are driven by the same loop::

    input_ids [B,S] int64, attention_mask [B,T] int64, position_ids [B,S] int64,
    past_key_values.N.key / .value [B,kv_heads,P,head_dim]
    → logits [B,S,vocab] float32, present.N.key / .value [B,kv_heads,T,head_dim]

Weights are named by their GGUF tensor names (``blk.N.attn_q.weight``) and fetched through a
callback, so only one dequantized tensor at a time is alive besides the graph being built.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from studio.models.gguf_quant import quantize
from studio.models.gguf_read import DecoderConfig

PRECISIONS = ("fp32", "int8", "int4", "fp16")
MS = "com.microsoft"
BLOCK = 32
# MatMulNBits accuracy level 4 = int8 activations × int4/int8 weights (AVX2/AVX-512 VNNI kernels).
ACCURACY_LEVEL = 4

WeightFn = Callable[[str], np.ndarray]


class _Graph:
    """Accumulates nodes and initializers; names are unique by construction."""

    def __init__(self, fdtype: int) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.fdtype = fdtype
        self.np_float = np.float16 if fdtype == TensorProto.FLOAT16 else np.float32

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def fweight(self, name: str, array: np.ndarray) -> str:
        return self.init(name, array.astype(self.np_float))

    def node(self, op: str, inputs: list[str], outputs: list[str] | int = 1, domain: str = "",
             name: str = "", **attrs) -> list[str]:
        if isinstance(outputs, int):
            base = name or f"{op}_{len(self.nodes)}"
            outputs = [f"{base}/out{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name or outputs[0],
                                           domain=domain or None, **attrs))
        return outputs

    def one(self, op: str, inputs: list[str], domain: str = "", name: str = "", **attrs) -> str:
        return self.node(op, inputs, 1, domain, name, **attrs)[0]


def build_decoder(cfg: DecoderConfig, weight: WeightFn, precision: str = "fp32",
                  max_positions: int = 0, progress: Callable[[int, int], None] | None = None
                  ) -> onnx.ModelProto:
    """The ONNX decoder for `cfg` with weights from `weight(gguf_name)` at `precision`."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}")
    fdt = TensorProto.FLOAT16 if precision == "fp16" else TensorProto.FLOAT
    g = _Graph(fdt)
    bits = {"int4": 4, "int8": 8}.get(precision, 0)
    # The embedding table / LM head stay at 8 bits even in int4 models (llama.cpp keeps them
    # Q8_0 too): at 4 bits SmolLM2's greedy top-1 agreement with fp32 fell from ~0.96 to ~0.62.
    head_bits = 8 if bits else 0
    positions = max_positions or min(cfg.context, 32768)

    def linear(x: str, wname: str, w: np.ndarray, bias: np.ndarray | None = None,
               nbits: int | None = None) -> str:
        """x @ w.T (+ bias), w in [out, in]."""
        nbits = bits if nbits is None else nbits
        if nbits:
            q = quantize(w, nbits, BLOCK)
            ins = [x, g.init(wname + ".q", q.packed), g.fweight(wname + ".scales", q.scales),
                   g.init(wname + ".zp", q.zero_points)]
            if bias is not None:
                ins += ["", g.fweight(wname + ".bias", bias)]
            return g.one("MatMulNBits", ins, MS, name=wname + "/MatMulNBits", K=q.k, N=q.n,
                         bits=nbits, block_size=BLOCK, accuracy_level=ACCURACY_LEVEL)
        y = g.one("MatMul", [x, g.fweight(wname, w.T)], name=wname + "/MatMul")
        if bias is not None:
            y = g.one("Add", [y, g.fweight(wname + ".bias", bias)], name=wname + "/Add")
        return y

    # ── inputs ──
    kv_shape = ["batch_size", cfg.kv_heads, "past_sequence_length", cfg.head_dim]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
        helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                             ["batch_size", "sequence_length", cfg.vocab_size])]
    for i in range(cfg.layers):
        for kind in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", fdt, kv_shape))
            outputs.append(helper.make_tensor_value_info(
                f"present.{i}.{kind}", fdt,
                ["batch_size", cfg.kv_heads, "total_sequence_length", cfg.head_dim]))

    # ── attention bookkeeping shared by all layers: seqlens_k = sum(mask) - 1, total length ──
    g.init("one_i64", np.array([1], np.int64))
    msum = g.one("ReduceSum", ["attention_mask", "one_i64"], name="mask/ReduceSum", keepdims=0)
    seqlens = g.one("Cast", [g.one("Sub", [msum, "one_i64"], name="mask/Sub")], name="seqlens_k",
                    to=TensorProto.INT32)
    tshape = g.one("Shape", ["attention_mask"], name="mask/Shape", start=1, end=2)
    total = g.one("Cast", [g.one("Squeeze", [tshape], name="mask/Squeeze")], name="total_seq_len",
                  to=TensorProto.INT32)

    def rope_cache(theta: float, tag: str) -> tuple[str, str]:
        inv = 1.0 / (theta ** (np.arange(0, cfg.head_dim, 2, dtype=np.float64) / cfg.head_dim))
        ang = np.outer(np.arange(positions, dtype=np.float64), inv)
        return g.fweight(f"cos_cache{tag}", np.cos(ang)), g.fweight(f"sin_cache{tag}", np.sin(ang))

    cos_g, sin_g = rope_cache(cfg.rope_theta, "")
    cos_l, sin_l = rope_cache(cfg.rope_local_theta, "_local") if cfg.sliding_window else (cos_g, sin_g)

    # ── embedding (int4/int8: a block-quantized table read by GatherBlockQuantized) ──
    emb = weight("token_embd.weight")
    if head_bits:
        qe = quantize(emb, head_bits, BLOCK)
        nb = qe.packed.shape[1]
        x = g.one("GatherBlockQuantized", [
            g.init("token_embd.q", qe.packed.reshape(qe.n, -1)), "input_ids",
            g.fweight("token_embd.scales", qe.scales.reshape(qe.n, nb)),
            g.init("token_embd.zp", qe.zero_points.reshape(qe.n, -1))], MS, name="embed/Gather",
            bits=head_bits, block_size=BLOCK, gather_axis=0, quantize_axis=1)
        emb_name = ""
    else:
        emb_name = g.fweight("token_embd.weight", emb)
        x = g.one("Gather", [emb_name, "input_ids"], name="embed/Gather")
    if cfg.embed_scale != 1.0:
        x = g.one("Mul", [x, g.fweight("embed_scale", np.array(cfg.embed_scale))], name="embed/Scale")
    eps = float(cfg.rms_eps)
    h = g.one("SimplifiedLayerNormalization", [x, g.fweight("blk.0.attn_norm.weight",
                                                            weight("blk.0.attn_norm.weight"))],
              name="blk.0/attn_norm", epsilon=eps, axis=-1, stash_type=1)
    residual = x
    gemma = cfg.arch == "gemma3"

    for i in range(cfg.layers):
        p = f"blk.{i}"
        # ── attention ──
        bias = None
        if cfg.attn_bias:
            bias = np.concatenate([weight(f"{p}.attn_q.bias"), weight(f"{p}.attn_k.bias"),
                                   weight(f"{p}.attn_v.bias")])
        qkv_w = np.concatenate([weight(f"{p}.attn_q.weight"), weight(f"{p}.attn_k.weight"),
                                weight(f"{p}.attn_v.weight")])
        qkv = linear(h, f"{p}.attn_qkv.weight", qkv_w, bias)
        local = not cfg.is_global(i)
        cos, sin = (cos_l, sin_l) if local else (cos_g, sin_g)
        attrs = dict(num_heads=cfg.heads, kv_num_heads=cfg.kv_heads,
                     local_window_size=cfg.sliding_window if local else -1)
        if cfg.query_scale:
            attrs["scale"] = float(cfg.query_scale)
        past = [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present = [f"{p}/attn_out", f"present.{i}.key", f"present.{i}.value"]
        if gemma:  # per-head RMSNorm on q and k comes before the rotary embedding
            q, k, v = _split_qkv(g, p, qkv, cfg)
            q = _head_norm(g, q, cfg.heads, cfg, g.fweight(f"{p}.attn_q_norm.weight", weight(f"{p}.attn_q_norm.weight")), f"{p}/q_norm")
            k = _head_norm(g, k, cfg.kv_heads, cfg, g.fweight(f"{p}.attn_k_norm.weight", weight(f"{p}.attn_k_norm.weight")), f"{p}/k_norm")
            q = g.one("RotaryEmbedding", [q, "position_ids", cos, sin], MS, name=f"{p}/q_rotary",
                      num_heads=cfg.heads, interleaved=0)
            k = g.one("RotaryEmbedding", [k, "position_ids", cos, sin], MS, name=f"{p}/k_rotary",
                      num_heads=cfg.kv_heads, interleaved=0)
            g.node("GroupQueryAttention", [q, k, v, *past, seqlens, total], present, MS,
                   name=f"{p}/GroupQueryAttention", do_rotary=0, **attrs)
        else:
            g.node("GroupQueryAttention", [qkv, "", "", *past, seqlens, total, cos, sin, "position_ids"],
                   present, MS, name=f"{p}/GroupQueryAttention", do_rotary=1, rotary_interleaved=0,
                   **attrs)
        attn = linear(present[0], f"{p}.attn_output.weight", weight(f"{p}.attn_output.weight"))
        if gemma:
            attn = _rms(g, attn, weight(f"{p}.post_attention_norm.weight"), f"{p}.post_attention_norm.weight", eps)
        h, residual = _skip_norm(g, attn, residual, weight(f"{p}.ffn_norm.weight"), f"{p}.ffn_norm.weight", eps)
        # ── MLP: down(act(gate(h)) * up(h)) ──
        gate = linear(h, f"{p}.ffn_gate.weight", weight(f"{p}.ffn_gate.weight"))
        up = linear(h, f"{p}.ffn_up.weight", weight(f"{p}.ffn_up.weight"))
        if cfg.activation == "gelu_tanh":
            act = g.one("FastGelu", [gate], MS, name=f"{p}/FastGelu")
        else:
            act = g.one("Mul", [gate, g.one("Sigmoid", [gate], name=f"{p}/Sigmoid")], name=f"{p}/SiLU")
        mlp = linear(g.one("Mul", [act, up], name=f"{p}/GateUp"), f"{p}.ffn_down.weight",
                     weight(f"{p}.ffn_down.weight"))
        if gemma:
            mlp = _rms(g, mlp, weight(f"{p}.post_ffw_norm.weight"), f"{p}.post_ffw_norm.weight", eps)
        nxt = f"blk.{i + 1}.attn_norm.weight" if i + 1 < cfg.layers else "output_norm.weight"
        h, residual = _skip_norm(g, mlp, residual, weight(nxt), nxt, eps)
        if progress:
            progress(i + 1, cfg.layers)

    # ── LM head (tied embeddings reuse the table: Gemm with transB, no transposed copy) ──
    if cfg.tied_embeddings and not bits:
        flat = g.one("Reshape", [h, g.init("flat_shape", np.array([-1, cfg.hidden], np.int64))],
                     name="lm_head/flatten")
        y = g.one("Gemm", [flat, emb_name], name="lm_head/Gemm", transB=1)
        hs = g.one("Shape", [h], name="lm_head/Shape", start=0, end=2)
        vshape = g.one("Concat", [hs, g.init("vocab_dim", np.array([cfg.vocab_size], np.int64))],
                       name="lm_head/shape", axis=0)
        logits = g.one("Reshape", [y, vshape], name="lm_head/unflatten")
    else:
        head = emb if cfg.tied_embeddings else weight("output.weight")
        logits = linear(h, "output.weight", head, nbits=head_bits)
    del emb
    if fdt != TensorProto.FLOAT:
        logits = g.one("Cast", [logits], name="logits/Cast", to=TensorProto.FLOAT)
    g.node("Identity", [logits], ["logits"], name="logits/Identity")

    graph = helper.make_graph(g.nodes, f"studio-{cfg.arch}-decoder", inputs, outputs, g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid(MS, 1)],
                              producer_name="studio.models.gguf_graph")
    model.ir_version = 8
    return model


def _split_qkv(g: _Graph, p: str, qkv: str, cfg: DecoderConfig) -> tuple[str, str, str]:
    sizes = g.init(f"{p}.qkv_sizes", np.array([cfg.heads * cfg.head_dim, cfg.kv_heads * cfg.head_dim,
                                               cfg.kv_heads * cfg.head_dim], np.int64))
    q, k, v = g.node("Split", [qkv, sizes], 3, name=f"{p}/qkv_split", axis=-1)
    return q, k, v


def _head_norm(g: _Graph, x: str, heads: int, cfg: DecoderConfig, w: str, name: str) -> str:
    """RMSNorm over each head's vector: [B,S,heads*D] → [B,S,heads,D] → norm → back."""
    shape4 = g.init(f"{name}.shape4", np.array([0, 0, heads, cfg.head_dim], np.int64))
    shape3 = g.init(f"{name}.shape3", np.array([0, 0, heads * cfg.head_dim], np.int64))
    y = g.one("Reshape", [x, shape4], name=f"{name}/Reshape")
    y = g.one("SimplifiedLayerNormalization", [y, w], name=f"{name}/Norm", epsilon=float(cfg.rms_eps),
              axis=-1, stash_type=1)
    return g.one("Reshape", [y, shape3], name=f"{name}/Back")


def _rms(g: _Graph, x: str, w: np.ndarray, wname: str, eps: float) -> str:
    return g.one("SimplifiedLayerNormalization", [x, g.fweight(wname, w)], name=wname + "/Norm",
                 epsilon=eps, axis=-1, stash_type=1)


def _skip_norm(g: _Graph, x: str, residual: str, w: np.ndarray, wname: str, eps: float
               ) -> tuple[str, str]:
    """(RMSNorm(x + residual), x + residual) in one fused kernel."""
    out = g.node("SkipSimplifiedLayerNormalization", [x, residual, g.fweight(wname, w)], 4, MS,
                 name=wname + "/SkipNorm", epsilon=eps)
    return out[0], out[3]


def save_model(model: onnx.ModelProto, path) -> None:
    """Save; weights go to a side file only when the protobuf would pass its 2 GB limit."""
    from pathlib import Path

    path = Path(path)
    big = model.ByteSize() > 1_800_000_000
    tmp = path.with_name(path.name + ".part")
    if big:
        onnx.save_model(model, str(tmp), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=path.name + ".data", size_threshold=1024)
    else:
        onnx.save_model(model, str(tmp))
    tmp.replace(path)
