"""Tokenizer for a text-model folder: ``tokenizer.json`` (the ``tokenizers`` library), special
tokens and the chat template from ``tokenizer_config.json``, and UTF-8-safe streaming.

Streaming works on bytes: every token id maps to the exact bytes it adds (byte-level BPE and
SentencePiece byte fallback both split characters across tokens), and an incremental UTF-8
decoder only releases complete characters, so Chinese text and emoji never arrive broken.
"""

from __future__ import annotations

import codecs
import json
from functools import lru_cache
from pathlib import Path

from studio.jobs import UserError

_PLACEHOLDER = "\u0000STUDIO-PROMPT\u0000"


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """GPT-2's printable-character ↔ byte table (inverse of ``bytes_to_unicode``)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


class TextTokenizer:
    """Encode/decode, chat template and per-token bytes for one model folder."""

    def __init__(self, folder: Path) -> None:
        from studio import tokenizer_files

        path = folder / "tokenizer.json"
        if not path.is_file():
            raise UserError(f"The model folder {folder.name} has no tokenizer.json, so its text "
                            "cannot be read or written; re-import the model with its tokenizer.")
        try:
            self.tok = tokenizer_files.load(path)
        except Exception as exc:  # noqa: BLE001
            raise UserError(f"The tokenizer of {folder.name} cannot be read: {exc}") from None
        cfg_path = folder / "tokenizer_config.json"
        self.config: dict = {}
        if cfg_path.is_file():
            try:
                self.config = json.loads(cfg_path.read_text(encoding="utf-8"))
            except ValueError:
                self.config = {}
        self.vocab_size = self.tok.get_vocab_size(with_added_tokens=True)
        self.bos_id = self._id(self.config.get("bos_token"))
        self.add_bos = bool(self.config.get("add_bos_token", False)) and self.bos_id is not None
        eos = list(self.config.get("eos_token_ids") or [])
        eos_named = self._id(self.config.get("eos_token"))
        if eos_named is not None:
            eos.append(eos_named)
        for name in ("<|endoftext|>", "<|im_end|>", "<end_of_turn>"):  # end of text / of a turn
            i = self.tok.token_to_id(name)
            if i is not None:
                eos.append(i)
        self.eos_ids = frozenset(eos)
        self.chat_template: str = self.config.get("chat_template") or ""
        if isinstance(self.chat_template, list):  # HF allows named templates
            self.chat_template = next((t["template"] for t in self.chat_template
                                       if t.get("name") == "default"), "")
        self._token_bytes: list[bytes] | None = None
        self.special_ids = frozenset(i for i, t in self.tok.get_added_tokens_decoder().items()
                                     if t.special)

    def _id(self, token) -> int | None:
        if isinstance(token, dict):
            token = token.get("content")
        return self.tok.token_to_id(token) if isinstance(token, str) else None

    # ── encode ──
    def encode(self, text: str) -> list[int]:
        """Token ids of `text`, no BOS (the caller adds it once at the very start)."""
        return self.tok.encode(text, add_special_tokens=False).ids if text else []

    def with_bos(self, ids: list[int]) -> list[int]:
        if self.add_bos and (not ids or ids[0] != self.bos_id):
            return [self.bos_id, *ids]  # type: ignore[list-item]
        return ids

    def chat_parts(self, memory: str = "") -> tuple[str, str]:
        """(text before the user's message, text after it) for a one-turn chat prompt."""
        if not self.chat_template:
            raise UserError("This model has no chat template; turn chat mode off and write the "
                            "prompt as plain text.")
        from jinja2.exceptions import TemplateError
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def raise_exception(msg: str):
            raise TemplateError(msg)

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = raise_exception
        messages = ([{"role": "system", "content": memory}] if memory else []) + \
            [{"role": "user", "content": _PLACEHOLDER}]
        try:
            text = env.from_string(self.chat_template).render(
                messages=messages, add_generation_prompt=True,
                bos_token=self.config.get("bos_token") or "", eos_token=self.config.get("eos_token") or "")
        except TemplateError as exc:
            raise UserError(f"The model's chat template failed: {exc}") from None
        before, _, after = text.partition(_PLACEHOLDER)
        return before, after

    # ── decode ──
    def token_bytes(self, token_id: int) -> bytes:
        if self._token_bytes is None:
            self._token_bytes = self._build_token_bytes()
        if 0 <= token_id < len(self._token_bytes):
            return self._token_bytes[token_id]
        return b""

    def _build_token_bytes(self) -> list[bytes]:
        # only the decoder's config is needed; to_str() + json.loads of the whole tokenizer held
        # the GIL for ~70 ms (a visible UI stall on the first token)
        decoder = self.tok.decoder.__getstate__().decode("utf-8") if self.tok.decoder is not None else "{}"
        byte_level = '"ByteLevel"' in decoder
        byte_fallback = '"ByteFallback"' in decoder
        table = _byte_decoder()
        out: list[bytes] = []
        for i in range(self.vocab_size):
            piece = self.tok.id_to_token(i) or ""
            if i in self.special_ids:
                out.append(piece.encode("utf-8"))
            elif byte_level:
                out.append(bytes(table.get(c, 0x3F) for c in piece) if all(c in table for c in piece)
                           else piece.encode("utf-8"))
            elif byte_fallback and len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
                out.append(bytes([int(piece[3:5], 16)]))
            elif byte_fallback or "▁" in piece:
                out.append(piece.replace("▁", " ").encode("utf-8"))
            else:
                out.append(self.tok.decode([i], skip_special_tokens=False).encode("utf-8"))
        return out

    def piece(self, token_id: int) -> str:
        """A token's text for display (a lone partial character shows as U+FFFD)."""
        return self.token_bytes(token_id).decode("utf-8", errors="replace")

    def decode(self, ids: list[int]) -> str:
        return b"".join(self.token_bytes(i) for i in ids if i not in self.special_ids).decode(
            "utf-8", errors="replace")

    def stream(self) -> "StreamDecoder":
        return StreamDecoder(self)


class StreamDecoder:
    """Feeds token ids, returns only completed characters (``""`` while one is unfinished)."""

    def __init__(self, tokenizer: TextTokenizer) -> None:
        self._tok = tokenizer
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, token_id: int) -> str:
        if token_id in self._tok.special_ids:
            return ""
        return self._utf8.decode(self._tok.token_bytes(token_id))

    def flush(self) -> str:
        return self._utf8.decode(b"", final=True)
