"""int4/int8 weight-only decoders (MatMulNBits) stay close to the fp32 graph."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from studio.engines.text.model import TextModel
from studio.jobs import SamplerParams
from studio.models.gguf_quant import _fit, dequantize, quantize


@pytest.mark.parametrize("bits", [4, 8])
def test_block_quantization_round_trip(bits):
    w = np.random.default_rng(0).standard_normal((24, 80)).astype(np.float32)  # K not a block multiple
    q = quantize(w, bits, 32)
    back = dequantize(q)
    step = (w.max() - w.min()) / ((1 << bits) - 1)
    assert back.shape == w.shape and np.abs(back - w).mean() < step / 3
    if bits == 8:
        assert np.abs(back - w).max() <= step
    else:  # the fit may clip outliers, but only where that lowers the block's total error
        blocks = np.pad(w, ((0, 0), (0, 16))).reshape(24, 3, 32)
        qn, sn, zn = _fit(blocks, 15, (1.0,))
        plain = ((qn - zn[..., None]) * sn[..., None]).reshape(24, 96)[:, :80]
        assert ((back - w) ** 2).sum() <= ((plain - w) ** 2).sum() + 1e-6


@pytest.mark.parametrize("bits,precision", [(4, "int4"), (8, "int8")])
def test_matmulnbits_graph_equals_fp32_graph_on_the_same_quantized_weights(tiny_llama, cpu_sessions,
                                                                            monkeypatch, tmp_path,
                                                                            bits, precision):
    """Packing check: the int graph (MatMulNBits + GatherBlockQuantized embedding) computes exactly
    with dequantize(quantize(W))."""
    import onnxruntime as ort

    from studio.models import gguf_graph
    from studio.models.gguf_read import GGUFModel

    monkeypatch.setattr(gguf_graph, "ACCURACY_LEVEL", 0)  # fp32 activations: no int8 rounding
    src = GGUFModel(tiny_llama[0].gguf)

    def original(name: str) -> np.ndarray:
        return src.tensor("token_embd.weight" if name == "output.weight" else name)

    def requantized(name: str) -> np.ndarray:
        w = original(name)
        if w.ndim != 2:
            return w
        head = name in ("token_embd.weight", "output.weight")  # the table and LM head stay 8-bit
        return dequantize(quantize(w, 8 if head else bits, gguf_graph.BLOCK))

    cfg = dataclasses.replace(src.config, tied_embeddings=False)  # an explicit (quantized) LM head
    gguf_graph.save_model(gguf_graph.build_decoder(cfg, original, precision), tmp_path / "q.onnx")
    gguf_graph.save_model(gguf_graph.build_decoder(cfg, requantized, "fp32"), tmp_path / "ref.onnx")
    ids = np.array([[5, 80, 99, 140, 7, 33]], np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "position_ids": np.arange(6)[None]}
    for i in range(cfg.layers):
        for kind in ("key", "value"):
            feeds[f"past_key_values.{i}.{kind}"] = np.zeros((1, cfg.kv_heads, 0, cfg.head_dim), np.float32)

    def run(path):
        return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(["logits"], feeds)[0]

    np.testing.assert_allclose(run(tmp_path / "q.onnx"), run(tmp_path / "ref.onnx"), atol=2e-3)


@pytest.mark.parametrize("precision,tol", [("int8", 1.0), ("int4", np.inf)])  # random weights: int4 is coarse
def test_quantized_logits_follow_fp32(tiny_llama, cpu_sessions, precision, tol):
    folder = tiny_llama[1]
    ref = TextModel.load(folder, "fp32", cpu_sessions)
    q = TextModel.load(folder, precision, cpu_sessions)
    ids = ref.prepare("The quick brown fox jumps over the lazy dog")[0]
    a, b = ref.logits(ids), q.logits(ids)
    assert np.abs(a - b).max() < tol
    assert (a.argmax(-1) == b.argmax(-1)).mean() >= (0.9 if precision == "int8" else 0.6)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > (0.999 if precision == "int8" else 0.9)


def test_fp16_graph_follows_fp32(tiny_llama, cpu_sessions, tmp_path):
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(tiny_llama[1], folder)
    ref = TextModel.load(folder, "fp32", cpu_sessions)
    half = TextModel.load(folder, "fp16", cpu_sessions)  # built on demand from source.gguf
    assert half._io.kv_dtype == np.float16
    ids = ref.prepare("The quick brown fox jumps over the lazy dog")[0]
    a, b = ref.logits(ids), half.logits(ids)
    assert np.abs(a - b).max() < 0.1 and (a.argmax(-1) == b.argmax(-1)).mean() >= 0.95


@pytest.mark.gpu
def test_fp16_on_cuda_matches_cpu(tiny_llama, tmp_path):
    import shutil

    from studio.engines.runtime import SessionFactory, probe_cuda

    if not probe_cuda()[0]:
        pytest.skip("no usable CUDA GPU")
    folder = tmp_path / "m"
    shutil.copytree(tiny_llama[1], folder)
    gpu = SessionFactory(device="gpu")
    model = TextModel.load(folder, "fp16", gpu)
    assert gpu.on_gpu and "CUDAExecutionProvider" in model.session.get_providers()
    ref = TextModel.load(folder, "fp32", SessionFactory(device="cpu"))
    ids = ref.prepare("The quick brown fox jumps over the lazy dog")[0]
    a, b = ref.logits(ids), model.logits(ids)
    assert np.abs(a - b).max() < 0.1 and (a.argmax(-1) == b.argmax(-1)).mean() >= 0.95
    out = model.generate("Hello", SamplerParams(greedy=True, max_new_tokens=8))
    assert out.finish_reason in ("length", "stop") and len(out.tokens) <= 8
