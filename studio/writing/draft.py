"""The draft document model: a buffer of text, at most one pending generated span, its
candidates, and the per-draft memory, author's note and sampler settings. Qt-free.

Every change the model makes goes through ``buffer.replace``; a generation (its streamed tokens
and the final fix-up) is one undo step of the buffer. The span that belongs to each undo depth
is remembered so undo/redo of a generation brings the span (and its alternatives) back too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from studio.jobs import SamplerParams, TextRequest, TextResult, TokenDelta, TokenInfo, UserError
from studio.writing import context
from studio.writing.buffer import Buffer
from studio.writing.spans import Candidate, Span, token_at


@dataclass
class DraftSettings:
    """What a draft keeps besides its text (saved with it in the autosave)."""

    title: str = ""
    memory: str = ""
    author_note: str = ""
    note_depth: int = context.DEFAULT_NOTE_DEPTH
    sampler: SamplerParams = field(default_factory=SamplerParams)
    preset: str = ""
    model_id: str = ""


class Draft:
    """One open draft. Methods are called from one thread (the UI thread in the app)."""

    def __init__(self, buffer: Buffer, settings: DraftSettings | None = None) -> None:
        self.buffer = buffer
        self.settings = settings or DraftSettings()
        self.span: Span | None = None
        self.streaming: int | None = None  # job id whose tokens are arriving
        self._stream_started = False  # the streaming candidate has put a step on the undo stack
        self._snapshots: dict[int, Span | None] = {}  # undo depth → the span shown at that depth

    # ── requests ──
    def continue_request(self, cursor: int) -> TextRequest:
        """A continuation from ``cursor``: the text before it is the context."""
        s = self.settings
        before = self.buffer.slice(max(0, cursor - context.DEFAULT_WINDOW), cursor)
        return context.build_request(before, memory=s.memory, note=s.author_note,
                                     note_depth=s.note_depth, sampler=s.sampler, model_id=s.model_id)

    def instruction_request(self, instruction: str, start: int, end: int) -> TextRequest:
        if not instruction.strip():
            raise UserError("Type an instruction first, for example “rewrite this more vividly”.")
        return context.build_instruction(instruction, self.buffer.slice(start, end),
                                         sampler=self.settings.sampler, model_id=self.settings.model_id)

    # ── starting generations ──
    def begin(self, request: TextRequest, start: int, end: int | None = None) -> None:
        """A new span at ``start`` (replacing [start, end) in instruct mode), filled by ``request``."""
        self._require_idle()
        if self.span is not None:
            self.accept()
        replaced = self.buffer.slice(start, end) if end is not None and end > start else ""
        self.span = Span(start=start, request=request, replaced=replaced)
        self._new_candidate(request, prefix=[], remove_end=start + self.buffer.length(replaced))

    def retry(self, request: TextRequest | None = None) -> TextRequest:
        """Replace the pending span's text by a new candidate; returns the request to submit."""
        self._require_idle()
        span = self._require_span()
        request = request or context.retry_of(span.request)
        self._new_candidate(request, prefix=[], remove_end=self.span_end())
        return request

    def pick_token(self, index: int, alt_token: tuple[int, str, float]) -> TextRequest:
        """Replace token ``index`` of the shown candidate by an alternative and regenerate after it.

        Returns the request to submit: the span's context + the candidate up to the token + the
        picked token's text.
        """
        self._require_idle()
        span = self._require_span()
        if span.request.chat:
            raise UserError("Token picking works on continuations, not on instruct-mode rewrites.")
        cur = span.current
        if not 0 <= index < len(cur.tokens):
            raise UserError("That token is no longer part of the text.")
        tid, text, logprob = alt_token
        text = self._normalize(text)
        old = cur.tokens[index]
        prefix = list(cur.tokens[:index]) + [TokenInfo(tid, text, logprob, old.top)]
        prefix_text = "".join(t.text for t in prefix)
        request = context.continuation_of(span.request, "".join(t.text for t in cur.tokens[:index]) + text)
        self._new_candidate(request, prefix=prefix, remove_end=self.span_end(), prefix_text=prefix_text)
        return request

    def _new_candidate(self, request: TextRequest, prefix: list[TokenInfo], remove_end: int,
                       prefix_text: str = "") -> None:
        span = self.span
        assert span is not None
        span.candidates.append(Candidate(text=prefix_text, tokens=prefix, job_id=request.job_id,
                                         request=request, prefix_len=len(prefix)))
        span.index = len(span.candidates) - 1
        self.streaming = request.job_id
        self._stream_started = False
        if remove_end > span.start or prefix_text:
            self._edit(span.start, remove_end, prefix_text)

    # ── events from the worker ──
    def on_token(self, delta: TokenDelta) -> bool:
        """Insert a streamed token at the span's end. False if the event is not this draft's."""
        if delta.job_id != self.streaming or self.span is None:
            return False
        cur = self.span.current
        end = self.span_end()
        tok = self._clean(delta.token)
        cur.tokens.append(tok)
        cur.text += tok.text
        if tok.text:
            self._edit(end, end, tok.text)
        return True

    def on_finished(self, result: TextResult) -> bool:
        """The engine's final text wins (stop sequences are trimmed there)."""
        if result.job_id != self.streaming or self.span is None:
            return False
        cur = self.span.current
        prefix = cur.tokens[: cur.prefix_len]
        tokens = [self._clean(t) for t in result.tokens]
        if "".join(t.text for t in result.tokens) == result.text:
            new_text = "".join(t.text for t in tokens)
        else:
            new_text = self._normalize(result.text)
        final_text = "".join(t.text for t in prefix) + new_text
        if final_text != cur.text:
            end = self.span_end()
            cur.text = final_text
            self._edit(self.span.start, end, final_text)
        cur.tokens = prefix + tokens
        cur.finish_reason = result.finish_reason
        cur.seed = result.seed
        self._end_stream()
        return True

    def on_stopped(self, job_id: int, reason: str = "cancelled") -> bool:
        """The job was cancelled or failed: keep what streamed so far (the document stays whole)."""
        if job_id != self.streaming or self.span is None:
            return False
        self.span.current.finish_reason = reason
        self._end_stream()
        return True

    def _end_stream(self) -> None:
        span = self.span
        assert span is not None
        # Fix-ups still belong to the generation's undo step (streaming is still set).
        if not span.current.text and len(span.candidates) == 1:
            self._edit(span.start, span.start, span.replaced)
            self.span = None  # nothing was written: as if the generation never happened
        elif not span.current.text:
            span.candidates.pop(span.index)  # an empty retry adds nothing; show the previous one
            span.index = len(span.candidates) - 1
            self._edit(span.start, span.start, span.current.text)
        self.streaming = None
        self._remember()

    # ── user decisions ──
    def accept(self) -> Span | None:
        """Keep the shown candidate as ordinary text. Returns the span that was accepted."""
        span = self.span
        if span is None or self.streaming is not None:
            return None
        self.span = None
        self._snapshots[self.undo_depth()] = None
        return span

    def reject(self) -> Span | None:
        """Remove the span's text (put back what it replaced); nothing else changes."""
        span = self.span
        if span is None or self.streaming is not None:
            return None
        self._edit(span.start, self.span_end(), span.replaced)
        self.span = None
        self._remember()
        return span

    def flip(self, delta: int) -> bool:
        """Show the previous (delta < 0) or next candidate in place of the current one."""
        span = self.span
        if span is None or self.streaming is not None or len(span.candidates) < 2:
            return False
        new = max(0, min(len(span.candidates) - 1, span.index + delta))
        if new == span.index:
            return False
        end = self.span_end()
        span.index = new
        self._edit(span.start, end, span.current.text)
        self._remember()
        return True

    def user_edit(self) -> None:
        """Call before any edit the user makes (typing, paste, cut): it accepts a pending span."""
        if self.streaming is None:
            self.accept()

    def after_user_edit(self) -> None:
        """Call after a user edit: the redo branch is gone."""
        self._forget_redo()
        self._snapshots[self.undo_depth()] = None

    # ── undo/redo ──
    def undo_depth(self) -> int:
        steps = getattr(self.buffer, "undo_steps", None)
        return steps() if steps else 0

    def after_undo_redo(self) -> None:
        """Bring back the span (with its alternatives) that was shown at this undo depth, if any."""
        snap = self._snapshots.get(self.undo_depth())
        self.span = None
        if snap is not None:
            end = snap.start + self.buffer.length(snap.current.text)
            if end <= self.buffer.size() and self.buffer.slice(snap.start, end) == snap.current.text:
                self.span = snap.copy()

    # ── queries ──
    def span_end(self) -> int:
        span = self._require_span()
        return span.start + self.buffer.length(span.current.text)

    def span_range(self) -> tuple[int, int] | None:
        return (self.span.start, self.span_end()) if self.span else None

    def token_index_at(self, pos: int) -> int | None:
        """The generated token under buffer position ``pos``, if the pending span covers it."""
        if self.span is None or self.streaming is not None:
            return None
        if not self.span.start <= pos <= self.span_end():
            return None
        return token_at(self.span.current.tokens, pos - self.span.start, self.buffer.length)

    # ── internals ──
    def _normalize(self, text: str) -> str:
        norm = getattr(self.buffer, "normalize", None)
        return norm(text) if norm else text

    def _clean(self, tok: TokenInfo) -> TokenInfo:
        text = self._normalize(tok.text)
        return tok if text == tok.text else replace(tok, text=text)

    def _edit(self, start: int, end: int, text: str) -> None:
        merge = self.streaming is not None and self._stream_started
        if start == end and not text:
            return
        self.buffer.replace(start, end, text, merge=merge)
        if self.streaming is not None:
            self._stream_started = True
        else:
            self._forget_redo()

    def _remember(self) -> None:
        self._forget_redo()
        self._snapshots[self.undo_depth()] = self.span.copy() if self.span else None

    def _forget_redo(self) -> None:
        depth = self.undo_depth()
        for key in [k for k in self._snapshots if k > depth]:
            del self._snapshots[key]

    def _require_span(self) -> Span:
        if self.span is None:
            raise UserError("There is no generated text to work on; press Continue first.")
        return self.span

    def _require_idle(self) -> None:
        if self.streaming is not None:
            raise UserError("The model is still writing; stop it first (Esc).")
