"""Sampler: each knob changes the choice the way it should; same seed → same draws."""

from __future__ import annotations

import numpy as np

from studio.engines.text.sampler import Sampler, log_softmax, top_logprobs
from studio.jobs import SamplerParams

V = 50


def _logits(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(V).astype(np.float32) * 3


def _draws(params: SamplerParams, n: int = 300, logits: np.ndarray | None = None) -> list[int]:
    s = Sampler(params, V)
    x = s.adjust(_logits() if logits is None else logits)
    return [s.choose(x) for _ in range(n)]


def test_same_seed_same_draws_and_other_seed_differs():
    p = SamplerParams(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, seed=7)
    assert _draws(p) == _draws(p)
    assert _draws(p) != _draws(SamplerParams(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, seed=8))


def test_unseeded_sampler_reports_its_seed_and_replays():
    s = Sampler(SamplerParams(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0), V)
    again = SamplerParams(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, seed=s.seed)
    x = s.adjust(_logits())
    assert [s.choose(x) for _ in range(50)] == _draws(again, 50)


def test_greedy_is_argmax_and_top_k_1_equals_greedy():
    x = _logits()
    assert set(_draws(SamplerParams(greedy=True), 20)) == {int(np.argmax(x))}
    assert set(_draws(SamplerParams(top_k=1, temperature=2.0, seed=1), 50)) == {int(np.argmax(x))}


def test_top_k_top_p_min_p_restrict_the_candidates():
    x = _logits()
    order = np.argsort(-x)
    assert set(_draws(SamplerParams(top_k=3, top_p=1.0, min_p=0.0, temperature=5.0, seed=1))) <= set(order[:3].tolist())
    probs = np.exp(log_softmax(x))
    cum = np.cumsum(probs[order])
    nucleus = set(order[: int(np.searchsorted(cum, 0.5)) + 1].tolist())
    assert set(_draws(SamplerParams(top_k=0, top_p=0.5, min_p=0.0, temperature=1.0, seed=2))) <= nucleus
    allowed = {i for i in range(V) if probs[i] >= 0.2 * probs.max()}
    assert set(_draws(SamplerParams(top_k=0, top_p=1.0, min_p=0.2, temperature=1.0, seed=3))) <= allowed


def test_typical_p_keeps_tokens_near_the_entropy():
    # p = 0.5 for token 0, 0.02 for tokens 1..20, the rest share 0.1: entropy ≈ 2.48 nats, so the
    # 0.02 tokens (surprise 3.9) are more typical than token 0 (surprise 0.7).
    probs = np.full(V, 0.1 / (V - 21))
    probs[0], probs[1:21] = 0.5, 0.02
    x = np.log(probs).astype(np.float32)
    got = set(_draws(SamplerParams(top_k=0, top_p=1.0, min_p=0.0, typical_p=0.3, temperature=1.0, seed=4), logits=x))
    assert got <= set(range(1, 21)) and len(got) > 3


def test_banned_tokens_and_logit_bias():
    x = _logits()
    best = int(np.argmax(x))
    assert best not in _draws(SamplerParams(greedy=True, banned_tokens=(best,)), 5)
    assert set(_draws(SamplerParams(greedy=True, logit_bias=((17, 100.0),)), 5)) == {17}
    assert set(_draws(SamplerParams(temperature=1.0, logit_bias=((17, 100.0),), seed=5), 20)) == {17}


def test_repetition_presence_frequency_penalties_lower_repeated_tokens():
    x = np.linspace(1, 2, V).astype(np.float32)
    best = V - 1
    for p in (SamplerParams(repetition_penalty=2.0), SamplerParams(repetition_penalty=1.0, presence_penalty=1.0),
              SamplerParams(repetition_penalty=1.0, frequency_penalty=0.6)):
        s = Sampler(p, V, context=[best, best])
        y = s.adjust(x)
        assert y[best] < x[best] / p.temperature
        assert np.allclose(np.delete(y, best), np.delete(x, best) / p.temperature)
    s = Sampler(SamplerParams(repetition_penalty=1.0, frequency_penalty=0.5, temperature=1.0), V, context=[3, 3, 3])
    assert np.isclose(s.adjust(x)[3], x[3] - 1.5)


def test_temperature_flattens_the_distribution():
    x = _logits()
    hot = Sampler(SamplerParams(temperature=2.0), V).adjust(x)
    assert np.allclose(hot, x / 2.0)


def test_top_logprobs_sorted_and_normalised():
    lp = log_softmax(_logits())
    top = top_logprobs(lp, 10)
    assert len(top) == 10 and [v for _, v in top] == sorted((v for _, v in top), reverse=True)
    assert top[0][0] == int(np.argmax(lp)) and np.isclose(np.exp(lp).sum(), 1.0)
