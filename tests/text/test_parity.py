"""fp32 ONNX decoder (built from GGUF without torch) vs transformers on the same weights."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engines.text.model import TextModel
from studio.jobs import SamplerParams

PROMPTS = {
    "english": "The old lighthouse keeper climbed the stairs every evening,",
    "chinese": "从前有一座山，山里有一座庙，庙里有个老和尚。",
    "code": "def fibonacci(n):\n    if n < 2:\n        return n\n",
}


def _torch_logits(model, ids: list[int]) -> np.ndarray:
    import torch

    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].float().numpy()


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
@pytest.mark.parametrize("prompt", list(PROMPTS))
def test_greedy_64_tokens_and_logits_match_transformers(tiny_models, cpu_sessions, hf_reference, arch,
                                                        prompt):
    tiny, folder = tiny_models[arch]
    model = TextModel.load(folder, "fp32", cpu_sessions)
    eos = tuple(sorted(model.tokenizer.eos_ids))
    params = SamplerParams(greedy=True, max_new_tokens=64, banned_tokens=eos, top_logprobs=0)
    out = model.generate(PROMPTS[prompt], params)
    assert out.finish_reason == "length" and out.new_tokens == 64
    ids = model.prepare(PROMPTS[prompt])[0]
    new = [t.token_id for t in out.tokens]

    hf = hf_reference(tiny)
    ref = _torch_logits(hf, ids + new)  # teacher-forced reference over all positions
    ref[:, list(eos)] = -np.inf
    assert ref[len(ids) - 1:-1].argmax(-1).tolist() == new  # the same 64 greedy tokens

    ours = model.logits(ids + new)  # the ONNX graph with its KV cache, chunked
    assert np.abs(ours - _torch_logits(hf, ids + new)).max() < 1e-3


def test_step_by_step_cache_equals_full_forward(tiny_llama, cpu_sessions):
    """The logits the generator sees token by token (KV cache) equal a full forward pass."""
    tiny, folder = tiny_llama
    model = TextModel.load(folder, "fp32", cpu_sessions)
    ids = model.prepare("Hello there, general")[0]
    full = model.logits(ids)
    past = model._io.empty_past()
    for pos, tid in enumerate(ids):
        row, past = model._io.run([tid], past, pos, None)
        np.testing.assert_allclose(row, full[pos], atol=1e-4)


def test_tokenizer_round_trip_unicode(tiny_llama):
    from studio.engines.text.tokenizer import TextTokenizer

    _, folder = tiny_llama
    tok = TextTokenizer(folder)
    for text in PROMPTS.values():
        ids = tok.encode(text)
        assert tok.decode(ids) == text
    assert tok.encode("<|im_end|>") == [2]  # special tokens stay whole


def test_gemma3_matches_transformers_including_sliding_window(shared_cache, cpu_sessions):
    """Gemma 3: q/k norms, four norms per block, GELU-tanh, scaled embeddings, local (window 8,
    rope base 10k) and global (rope base 1M) layers; the prompt is longer than the window."""
    import torch

    from studio.models.gguf_convert import convert_gguf

    from tests.text.conftest import hf_gemma3, write_tiny_gemma3

    tiny = write_tiny_gemma3(shared_cache / "tiny-gemma3.gguf")
    folder = convert_gguf(tiny.gguf, shared_cache / "tiny-gemma3", ("fp32",))
    model = TextModel.load(folder, "fp32", cpu_sessions)
    ids = model.prepare(PROMPTS["english"])[0]
    assert len(ids) > 3 * 8
    out = model.generate(ids, SamplerParams(greedy=True, max_new_tokens=16, top_logprobs=0,
                                            banned_tokens=tuple(model.tokenizer.eos_ids)))
    new = [t.token_id for t in out.tokens]
    with torch.no_grad():
        ref = hf_gemma3(tiny)(torch.tensor([ids + new])).logits[0].numpy()
    assert np.abs(model.logits(ids + new) - ref).max() < 1e-3
    ref[:, list(model.tokenizer.eos_ids)] = -np.inf
    assert ref[len(ids) - 1:-1].argmax(-1).tolist() == new
