"""Build a ``tokenizers`` ``tokenizer.json`` (+ ``tokenizer_config.json``) from GGUF metadata.

The vocabulary, merges and special tokens come from the GGUF file; the pre-tokenizer is chosen
from llama.cpp's ``tokenizer.ggml.pre`` name, so the result splits text exactly as the model's
original Hugging Face tokenizer does. No hand-written BPE: encoding runs in ``tokenizers``.
"""

from __future__ import annotations

import json
from pathlib import Path

from studio.fileio import atomic_write_text
from studio.models.gguf_read import TokenizerMeta

# llama.cpp pre-tokenizer names → the split regex of the original tokenizer.
_GPT2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
_QWEN2 = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
          r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")
_LLAMA3 = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
           r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")
_PRE_REGEX = {"qwen2": _QWEN2, "deepseek-r1-qwen": _QWEN2, "llama3": _LLAMA3, "llama-bpe": _LLAMA3,
              "smaug-bpe": _LLAMA3}

CONTROL, USER_DEFINED, UNUSED, BYTE = 3, 4, 5, 6


def build_tokenizer(meta: TokenizerMeta):
    """A ``tokenizers.Tokenizer`` equivalent to the model's original tokenizer."""
    from tokenizers import AddedToken, Tokenizer

    if meta.model == "gpt2":
        tok = _byte_level_bpe(meta)
    elif meta.model == "llama":
        tok = _sentencepiece_bpe(meta)
    else:
        from studio.jobs import UserError

        raise UserError(f"This GGUF uses a '{meta.model}' tokenizer; Studio supports BPE "
                        "tokenizers (gpt2 and llama/SentencePiece styles).")
    special = [AddedToken(t, special=True, normalized=False)
               for t, ty in zip(meta.tokens, meta.types) if ty in (CONTROL, USER_DEFINED)]
    tok.add_special_tokens(special)
    _add_bos(tok, meta)
    return tok


def _byte_level_bpe(meta: TokenizerMeta):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

    vocab = {t: i for i, t in enumerate(meta.tokens)}
    merges = [tuple(m.split(" ", 1)) for m in meta.merges]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False))
    if meta.pre == "smollm":  # SmolLM/StarCoder: single digits, then GPT-2 splitting
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    elif meta.pre in _PRE_REGEX:
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(_PRE_REGEX[meta.pre]), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    else:  # "default", "gpt2" and unknown names: GPT-2's own regex
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    return tok


def _sentencepiece_bpe(meta: TokenizerMeta):
    """SentencePiece-BPE (Gemma, Llama 2): ▁ for spaces, <0xNN> byte fallback, merges by score."""
    from tokenizers import Tokenizer, decoders, models, normalizers

    vocab = {t: i for i, t in enumerate(meta.tokens)}
    merges = [tuple(m.split(" ", 1)) for m in meta.merges] or _merges_from_scores(meta)
    unk = meta.tokens[meta.unk_id] if meta.unk_id is not None and meta.unk_id < len(meta.tokens) else None
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token=unk, fuse_unk=True,
                               byte_fallback=True))
    norm = [normalizers.Replace(" ", "▁")]
    if meta.add_space_prefix:
        norm.insert(0, normalizers.Prepend("▁"))
    tok.normalizer = normalizers.Sequence(norm)
    dec = [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()]
    if meta.add_space_prefix:
        dec.append(decoders.Strip(content=" ", left=1, right=0))
    tok.decoder = decoders.Sequence(dec)
    return tok


def _merges_from_scores(meta: TokenizerMeta) -> list[tuple[str, str]]:
    """SentencePiece stores scores, not merges: a merge exists where both halves are tokens,
    ranked by the score of the merged token (higher first)."""
    vocab = {t: i for i, t in enumerate(meta.tokens)}
    scores = meta.scores or [0.0] * len(meta.tokens)
    found: list[tuple[float, int, str, str]] = []
    for tok, idx in vocab.items():
        if len(tok) < 2 or meta.types[idx] in (CONTROL, USER_DEFINED, UNUSED, BYTE):
            continue
        for cut in range(1, len(tok)):
            left, right = tok[:cut], tok[cut:]
            if left in vocab and right in vocab:
                found.append((-scores[idx], vocab[left] + vocab[right], left, right))
    found.sort()
    return [(l, r) for _, _, l, r in found]


def _add_bos(tok, meta: TokenizerMeta) -> None:
    from tokenizers import processors

    if meta.add_bos and meta.bos_id is not None:
        bos = meta.tokens[meta.bos_id]
        tok.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, meta.bos_id)])


def write_tokenizer(meta: TokenizerMeta, folder: Path) -> None:
    """Write ``tokenizer.json`` and ``tokenizer_config.json`` (chat template, special tokens)."""
    tok = build_tokenizer(meta)
    atomic_write_text(folder / "tokenizer.json", tok.to_str())

    def name(i: int | None) -> str | None:
        return meta.tokens[i] if i is not None and 0 <= i < len(meta.tokens) else None

    eos_ids = [i for i in [meta.eos_id, *meta.eot_ids] if i is not None]
    if meta.chat_template and "<|im_end|>" in meta.chat_template and "<|im_end|>" in meta.tokens:
        eos_ids.append(meta.tokens.index("<|im_end|>"))  # chat turns end here, not at eos
    if "<end_of_turn>" in meta.tokens:
        eos_ids.append(meta.tokens.index("<end_of_turn>"))
    config = {
        "bos_token": name(meta.bos_id), "eos_token": name(meta.eos_id),
        "unk_token": name(meta.unk_id), "pad_token": name(meta.pad_id),
        "add_bos_token": meta.add_bos, "chat_template": meta.chat_template or None,
        "eos_token_ids": sorted(set(eos_ids)),
    }
    atomic_write_text(folder / "tokenizer_config.json", json.dumps(config, indent=2, ensure_ascii=False))
