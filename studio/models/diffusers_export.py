"""Export a diffusers Stable Diffusion folder (or an SD 1.x .safetensors) to Studio's ONNX layout.

Export path only: imports torch/diffusers, so the app runs it in a child process:

    python -m studio.models.diffusers_export SRC OUT [--fp16] [--no-optimize] [--tokenizer DIR]

SRC is a diffusers folder (``model_index.json`` + ``unet/``, ``vae/``, ``text_encoder/``,
``tokenizer/``, ``scheduler/``) or a single SD 1.x ``.safetensors`` checkpoint. OUT receives the
Hugging Face Optimum ONNX layout (``text_encoder/model.onnx``, ``unet/model.onnx`` with external
weights when large, ``vae_decoder/``, ``vae_encoder/``, ``tokenizer/``, ``scheduler/``) plus
``model_index.json``. Progress lines go to stdout as ``PROGRESS <done> <total> <message>``.
Pickle checkpoints are only ever opened with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

OPSET = 17
LARGE = 1 << 30  # save weights as external data above this size (protobuf's limit is 2 GiB)


class ExportError(Exception):
    """A refusal with one clear sentence (printed as ``ERROR <message>`` by main)."""


def _progress(done: int, total: int, message: str) -> None:
    print(f"PROGRESS {done} {total} {message}", flush=True)


# ── loading ───────────────────────────────────────────────────────────────────────────────


def load_components(src: Path, tokenizer_dir: Path | None = None) -> dict[str, Any]:
    """unet, vae, text_encoder (torch modules, fp32, eval), scheduler config, tokenizer folder."""
    if src.is_dir():
        return _load_diffusers_folder(src)
    suffix = src.suffix.lower()
    if suffix == ".safetensors":
        return _load_single_file(src, tokenizer_dir)
    if suffix in (".ckpt", ".pt", ".pth", ".bin"):
        return _load_pickle(src, tokenizer_dir)
    raise ExportError(f"{src.name} is neither a diffusers folder nor a .safetensors checkpoint.")


def _load_diffusers_folder(src: Path) -> dict[str, Any]:
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel

    for part in ("unet", "vae", "text_encoder", "tokenizer", "scheduler"):
        if not (src / part).is_dir():
            raise ExportError(f"The diffusers folder {src.name} has no '{part}' folder.")
    unet = UNet2DConditionModel.from_pretrained(src / "unet").float().eval()
    vae = AutoencoderKL.from_pretrained(src / "vae").float().eval()
    text = CLIPTextModel.from_pretrained(src / "text_encoder").float().eval()
    sched = json.loads((src / "scheduler" / "scheduler_config.json").read_text(encoding="utf-8"))
    return {"unet": unet, "vae": vae, "text_encoder": text, "scheduler": sched,
            "tokenizer_dir": src / "tokenizer"}


# SD 1.x architecture (the configs every SD 1.x checkpoint shares).
SD1_UNET = dict(sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
                block_out_channels=[320, 640, 1280, 1280], cross_attention_dim=768,
                attention_head_dim=8,
                down_block_types=["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"],
                up_block_types=["UpBlock2D"] + ["CrossAttnUpBlock2D"] * 3)
SD1_VAE = dict(in_channels=3, out_channels=3, latent_channels=4, sample_size=512,
               block_out_channels=[128, 256, 512, 512], layers_per_block=2,
               down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4)
SD1_TEXT = dict(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu",
                projection_dim=768)
SD1_SCHEDULER = {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
                 "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "clip_sample": False,
                 "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
                 "prediction_type": "epsilon", "trained_betas": None}


def _load_single_file(src: Path, tokenizer_dir: Path | None) -> dict[str, Any]:
    from safetensors.torch import load_file

    return _from_state_dict(load_file(str(src)), src, tokenizer_dir)


def _load_pickle(src: Path, tokenizer_dir: Path | None) -> dict[str, Any]:
    import torch

    try:  # never unpickle arbitrary objects: tensors and plain containers only
        state = torch.load(str(src), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001
        raise ExportError(f"{src.name} contains more than plain weights (Python objects), so Studio "
                          f"will not open it. Convert it to .safetensors first.") from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    return _from_state_dict(state, src, tokenizer_dir)


def _from_state_dict(state: dict, src: Path, tokenizer_dir: Path | None) -> dict[str, Any]:
    """Build SD 1.x modules from an original (LDM-format) checkpoint's tensors."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from diffusers.loaders.single_file_utils import (convert_ldm_clip_checkpoint,
                                                     convert_ldm_unet_checkpoint,
                                                     convert_ldm_vae_checkpoint)
    from transformers import CLIPTextConfig, CLIPTextModel

    if not any(k.startswith("model.diffusion_model.") for k in state):
        raise ExportError(f"{src.name} is not a Stable Diffusion 1.x checkpoint (no UNet weights).")
    if "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight" not in state:
        raise ExportError(f"{src.name} is not an SD 1.x checkpoint (its text encoder is not CLIP ViT-L).")
    unet = UNet2DConditionModel(**SD1_UNET)
    unet.load_state_dict(convert_ldm_unet_checkpoint(state, dict(unet.config)))
    vae = AutoencoderKL(**SD1_VAE)
    vae.load_state_dict(convert_ldm_vae_checkpoint(state, dict(vae.config)))
    text = CLIPTextModel(CLIPTextConfig(**SD1_TEXT))
    missing, _ = text.load_state_dict(convert_ldm_clip_checkpoint(state), strict=False)
    if [k for k in missing if "position_ids" not in k]:
        raise ExportError(f"{src.name} has an incomplete text encoder ({len(missing)} tensors missing).")
    tok = tokenizer_dir or _find_clip_tokenizer()
    return {"unet": unet.float().eval(), "vae": vae.float().eval(), "text_encoder": text.float().eval(),
            "scheduler": dict(SD1_SCHEDULER), "tokenizer_dir": tok}


