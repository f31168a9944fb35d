"""The caption prior: snap a prompt's sentence vector onto the captions the generator learned.

The generator only ever saw the ~16k MiniLM vectors of its training captions. A new phrasing
("a happy kitty") lands between them, where the mean branch and the UNet interpolate poorly;
MiniLM itself already ranks the right caption first for most such prompts. So the exported text
encoder ends with a soft nearest-neighbour step over the training captions (attention with
temperature ``tau``, keys = values = caption vectors), blended with the raw vector by ``alpha``
and re-normalised: the picture comes from captions the model knows. The empty prompt (the
unconditional side of guidance) passes through unchanged. A retrieval prior over *text* only,
in the spirit of DALL-E 2's prior; no image is retrieved. Costs compositionality of unusual
prompts ("a blue cat" leans towards the nearest known captions) and is off with
``studio-train export --no-caption-prior``.

The caption table is stored int8 (one global scale: vectors are unit length, error ~1e-3 per
entry) to keep the folder small: 16,213 x 384 = 6.2 MB.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def train_caption_vectors(work: Path) -> np.ndarray:
    """Unit vectors of every caption of a training image (held-out concepts excluded)."""
    from studio.training.data import Dataset

    ds = Dataset.load(work / "dataset.npz")
    caps = ds.image_captions[ds.train_indices()]
    used = np.unique(caps[caps >= 0])
    return np.load(work / "text_emb.npy")[used].astype(np.float32)


def add_to_encoder(path: Path, captions: np.ndarray, tau: float, alpha: float) -> None:
    """Append the prior to an exported text encoder (output name and shape [B,1,384] kept)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    g = model.graph
    out = g.output[0].name
    raw = out + "_raw"
    for node in g.node:
        node.output[:] = [raw if o == out else o for o in node.output]
    scale = float(np.abs(captions).max()) / 127.0
    q8 = np.clip(np.round(captions / scale), -127, 127).astype(np.int8)
    g.initializer.extend([
        numpy_helper.from_array(q8, "prior_captions_int8"),
        numpy_helper.from_array(np.array(scale, np.float32), "prior_scale"),
        numpy_helper.from_array(np.array(1.0 / tau, np.float32), "prior_inv_tau"),
        numpy_helper.from_array(np.array(alpha, np.float32), "prior_alpha"),
        numpy_helper.from_array(np.array(1.0 - alpha, np.float32), "prior_beta"),
        numpy_helper.from_array(np.array([1], np.int64), "prior_axis1"),
        numpy_helper.from_array(np.array(2, np.int64), "prior_two"),
    ])
    n = helper.make_node
    g.node.extend([
        n("DequantizeLinear", ["prior_captions_int8", "prior_scale"], ["prior_E"]),
        n("Squeeze", [raw, "prior_axis1"], ["prior_q"]),  # [B,384]
        n("Gemm", ["prior_q", "prior_E"], ["prior_sim"], transB=1),  # [B,N] cosines
        n("Mul", ["prior_sim", "prior_inv_tau"], ["prior_logits"]),
        n("Softmax", ["prior_logits"], ["prior_w"], axis=-1),
        n("MatMul", ["prior_w", "prior_E"], ["prior_s"]),
        n("Mul", ["prior_q", "prior_alpha"], ["prior_qa"]),
        n("Mul", ["prior_s", "prior_beta"], ["prior_sb"]),
        n("Add", ["prior_qa", "prior_sb"], ["prior_mix"]),
        n("LpNormalization", ["prior_mix"], ["prior_unit"], axis=-1, p=2),
        # "" (only [CLS] [SEP] unmasked) is guidance's unconditional side: leave it as trained
        n("ReduceSum", ["attention_mask", "prior_axis1"], ["prior_len"], keepdims=0),
        n("LessOrEqual", ["prior_len", "prior_two"], ["prior_empty"]),
        n("Unsqueeze", ["prior_empty", "prior_axis1"], ["prior_empty2"]),
        n("Where", ["prior_empty2", "prior_q", "prior_unit"], ["prior_out"]),
        n("Unsqueeze", ["prior_out", "prior_axis1"], [out]),
    ])
    del g.value_info[:]  # shapes of the renamed tensor are re-inferred
    model.graph.output[0].type.tensor_type.elem_type = TensorProto.FLOAT
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
