"""A generated span and its candidates (the "swipes"), plus token offsets inside a candidate."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable

from studio.jobs import TextRequest, TokenInfo


@dataclass
class Candidate:
    """One version of a span's text. ``tokens`` concatenate to ``text`` (prefix tokens included)."""

    text: str = ""
    tokens: list[TokenInfo] = field(default_factory=list)
    finish_reason: str = ""  # "" while streaming; "stop" | "length" | "cancelled" | "failed"
    job_id: int = 0
    seed: int | None = None
    request: TextRequest | None = None  # the request that produced the streamed part
    record_ids: tuple[int, ...] = ()  # history records of that request, once known
    prefix_len: int = 0  # leading tokens kept from an earlier candidate (a token pick)

    @property
    def done(self) -> bool:
        return bool(self.finish_reason)


@dataclass
class Span:
    """Text the model wrote at ``start`` that the user has not accepted or rejected yet."""

    start: int
    request: TextRequest  # what produced the first candidate; retry reuses its prompt and memory
    candidates: list[Candidate] = field(default_factory=list)
    index: int = 0  # the candidate shown
    replaced: str = ""  # text the span replaced (instruct mode); put back on reject

    @property
    def current(self) -> Candidate:
        return self.candidates[self.index]

    def copy(self) -> "Span":
        return replace(self, candidates=[replace(c, tokens=list(c.tokens)) for c in self.candidates])


def token_offsets(tokens: list[TokenInfo], length: Callable[[str], int] = len) -> list[int]:
    """Start offset of every token inside the candidate text, plus the end as a last entry."""
    offsets = [0]
    for tok in tokens:
        offsets.append(offsets[-1] + length(tok.text))
    return offsets


def token_at(tokens: list[TokenInfo], offset: int, length: Callable[[str], int] = len) -> int | None:
    """Index of the token covering ``offset`` (0-based inside the candidate), skipping empty tokens."""
    offsets = token_offsets(tokens, length)
    for i, tok in enumerate(tokens):
        if offsets[i] <= offset < offsets[i + 1]:
            return i
    if tokens and offset == offsets[-1]:  # just after the last character: the last visible token
        for i in range(len(tokens) - 1, -1, -1):
            if tokens[i].text:
                return i
    return None


@dataclass(frozen=True)
class Alternative:
    token_id: int
    text: str
    probability: float
    chosen: bool  # the token the model actually sampled


def alternatives(tok: TokenInfo) -> list[Alternative]:
    """The token's top alternatives with probabilities, most likely first; the sampled one marked.

    The sampled token is listed even when it was not among the reported top entries.
    """
    alts = [Alternative(tid, text, math.exp(lp), tid == tok.token_id) for tid, text, lp in tok.top]
    if not any(a.chosen for a in alts):
        alts.append(Alternative(tok.token_id, tok.text, math.exp(tok.logprob), True))
    alts.sort(key=lambda a: -a.probability)
    return alts


def visible(text: str) -> str:
    """A token's text made readable in a list: spaces and newlines shown, empty marked."""
    if text == "":
        return "∅"
    return text.replace("\n", "↵").replace(" ", "␣")
