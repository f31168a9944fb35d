"""Tiny real artefacts for the training tests: images, npm-like tarballs, a 1-layer BERT."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

COLOURS = {"1F600": (250, 200, 40), "1F431": (230, 140, 40), "2764-FE0F": (220, 30, 40), "1F355": (240, 180, 90)}


def png(colour: tuple[int, int, int], shape: str = "circle", size: int = 64) -> bytes:
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    px = np.zeros((size, size, 4), np.uint8)
    yy, xx = np.mgrid[:size, :size]
    inside = (xx - size / 2) ** 2 + (yy - size / 2) ** 2 < (size / 3) ** 2 if shape == "circle" else \
        (abs(xx - size / 2) < size / 3) & (abs(yy - size / 2) < size / 4)
    px[inside] = (*colour, 255)
    im = Image.fromarray(px, "RGBA")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _add(tf: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tf.addfile(info, io.BytesIO(data))


def fake_npm_sources(folder: Path) -> dict[str, Path]:
    """Tarballs laid out like emoji-datasource-{google,twitter} and emojibase-data."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for key, shape in (("google", "circle"), ("twitter", "square")):
        meta = []
        path = folder / f"{key}.tgz"
        with tarfile.open(path, "w:gz") as tf:
            for hexcode, colour in COLOURS.items():
                img = hexcode.lower() + ".png"
                entry = {"unified": hexcode, "image": img, f"has_img_{key}": True}
                if hexcode == "1F600":  # one skin-tone-like variant
                    entry["skin_variations"] = {"1F3FB": {"unified": "1F600-1F3FB", "image": "1f600-1f3fb.png"}}
                    _add(tf, f"package/img/{key}/64/1f600-1f3fb.png", png((255, 220, 180), shape))
                meta.append(entry)
                _add(tf, f"package/img/{key}/64/{img}", png(colour, shape))
            _add(tf, "package/emoji.json", json.dumps(meta).encode())
        out[key] = path
    base = [
        {"label": "grinning face", "hexcode": "1F600", "tags": ["face", "grin"], "group": 0,
         "skins": [{"label": "grinning face: light skin tone", "hexcode": "1F600-1F3FB"}]},
        {"label": "cat face", "hexcode": "1F431", "tags": ["cat", "pet"], "group": 3},
        {"label": "red heart", "hexcode": "2764-FE0F", "tags": ["heart", "love"], "group": 8},
        {"label": "pizza", "hexcode": "1F355", "tags": ["cheese", "slice"], "group": 4},
        {"label": "没有图片", "hexcode": "1F9FF", "tags": ["中文"], "group": 7},  # no image: skipped
    ]
    path = folder / "emojibase.tgz"
    with tarfile.open(path, "w:gz") as tf:
        _add(tf, "package/en/data.json", json.dumps(base, ensure_ascii=False).encode())
    out["emojibase"] = path
    return out


def tiny_bert(folder: Path) -> Path:
    """A 1-layer BERT (hidden 384, random weights) with a WordPiece tokenizer.json, saved like
    the sentence-transformers folder text.export_encoder reads."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "cat", "face", "red", "heart", "pizza",
             "grinning", "smiling", "happy", "style", "noto", "twemoji", ",", ":", "light", "skin", "tone"]
    vocab = {w: i for i, w in enumerate(words)}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps({"pad_token": "[PAD]", "model_max_length": 32}))
    (folder / "special_tokens_map.json").write_text(json.dumps({"pad_token": "[PAD]", "cls_token": "[CLS]"}))
    import torch

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(words), hidden_size=384, num_hidden_layers=1, num_attention_heads=4,
                     intermediate_size=64, max_position_embeddings=64)
    BertModel(cfg).save_pretrained(str(folder))
    return folder
