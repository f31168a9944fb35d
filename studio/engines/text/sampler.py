"""Next-token choice from logits: penalties, temperature, top-k/top-p/min-p/typical-p, seeded RNG.

Order (as llama.cpp and transformers apply them): logit bias and banned tokens → repetition,
presence and frequency penalties over the last ``PENALTY_WINDOW`` tokens → (greedy: argmax) →
temperature → top-k → typical-p → top-p → min-p → draw. Greedy keeps bias and bans (they are
constraints, not randomness) and ignores everything else, so it is fully deterministic.
"""

from __future__ import annotations

import secrets
from collections import Counter, deque

import numpy as np

from studio.jobs import SamplerParams

PENALTY_WINDOW = 64  # tokens of context the penalties look at (llama.cpp's penalty_last_n)


class Sampler:
    def __init__(self, params: SamplerParams, vocab_size: int, context: list[int] | None = None) -> None:
        self.p = params
        self.seed = params.seed if params.seed is not None else secrets.randbits(31)
        self.rng = np.random.default_rng(self.seed)
        self.bias = np.zeros(vocab_size, np.float32)
        for tid, b in params.logit_bias:
            if 0 <= tid < vocab_size:
                self.bias[tid] += b
        for tid in params.banned_tokens:
            if 0 <= tid < vocab_size:
                self.bias[tid] = -np.inf
        self.has_bias = bool(params.logit_bias or params.banned_tokens)
        self.recent: deque[int] = deque((context or [])[-PENALTY_WINDOW:], maxlen=PENALTY_WINDOW)

    def accept(self, token_id: int) -> None:
        self.recent.append(token_id)

    def adjust(self, logits: np.ndarray) -> np.ndarray:
        """Logits after bias, bans and (unless greedy) penalties and temperature."""
        x = logits.astype(np.float32, copy=True)
        if self.has_bias:
            x += self.bias[: x.shape[0]]
        p = self.p
        if p.greedy:
            return x
        if self.recent and (p.repetition_penalty != 1.0 or p.presence_penalty or p.frequency_penalty):
            counts = Counter(self.recent)
            ids = np.fromiter(counts.keys(), np.int64)
            n = np.fromiter(counts.values(), np.float32)
            v = x[ids]
            if p.repetition_penalty != 1.0:
                v = np.where(v > 0, v / p.repetition_penalty, v * p.repetition_penalty)
            v = v - p.presence_penalty - p.frequency_penalty * n
            x[ids] = v
        if p.temperature > 0 and p.temperature != 1.0:
            x /= p.temperature
        return x

    def choose(self, x: np.ndarray) -> int:
        """Pick a token from adjusted logits `x` (see adjust)."""
        p = self.p
        if p.greedy or p.temperature <= 0:
            return int(np.argmax(x))
        if 0 < p.top_k < x.shape[0]:  # partial sort: a full argsort costs ~1 ms per token
            part = np.argpartition(-x, p.top_k - 1)[: p.top_k]
            order = part[np.argsort(-x[part], kind="stable")]
        else:
            order = np.argsort(-x, kind="stable")
        logits = x[order].astype(np.float64)
        probs = np.exp(logits - logits[0])
        probs /= probs.sum()
        keep = len(order)
        if 0 < p.typical_p < 1.0:
            order, probs = _typical(order, probs, p.typical_p)
            keep = len(order)
        if 0 < p.top_p < 1.0:
            cum = np.cumsum(probs)
            keep = min(keep, int(np.searchsorted(cum, p.top_p, side="left")) + 1)
        if p.min_p > 0:
            keep = min(keep, max(1, int(np.count_nonzero(probs[:keep] >= p.min_p * probs[0]))))
        probs = probs[:keep] / probs[:keep].sum()
        return int(order[self.rng.choice(keep, p=probs)])


def _typical(order: np.ndarray, probs: np.ndarray, mass: float) -> tuple[np.ndarray, np.ndarray]:
    """Locally typical sampling: keep tokens whose surprise is closest to the entropy."""
    logp = np.log(np.maximum(probs, 1e-30))
    entropy = -(probs * logp).sum()
    rank = np.argsort(np.abs(-logp - entropy), kind="stable")
    cum = np.cumsum(probs[rank])
    keep = int(np.searchsorted(cum, mass, side="left")) + 1
    sel = rank[:keep]
    sel = sel[np.argsort(-probs[sel], kind="stable")]  # back to descending probability
    q = probs[sel]
    return order[sel], q / q.sum()


def log_softmax(x: np.ndarray) -> np.ndarray:
    m = np.max(x[np.isfinite(x)]) if np.isfinite(x).any() else 0.0
    z = x - m
    return z - np.log(np.sum(np.exp(z)))


def top_logprobs(logprobs: np.ndarray, k: int) -> list[tuple[int, float]]:
    if k <= 0:
        return []
    idx = np.argpartition(-logprobs, min(k, logprobs.shape[0] - 1))[:k]
    idx = idx[np.argsort(-logprobs[idx], kind="stable")]
    return [(int(i), float(logprobs[i])) for i in idx]
