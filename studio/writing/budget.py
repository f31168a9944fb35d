"""The context budget: how many tokens memory + prompt take of the model's context length.

Counting uses the model's own ``tokenizer.json`` (a Rust tokenizer: a few thousand words take
milliseconds, cheap enough for the UI thread when debounced), parsed once per file and shared
with the text engine (``studio.tokenizer_files``). Without one we estimate four
characters a token and say so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 2048
_CONTEXT_KEYS = ("context_length", "context", "n_ctx", "max_position_embeddings", "max_sequence_length")


@dataclass(frozen=True)
class Budget:
    used: int  # tokens the engine will feed (memory + prompt, capped by the context length)
    total: int  # context length
    exact: bool  # False when estimated without the tokenizer
    trimmed: bool  # the prompt is longer than fits; the engine drops its oldest part


class TokenCounter:
    """Counts tokens for one model folder; falls back to an estimate if it has no tokenizer."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.tokenizer = None
        self.context_length = DEFAULT_CONTEXT
        if folder is None:
            return
        for cand in (folder / "tokenizer.json", folder / "tokenizer" / "tokenizer.json"):
            if cand.is_file():
                try:
                    from studio import tokenizer_files

                    self.tokenizer = tokenizer_files.load(cand)  # shared with the text engine
                except Exception as exc:  # noqa: BLE001 - an unreadable tokenizer means estimating
                    log.info("tokenizer %s unusable: %s", cand, exc)
                break
        self.context_length = _context_length(folder) or DEFAULT_CONTEXT

    @property
    def exact(self) -> bool:
        return self.tokenizer is not None

    def count(self, text: str) -> int:
        if not text:
            return 0
        if self.tokenizer is not None:
            return len(self.tokenizer.encode(text, add_special_tokens=False).ids)
        return max(1, round(len(text) / 4))

    def budget(self, memory: str, prompt: str, max_new_tokens: int = 0) -> Budget:
        """Tokens used of the context; the reply's ``max_new_tokens`` must fit as well."""
        mem = self.count(memory + "\n\n") if memory else 0
        # Only the last part of a long prompt can fit; count a bounded tail to stay fast.
        tail = prompt[-self.context_length * 8:]
        used = mem + self.count(tail)
        room = self.context_length - max_new_tokens
        trimmed = used > room or len(tail) < len(prompt)
        return Budget(min(used, room) if trimmed else used, self.context_length, self.exact, trimmed)


def _context_length(folder: Path) -> int:
    for name in ("manifest.json", "genai_config.json", "config.json"):
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found = _find_key(data)
        if found:
            return found
    return 0


def _find_key(data, depth: int = 0) -> int:
    if not isinstance(data, dict) or depth > 3:
        return 0
    for key in _CONTEXT_KEYS:
        if isinstance(data.get(key), int) and data[key] > 0:
            return int(data[key])
    for value in data.values():
        found = _find_key(value, depth + 1)
        if found:
            return found
    return 0
