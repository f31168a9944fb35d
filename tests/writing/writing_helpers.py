"""Event builders for driving a Draft the way the worker does (token by token, then a result)."""

from __future__ import annotations

import math

from studio.jobs import TextRequest, TextResult, TokenDelta, TokenInfo


def tok(text: str, tid: int = 1, p: float = 0.5, top=()) -> TokenInfo:
    return TokenInfo(tid, text, math.log(p), tuple(top))


def stream(draft, request: TextRequest, pieces: list[str], finish: str = "length", final_text=None):
    """Feed ``pieces`` as tokens of ``request`` and finish it; returns the tokens sent."""
    tokens = []
    for i, piece in enumerate(pieces):
        t = tok(piece, tid=100 + i, top=((100 + i, piece, math.log(0.5)), (7, " alt", math.log(0.3))))
        tokens.append(t)
        assert draft.on_token(TokenDelta(request.job_id, i, t))
    text = "".join(pieces) if final_text is None else final_text
    assert draft.on_finished(TextResult(request.job_id, request, text, tuple(tokens), finish, seed=1))
    return tokens
