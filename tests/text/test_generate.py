"""Streaming generation on a real (tiny) ONNX decoder: UTF-8 safety, stops, cancel, KV reuse."""

from __future__ import annotations

import pytest

from studio.engines.text.model import TextModel, _StopFilter
from studio.jobs import CancelToken, SamplerParams, TokenInfo, UserError


@pytest.fixture
def model(tiny_llama, cpu_sessions):
    return TextModel.load(tiny_llama[1], "fp32", cpu_sessions)


def _sample(n: int = 48, **kw) -> SamplerParams:
    base = dict(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, repetition_penalty=1.0,
                max_new_tokens=n, seed=11, top_logprobs=5)
    base.update(kw)
    return SamplerParams(**base)


def test_streamed_text_is_utf8_safe_and_adds_up(model):
    # Bias the tiny model toward the bytes of "中" and "😀" (multi-byte UTF-8 split over tokens).
    tok = model.tokenizer
    multibyte = tok.encode("中😀")
    assert len(multibyte) >= 7  # 3 + 4 bytes, one byte symbol each
    params = _sample(60, logit_bias=tuple((t, 6.0) for t in multibyte), banned_tokens=tuple(tok.eos_ids))
    seen: list[tuple[int, TokenInfo]] = []
    out = model.generate("汉字 and emoji: ", params, on_token=lambda i, t: seen.append((i, t)))
    assert [i for i, _ in seen] == list(range(len(out.tokens)))
    assert "".join(t.text for _, t in seen) == out.text
    assert any(t.text == "" for _, t in seen)  # a token that ended mid-character streamed nothing
    assert all(len(t.top) == 5 and t.top[0][2] >= t.top[-1][2] for _, t in seen)


def test_stream_decoder_releases_only_whole_characters(model):
    tok = model.tokenizer
    text = "中文, emoji 😀👍🏽 and ü."
    ids = tok.encode(text)
    assert len(ids) > len(text)  # multi-byte characters are split over several tokens
    stream = tok.stream()
    pieces = [stream.feed(i) for i in ids]
    assert "".join(pieces) == text
    assert all("\ufffd" not in p for p in pieces) and "" in pieces
    assert pieces[ids.index(tok.encode("中")[-1])] == "中"


def test_same_seed_same_text_with_and_without_cache(model):
    a = model.generate("Once upon a time", _sample())
    b = model.generate("Once upon a time", _sample())  # prompt KV + logits reused
    model.forget()
    c = model.generate("Once upon a time", _sample())
    assert b.reused_tokens == b.prompt_tokens and c.reused_tokens == 0
    assert a.text == b.text == c.text and a.seed == 11
    d = model.generate("Once upon a time", _sample(seed=12))
    assert d.reused_tokens == d.prompt_tokens and d.text != a.text


def test_continuation_reuses_the_shared_prefix(model):
    first = model.generate("The cat sat on the mat.", _sample(8))
    follow = model.generate("The cat sat on the mat." + first.text + " Then", _sample(8))
    assert follow.reused_tokens >= first.prompt_tokens
    cold = TextModel(model.folder, model.session, model.tokenizer, model.manifest, "fp32")
    assert cold.generate("The cat sat on the mat." + first.text + " Then", _sample(8)).text == follow.text


def test_cancel_between_tokens_returns_partial(model):
    cancel = CancelToken()
    got = []

    def on_token(i, t):
        got.append(t)
        if i == 4:
            cancel.cancel()

    out = model.generate("Stop me", _sample(40, banned_tokens=tuple(model.tokenizer.eos_ids)), cancel, on_token)
    assert out.finish_reason == "cancelled" and len(out.tokens) == 5 == len(got)
    assert out.text == "".join(t.text for t in got)


def test_cancel_before_start_processes_nothing(model):
    cancel = CancelToken()
    cancel.cancel()
    out = model.generate("Never mind", _sample(), cancel)
    assert out.finish_reason == "cancelled" and out.tokens == []


def test_stop_sequence_cuts_output_and_is_not_streamed():
    emitted: list[TokenInfo] = []
    f = _StopFilter(("END",), emitted.append)
    texts = ["Hel", "lo E", "N", "D more"]
    stopped = [f.push(TokenInfo(i, t, 0.0)) for i, t in enumerate(texts)]
    assert stopped == [False, False, False, True]
    assert "".join(t.text for t in emitted) == "Hello "
    f2_out: list[TokenInfo] = []
    f2 = _StopFilter(("END",), f2_out.append)
    for i, t in enumerate(["a E", "N", "x"]):  # a false start is released once it cannot match
        f2.push(TokenInfo(i, t, 0.0))
    f2.flush()
    assert "".join(t.text for t in f2_out) == "a ENx"


def test_stop_sequence_in_generation(model):
    free = model.generate("Tell me", _sample(30, banned_tokens=tuple(model.tokenizer.eos_ids)))
    stop = free.text[5:7]
    assert stop.strip()
    out = model.generate("Tell me", _sample(30, stop=(stop,), banned_tokens=tuple(model.tokenizer.eos_ids)))
    assert out.finish_reason == "stop" and out.text == free.text[: free.text.find(stop)]


def test_eos_stops_generation(model):
    eos = min(model.tokenizer.eos_ids)
    out = model.generate("Hi", _sample(20, logit_bias=((eos, 50.0),)))
    assert out.finish_reason == "stop" and out.tokens == []


def test_long_prompt_is_trimmed_keeping_memory(model):
    memory = "MEMORY: the hero is called Ada."
    prompt = "word " * 400  # far over the tiny model's 256-token context
    ids, notes = model.prepare(prompt, memory=memory, max_new_tokens=16)
    mem_ids = model.tokenizer.encode(memory)
    assert ids[: len(mem_ids)] == mem_ids and len(ids) <= model.context - 16
    assert notes and "left out" in notes[0]
    out = model.generate(prompt, _sample(16), memory=memory)
    assert out.notices and out.new_tokens == 16 and out.prompt_tokens == len(ids)


def test_chat_template_wraps_the_prompt(model):
    ids, _ = model.prepare("Hello", chat=True)
    text = model.tokenizer.decode(ids)  # specials are dropped by decode
    assert model.tokenizer.encode("<|im_start|>")[0] == ids[0]
    assert "user\nHello" in text and text.endswith("assistant\n")


def test_empty_prompt_and_oversized_memory_are_user_errors(model):
    with pytest.raises(UserError, match="empty"):
        model.generate("   ", _sample())
    with pytest.raises(UserError, match="memory"):
        model.prepare("hi", memory="x " * 600)