def _find_clip_tokenizer() -> Path:
    """CLIP ViT-L's tokenizer from an installed SD 1.x model (single files do not carry one)."""
    try:
        from studio import paths

        roots = [paths.models_dir(), paths.builtin_models_dir()]
    except Exception:  # noqa: BLE001 - no Studio data folder: fall through to the refusal
        roots = []
    for root in roots:
        for vocab in sorted(Path(root).glob("*/tokenizer/vocab.json")):
            try:
                if len(json.loads(vocab.read_text(encoding="utf-8"))) == SD1_TEXT["vocab_size"] \
                        and (vocab.parent / "merges.txt").is_file():
                    return vocab.parent
            except (OSError, ValueError):
                continue
    raise ExportError("A single-file checkpoint carries no tokenizer: pass --tokenizer with a folder "
                      "holding CLIP's vocab.json and merges.txt (any SD 1.x model's tokenizer/ folder).")


# ── export ────────────────────────────────────────────────────────────────────────────────


def _export(module, args: tuple, path: Path, inputs: list[str], outputs: list[str],
            axes: dict[str, dict[int, str]]) -> None:
    import onnx
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        raw = Path(tmp) / "model.onnx"
        with torch.inference_mode():
            # The TorchScript exporter gives correct, fast graphs for these models with dynamic
            # batch/height/width; the dynamo exporter is slower to run and fussier with them.
            torch.onnx.export(module, args, str(raw), input_names=inputs, output_names=outputs,
                              dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True,
                              dynamo=False)
        model = onnx.load(str(raw), load_external_data=True)
        big = sum(t.ByteSize() for t in model.graph.initializer) > LARGE
        for old in path.parent.glob(path.name + "*"):
            old.unlink()
        onnx.save_model(model, str(path), save_as_external_data=big, all_tensors_to_one_file=True,
                        location=path.name + ".data" if big else None)


