"""What the model sees: the text before the cursor, the author's note a few lines up, the memory.

The engine keeps ``memory`` at the start and trims the prompt from the front when the context
is full, so here we only bound the prompt to a generous window (a 100,000-word draft would
otherwise be re-tokenized on every continuation).
"""

from __future__ import annotations

from dataclasses import replace

from studio.jobs import SamplerParams, TextRequest

NOTE_TEMPLATE = "[Author's note: {note}]"
DEFAULT_NOTE_DEPTH = 3  # lines before the cursor
DEFAULT_WINDOW = 32_000  # characters of text before the cursor sent to the engine


def clip_front(text: str, window: int = DEFAULT_WINDOW) -> str:
    """The last ``window`` characters, cut at a whitespace so no word is split."""
    if len(text) <= window:
        return text
    cut = len(text) - window
    space = min((i for i in (text.find(" ", cut), text.find("\n", cut)) if i >= 0), default=-1)
    if 0 <= space < cut + 200:
        cut = space + 1
    return text[cut:]


def insert_note(before: str, note: str, depth: int = DEFAULT_NOTE_DEPTH) -> str:
    """``before`` with the author's note on its own line, ``depth`` lines above the cursor.

    The text right before the cursor is never split, so the model continues it seamlessly.
    """
    note = note.strip()
    if not note:
        return before
    lines = before.split("\n")
    at = max(0, len(lines) - max(1, depth))
    note_line = NOTE_TEMPLATE.format(note=" ".join(note.split()))
    return "\n".join(lines[:at] + [note_line] + lines[at:])


def build_request(before: str, *, memory: str = "", note: str = "", note_depth: int = DEFAULT_NOTE_DEPTH,
                  sampler: SamplerParams = SamplerParams(), model_id: str = "",
                  window: int = DEFAULT_WINDOW) -> TextRequest:
    """The continuation request for a cursor with ``before`` in front of it."""
    prompt = insert_note(clip_front(before, window), note, note_depth)
    return TextRequest(prompt=prompt, model_id=model_id, sampler=sampler, memory=memory.strip())


def build_instruction(instruction: str, selection: str, *, sampler: SamplerParams = SamplerParams(),
                      model_id: str = "") -> TextRequest:
    """Instruct mode: the instruction applied to the selected text through the chat template."""
    instruction = instruction.strip()
    prompt = f"{instruction}\n\n{selection}" if selection.strip() else instruction
    # A rewrite is roughly as long as its input; leave room for it to grow.
    budget = max(sampler.max_new_tokens, min(1024, len(selection) // 2 + 64))
    return TextRequest(prompt=prompt, model_id=model_id, chat=True,
                       sampler=replace(sampler, max_new_tokens=budget))


def continuation_of(request: TextRequest, extra: str) -> TextRequest:
    """The same request continued after ``extra`` (a token pick); a fresh job id and seed."""
    return TextRequest(prompt=request.prompt + extra, model_id=request.model_id,
                       precision=request.precision, sampler=reseeded(request.sampler),
                       memory=request.memory, chat=request.chat)


def retry_of(request: TextRequest) -> TextRequest:
    """The same request again with a new seed (a retry / another alternative)."""
    return continuation_of(request, "")


def reseeded(sampler: SamplerParams) -> SamplerParams:
    """A fixed seed would give the same text again; a retry needs a fresh one."""
    return replace(sampler, seed=None) if sampler.seed is not None else sampler
