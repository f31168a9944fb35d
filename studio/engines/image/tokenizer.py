"""Prompt tokenizer for image models: CLIP BPE from vocab.json/merges.txt, or any tokenizer.json.

Built with the ``tokenizers`` library exactly as ``transformers.CLIPTokenizer`` builds it, so the
ids match the ones a diffusers pipeline feeds its text encoder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.jobs import UserError

CLIP_SPLIT = (r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|"""
              r"""[^\s\p{L}\p{N}]+""")


@dataclass(frozen=True)
class Tokens:
    ids: np.ndarray  # int64 [B, T]
    mask: np.ndarray  # int64 [B, T], 1 = real token
    truncated: tuple[bool, ...]  # per prompt: was it cut to fit?


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _token_text(value) -> str | None:
    if isinstance(value, dict):  # {"content": "<|endoftext|>", ...} in special_tokens_map.json
        value = value.get("content")
    return value if isinstance(value, str) else None


class PromptTokenizer:
    """Pads/truncates every prompt to `max_length` tokens (77 for CLIP)."""

    def __init__(self, folder: Path, max_length: int = 77) -> None:
        from tokenizers import Tokenizer

        self.max_length = max_length
        cfg = {**_read_json(folder / "special_tokens_map.json"), **_read_json(folder / "tokenizer_config.json")}
        if (folder / "tokenizer.json").is_file():
            try:
                self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
            except Exception as exc:  # noqa: BLE001 - a broken file is the user's to fix
                raise UserError(f"The model's tokenizer.json cannot be read: {exc}") from None
            pad = _token_text(cfg.get("pad_token"))
            pad_id = self._tok.token_to_id(pad) if pad else None
            if pad_id is None:
                pad_id = self._tok.padding["pad_id"] if self._tok.padding else 0
        elif (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file():
            try:
                self._tok, pad_id = self._clip(folder, cfg)
            except UserError:
                raise
            except Exception as exc:  # noqa: BLE001 - a vocab.json that is not a token → id object, etc.
                raise UserError(f"The model's tokenizer (vocab.json + merges.txt) cannot be read: "
                                f"{str(exc).splitlines()[0][:200]}") from None
        else:
            raise UserError(f"The model's tokenizer folder ({folder}) has neither tokenizer.json nor "
                            "vocab.json + merges.txt.")
        self.pad_id = int(pad_id)
        self._tok.no_padding()
        self._tok.no_truncation()

    @staticmethod
    def _clip(folder: Path, cfg: dict):
        from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
        from tokenizers.models import BPE

        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        merges = [tuple(line.split()) for line in
                  (folder / "merges.txt").read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#version") and len(line.split()) == 2]
        bos = _token_text(cfg.get("bos_token")) or "<|startoftext|>"
        eos = _token_text(cfg.get("eos_token")) or "<|endoftext|>"
        unk = _token_text(cfg.get("unk_token")) or eos
        pad = _token_text(cfg.get("pad_token")) or eos
        tok = Tokenizer(BPE(vocab=vocab, merges=merges, dropout=None, continuing_subword_prefix="",
                            end_of_word_suffix="</w>", fuse_unk=False, unk_token=unk))
        tok.normalizer = normalizers.Sequence(
            [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(CLIP_SPLIT), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False)])
        tok.decoder = decoders.ByteLevel()
        tok.add_special_tokens([t for t in dict.fromkeys([bos, eos, unk, pad]) if t in vocab])
        if bos not in vocab or eos not in vocab:
            raise UserError("The model's CLIP vocabulary lacks its start/end tokens.")
        tok.post_processor = processors.RobertaProcessing((eos, vocab[eos]), (bos, vocab[bos]), False, False)
        return tok, vocab.get(pad, vocab[eos])

    def __call__(self, prompts: list[str]) -> Tokens:
        n = self.max_length
        ids = np.full((len(prompts), n), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(prompts), n), dtype=np.int64)
        truncated = []
        for row, text in enumerate(prompts):
            enc = self._tok.encode(text)
            seq = enc.ids
            cut = len(seq) > n
            if cut:  # keep the start and the end token, like transformers' truncation
                special = self._tok.encode("").ids
                tail = special[-1:] if special else []
                seq = seq[: n - len(tail)] + tail
            truncated.append(cut)
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        return Tokens(ids, mask, tuple(truncated))