class _TextEncoder:
    @staticmethod
    def wrap(text):
        import torch

        class M(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.m = text

            def forward(self, input_ids):
                return self.m(input_ids=input_ids, return_dict=False)[0]
        return M()


def _unet_wrapper(unet):
    import torch

    cond = bool(unet.config.get("time_cond_proj_dim"))

    class M(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = unet

        def forward(self, sample, timestep, encoder_hidden_states, timestep_cond=None):
            return self.m(sample, timestep, encoder_hidden_states, timestep_cond=timestep_cond,
                          return_dict=False)[0]
    return M(), cond


def _vae_wrappers(vae):
    import torch

    class Dec(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = vae

        def forward(self, latent_sample):
            return self.m.decode(latent_sample, return_dict=False)[0]

    class Enc(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = vae

        def forward(self, sample):
            return self.m.encode(sample, return_dict=False)[0].mean  # deterministic: the mean
    return Dec(), Enc()


def export_components(comp: dict[str, Any], out: Path, *, fp16: bool = False, optimize: bool = False,
                      sample_px: int = 64) -> Path:
    """Write the ONNX layout into `out` (created; existing parts replaced). Returns `out`."""
    import torch

    out.mkdir(parents=True, exist_ok=True)
    unet, vae, text = comp["unet"], comp["vae"], comp["text_encoder"]
    total = 6
    seq = int(text.config.max_position_embeddings)
    lat_c = int(vae.config.latent_channels)
    side = max(8, sample_px // 8)

    _progress(0, total, "text encoder")
    ids = torch.zeros((1, seq), dtype=torch.int64)
    _export(_TextEncoder.wrap(text), (ids,), out / "text_encoder" / "model.onnx", ["input_ids"],
            ["last_hidden_state"], {"input_ids": {0: "batch"}, "last_hidden_state": {0: "batch"}})

    _progress(1, total, "UNet")
    wrapper, has_cond = _unet_wrapper(unet)
    in_c = int(unet.config.in_channels)
    hidden = int(text.config.hidden_size)
    # Trace at an odd latent size: diffusers then passes explicit upsample sizes taken from the skip
    # connections, so the graph works at every multiple of 8 pixels, not only multiples of 64.
    odd = side + 1 if side % 2 == 0 else side
    args: tuple = (torch.randn(2, in_c, odd, odd), torch.tensor([999.0, 999.0]),
                   torch.randn(2, seq, hidden))
    names = ["sample", "timestep", "encoder_hidden_states"]
    axes = {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "batch"},
            "encoder_hidden_states": {0: "batch", 1: "sequence"}, "out_sample": {0: "batch", 2: "height", 3: "width"}}
    if has_cond:
        args = args + (torch.randn(2, int(unet.config.time_cond_proj_dim)),)
        names.append("timestep_cond")
        axes["timestep_cond"] = {0: "batch"}
    _export(wrapper, args, out / "unet" / "model.onnx", names, ["out_sample"], axes)

    _progress(2, total, "VAE decoder")
    dec, enc = _vae_wrappers(vae)
    _export(dec, (torch.randn(1, lat_c, side, side),), out / "vae_decoder" / "model.onnx",
            ["latent_sample"], ["sample"],
            {"latent_sample": {0: "batch", 2: "height", 3: "width"}, "sample": {0: "batch", 2: "h", 3: "w"}})

    _progress(3, total, "VAE encoder")
    _export(enc, (torch.randn(1, 3, side * 8, side * 8),), out / "vae_encoder" / "model.onnx",
            ["sample"], ["latent_sample"],
            {"sample": {0: "batch", 2: "height", 3: "width"}, "latent_sample": {0: "batch", 2: "h", 3: "w"}})

    _progress(4, total, "configs and tokenizer")
    _write_configs(comp, out)

    if optimize or fp16:
        _progress(5, total, "optimising" + (" (fp16)" if fp16 else ""))
        optimise_folder(out, fp16=fp16, optimize=optimize, heads=int(text.config.num_attention_heads),
                        hidden=int(text.config.hidden_size))
    _progress(total, total, "done")
    return out


def _write_configs(comp: dict[str, Any], out: Path) -> None:
    def dump(path: Path, data: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_plain(data), indent=2, ensure_ascii=False), encoding="utf-8")

    dump(out / "unet" / "config.json", dict(comp["unet"].config))
    dump(out / "vae_decoder" / "config.json", dict(comp["vae"].config))
    dump(out / "vae_encoder" / "config.json", dict(comp["vae"].config))
    dump(out / "text_encoder" / "config.json", comp["text_encoder"].config.to_dict())
    dump(out / "scheduler" / "scheduler_config.json", comp["scheduler"])
    tok = Path(comp["tokenizer_dir"])
    (out / "tokenizer").mkdir(parents=True, exist_ok=True)
    for f in tok.iterdir():
        if f.is_file() and f.suffix in (".json", ".txt"):
            shutil.copyfile(f, out / "tokenizer" / f.name)
    dump(out / "model_index.json", {
        "_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.42.1",
        "text_encoder": ["diffusers", "OnnxRuntimeModel"], "unet": ["diffusers", "OnnxRuntimeModel"],
        "vae_decoder": ["diffusers", "OnnxRuntimeModel"], "vae_encoder": ["diffusers", "OnnxRuntimeModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"],
        "scheduler": ["diffusers", comp["scheduler"].get("_class_name", "PNDMScheduler")]})


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _patch_ort_unet_fusion() -> None:
    """onnxruntime 1.31's UNet attention fusion calls int() on a 1-element array, which numpy 2
    refuses; read the head count the way it meant to."""
    import numpy as np
    import onnxruntime.transformers.optimizer  # noqa: F401 - puts its folder on sys.path
    import fusion_attention_unet as fau  # the optimizer imports its modules by top-level name

    if getattr(fau.FusionAttentionUnet, "_studio_patched", False):
        return
    original = fau.FusionAttentionUnet.get_num_heads

    def get_num_heads(self, reshape_q, is_torch2: bool = False) -> int:
        if not is_torch2:
            return original(self, reshape_q, is_torch2)
        parent = self.model.get_parent(reshape_q, 1)
        if parent is not None and parent.op_type == "Concat" and len(parent.input) == 4:
            value = self.model.get_constant_value(parent.input[2])
            if isinstance(value, np.ndarray) and value.size == 1 and int(value.reshape(-1)[0]) > 0:
                return int(value.reshape(-1)[0])
        return 0

    fau.FusionAttentionUnet.get_num_heads = get_num_heads
    fau.FusionAttentionUnet._studio_patched = True


def _fusion_options(kind: str, gpu: bool):
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions(kind)
    if not gpu:  # these fused ops only have CUDA kernels; attention/LayerNorm fusions run anywhere
        for name in ("enable_nhwc_conv", "enable_group_norm", "enable_skip_group_norm",
                     "enable_bias_splitgelu", "enable_bias_add", "enable_packed_qkv", "enable_packed_kv"):
            if hasattr(options, name):
                setattr(options, name, False)
    return options


def optimise_folder(out: Path, *, fp16: bool, optimize: bool, heads: int = 0, hidden: int = 0) -> None:
    """ONNX Runtime's transformer optimisations (attention/LayerNorm fusions) and/or fp16 weights.

    Without fp16 only fusions with CPU kernels are used, so the folder runs on CPU and CUDA.
    fp16 (CUDA) also fuses GroupNorm/NHWC convolutions and keeps float32 inputs/outputs, so the
    engine feeds the same arrays either way.
    """
    for part, kind in (("unet", "unet"), ("vae_decoder", "vae"), ("vae_encoder", "vae"),
                       ("text_encoder", "clip")):
        path = out / part / "model.onnx"
        optimise_file(path, path, kind, fp16=fp16, optimize=optimize, heads=heads, hidden=hidden)


def attention_to_mha(model) -> int:
    """Rewrite fused self-attention ``Attention`` nodes as MatMul + Split + ``MultiHeadAttention``.

    On CPU the Attention kernel materialises the full S×S score matrix (2.6 s for one 4096-token
    layer here) while MultiHeadAttention uses a blocked kernel (0.9 s, like torch's SDPA); CUDA
    runs both. Returns the number of nodes rewritten.
    """
    from onnx import helper

    graph = model.graph
    inits = {t.name for t in graph.initializer}
    count = 0
    for i, node in enumerate(list(graph.node)):
        if node.op_type != "Attention" or node.domain != "com.microsoft" or len(node.input) < 3 \
                or node.input[1] not in inits or len(node.input) > 3 and any(node.input[3:]):
            continue
        heads = next((a.i for a in node.attribute if a.name == "num_heads"), 0)
        if not heads or any(a.name == "qkv_hidden_sizes" for a in node.attribute):
            continue
        name = node.name or f"attention_{i}"
        qkv, q, k, v = (f"{name}_{x}" for x in ("qkv", "q", "k", "v"))
        new = [helper.make_node("MatMul", [node.input[0], node.input[1]], [qkv], name=f"{name}_MatMul"),
               helper.make_node("Split", [qkv], [q, k, v], name=f"{name}_Split", axis=-1, num_outputs=3),
               helper.make_node("MultiHeadAttention", [q, k, v, node.input[2]], [node.output[0]],
                                name=f"{name}_MHA", domain="com.microsoft", num_heads=heads)]
        pos = list(graph.node).index(node)
        graph.node.remove(node)
        for j, n in enumerate(new):
            graph.node.insert(pos + j, n)
        count += 1
    if count and not any(o.domain == "" and o.version >= 18 for o in model.opset_import):
        for o in model.opset_import:  # Split's num_outputs attribute needs opset 18
            if o.domain in ("", "ai.onnx"):
                o.version = max(o.version, 18)
    return count


def optimise_file(src: Path, dst: Path, kind: str, *, fp16: bool, optimize: bool = True, heads: int = 0,
                  hidden: int = 0) -> None:
    """optimise_folder for one model file (`kind`: unet | vae | clip); `dst` may equal `src`."""
    import onnx
    from onnxruntime.transformers.optimizer import optimize_model

    _patch_ort_unet_fusion()
    if optimize:
        opt = optimize_model(str(src), model_type=kind, num_heads=heads if kind == "clip" else 0,
                             hidden_size=hidden if kind == "clip" else 0, opt_level=0, use_gpu=fp16,
                             optimization_options=_fusion_options(kind, fp16))
        model = opt.model
        if kind == "unet" and not fp16:
            attention_to_mha(model)
    else:
        model = onnx.load(str(src), load_external_data=True)
    if fp16 and kind in ("unet", "clip"):  # the VAE stays fp32: it overflows in fp16
        from onnxruntime.transformers.float16 import convert_float_to_float16

        model = convert_float_to_float16(model, keep_io_types=True, disable_shape_infer=True,
                                         op_block_list=["Resize", "RandomNormalLike"])
    big = sum(t.ByteSize() for t in model.graph.initializer) > LARGE
    dst.parent.mkdir(parents=True, exist_ok=True)
    for old in dst.parent.glob(dst.name + "*"):
        old.unlink()
    onnx.save_model(model, str(dst), save_as_external_data=big, all_tensors_to_one_file=True,
                    location=dst.name + ".data" if big else None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m studio.models.diffusers_export",
                                 description="Export a Stable Diffusion model to Studio's ONNX layout.")
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--fp16", action="store_true", help="fp16 weights (for CUDA)")
    ap.add_argument("--optimize", action=argparse.BooleanOptionalAction, default=True,
                    help="ONNX Runtime's attention/LayerNorm fusions (default on; faster attention layers, "
                         "the whole SD 1.5 UNet step measured the same on a 2-core CPU)")
    ap.add_argument("--tokenizer", type=Path, default=None,
                    help="CLIP tokenizer folder for single-file checkpoints")
    args = ap.parse_args(argv)
    try:
        comp = load_components(args.src, args.tokenizer)
        export_components(comp, args.out, fp16=args.fp16, optimize=args.optimize)
    except ExportError as exc:
        print(f"ERROR {exc}", flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
