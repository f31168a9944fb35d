"""Cheap live previews: a linear latent → RGB projection (no VAE run), a few microseconds a step."""

from __future__ import annotations

import numpy as np


def latent_preview(latent: np.ndarray, factors, bias=(0.0, 0.0, 0.0), scale: int = 1) -> np.ndarray:
    """One latent [C, h, w] → h×w×3 uint8 (optionally upscaled by `scale` with nearest pixels)."""
    f = np.asarray(factors, dtype=np.float32)
    c = min(latent.shape[0], f.shape[0])
    rgb = np.tensordot(latent[:c].astype(np.float32), f[:c], axes=([0], [0]))  # h×w×3
    rgb = (rgb + np.asarray(bias, np.float32) + 1.0) * 127.5
    img = np.clip(rgb, 0, 255).astype(np.uint8)
    if scale > 1:
        img = img.repeat(scale, axis=0).repeat(scale, axis=1)
    return img


def to_uint8(image: np.ndarray) -> np.ndarray:
    """H×W×3 float in [0, 1] → uint8, rounded like diffusers' numpy_to_pil."""
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)
