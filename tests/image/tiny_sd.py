"""A tiny random-weight Stable Diffusion pipeline built with diffusers (test/benchmark helper).

Same architecture family as SD 1.x (UNet2DConditionModel, CLIPTextModel, AutoencoderKL with an
8× VAE), a few hundred kilobytes of weights, and a tiny CLIP BPE vocabulary written here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SCHEDULER = {"_class_name": "EulerDiscreteScheduler", "beta_start": 0.00085, "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "clip_sample": False,
             "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
             "prediction_type": "epsilon", "trained_betas": None}

WORDS = ["a", "cat", "dog", "red", "blue", "photo", "of", "the", "smiling", "house", "猫"]


def _bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def write_clip_tokenizer(folder: Path) -> int:
    """A byte-level CLIP BPE vocabulary: all bytes, whole-word merges for WORDS. Returns its size."""
    folder.mkdir(parents=True, exist_ok=True)
    chars = list(_bytes_to_unicode().values())
    vocab: list[str] = chars + [c + "</w>" for c in chars]
    merges: list[str] = []
    b2u = _bytes_to_unicode()
    for word in WORDS:
        sym = [b2u[b] for b in word.encode("utf-8")]
        sym[-1] += "</w>"
        while len(sym) > 1:
            merged = sym[0] + sym[1]
            line = f"{sym[0]} {sym[1]}"
            if line not in merges:
                merges.append(line)
                if merged not in vocab:
                    vocab.append(merged)
            sym = [merged] + sym[2:]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False),
                                       encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "CLIPTokenizer", "model_max_length": 77, "bos_token": "<|startoftext|>",
        "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>"}),
        encoding="utf-8")
    return len(vocab)


def build_tiny_diffusers(folder: Path, *, in_channels: int = 4, seed: int = 0, lcm: bool = False) -> Path:
    """Save a tiny random StableDiffusionPipeline in diffusers format; returns the folder."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    vocab_size = write_clip_tokenizer(folder / "tokenizer")
    unet = UNet2DConditionModel(
        sample_size=8, in_channels=in_channels, out_channels=4, layers_per_block=1,
        block_out_channels=(16, 32), norm_num_groups=8, cross_attention_dim=32, attention_head_dim=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        time_cond_proj_dim=16 if lcm else None)
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8,
                        block_out_channels=(8, 8, 16, 16), layers_per_block=1, sample_size=64,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    with torch.no_grad():
        # A near-zero log-variance makes diffusers' sampled VAE latents equal the mean we use.
        vae.quant_conv.weight[4:] = 0
        vae.quant_conv.bias[4:] = -30.0
    text = CLIPTextModel(CLIPTextConfig(
        bos_token_id=vocab_size - 2, eos_token_id=vocab_size - 1, pad_token_id=vocab_size - 1,
        hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
        vocab_size=vocab_size, max_position_embeddings=77, layer_norm_eps=1e-5))
    unet.save_pretrained(folder / "unet")
    vae.save_pretrained(folder / "vae")
    text.save_pretrained(folder / "text_encoder")
    EulerDiscreteScheduler.from_config(SCHEDULER).save_pretrained(folder / "scheduler")
    (folder / "model_index.json").write_text(json.dumps({
        "_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"],
        "vae": ["diffusers", "AutoencoderKL"], "text_encoder": ["transformers", "CLIPTextModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"],
        "scheduler": ["diffusers", "EulerDiscreteScheduler"]}), encoding="utf-8")
    return folder


@lru_cache(maxsize=4)
def load_reference(folder: Path, inpaint: bool = False):
    """The diffusers torch pipeline for a tiny folder (fp32, CPU)."""
    from diffusers import (StableDiffusionImg2ImgPipeline, StableDiffusionInpaintPipeline,
                           StableDiffusionPipeline)
    from transformers import CLIPTokenizer

    from diffusers import AutoencoderKL, EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextModel

    parts = dict(
        unet=UNet2DConditionModel.from_pretrained(folder / "unet").eval(),
        vae=AutoencoderKL.from_pretrained(folder / "vae").eval(),
        text_encoder=CLIPTextModel.from_pretrained(folder / "text_encoder").eval(),
        tokenizer=CLIPTokenizer.from_pretrained(folder / "tokenizer"),
        scheduler=EulerDiscreteScheduler.from_pretrained(folder / "scheduler"),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    if inpaint:
        return StableDiffusionInpaintPipeline(**parts)
    txt = StableDiffusionPipeline(**parts)
    return txt, StableDiffusionImg2ImgPipeline(**txt.components)
