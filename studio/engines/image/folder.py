"""The image model folder contract: Optimum ONNX Stable Diffusion layout + optional manifest.json.

Reads and validates a folder once (no sessions are created here) and resolves every default the
engine needs: native size, steps, guidance, scheduler, VAE scaling, preview factors, fast mode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from studio.engines.image.schedulers import SCHEDULERS, default_scheduler_name
from studio.jobs import UserError

REQUIRED = {
    "text_encoder/model.onnx": "text encoder",
    "unet/model.onnx": "UNet",
    "vae_decoder/model.onnx": "VAE decoder",
    "scheduler/scheduler_config.json": "scheduler config",
}

# Stable Diffusion 1.x latent → RGB projection (the widely used approximation from the
# community's live-preview code): good enough to see composition and colour while sampling.
SD1_LATENT_RGB = [[0.3512, 0.2297, 0.3227], [0.3250, 0.4974, 0.2350],
                  [-0.2829, 0.1762, 0.2721], [-0.2120, -0.2616, -0.7177]]


@dataclass(frozen=True)
class FastMode:
    unet: Path
    steps: int
    scheduler: str
    guidance: float


@dataclass(frozen=True)
class ImageModelFolder:
    path: Path
    name: str
    manifest: dict
    scheduler_config: dict
    native_size: tuple[int, int]  # (W, H)
    default_steps: int
    default_guidance: float
    default_scheduler: str
    text_max_length: int
    scaling_factor: float
    shift_factor: float
    unet_config: dict = field(default_factory=dict)
    latent_rgb_factors: tuple[tuple[float, ...], ...] = ()
    latent_rgb_bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    fast: FastMode | None = None

    @property
    def has_encoder(self) -> bool:
        return (self.path / "vae_encoder" / "model.onnx").is_file()

    def part(self, rel: str) -> Path:
        return self.path / rel


def _json(path: Path, what: str) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"The {what} ({path.name}) cannot be read: {exc}") from None
    return data if isinstance(data, dict) else {}


def missing_parts(path: Path) -> list[str]:
    """Human names of the required parts a folder lacks ("" list = complete)."""
    missing = [f"{what} ({rel})" for rel, what in REQUIRED.items() if not (path / rel).is_file()]
    tok = path / "tokenizer"
    if not ((tok / "tokenizer.json").is_file() or
            ((tok / "vocab.json").is_file() and (tok / "merges.txt").is_file())):
        missing.append("tokenizer (tokenizer/vocab.json + merges.txt, or tokenizer/tokenizer.json)")
    return missing


def load_folder(path: Path) -> ImageModelFolder:
    path = Path(path)
    if not path.is_dir():
        raise UserError(f"The image model folder {path} does not exist.")
    missing = missing_parts(path)
    if missing:
        raise UserError(f"The image model in {path.name} is incomplete: it lacks the "
                        f"{', '.join(missing)}.")
    manifest = _json(path / "manifest.json", "model manifest")
    sched = _json(path / "scheduler" / "scheduler_config.json", "scheduler config")
    unet_cfg = _json(path / "unet" / "config.json", "UNet config")
    vae_cfg = _json(path / "vae_decoder" / "config.json", "VAE config") or \
        _json(path / "vae_encoder" / "config.json", "VAE config")

    size = manifest.get("native_size")
    if not (isinstance(size, list) and len(size) == 2):
        side = int(unet_cfg.get("sample_size", 64) or 64) * 8  # SD: latent 64 → 512 px
        size = [side, side]
    scheduler = manifest.get("default_scheduler") or default_scheduler_name(sched)
    if scheduler not in SCHEDULERS:
        raise UserError(f"The model's default scheduler '{scheduler}' is not one Studio knows.")
    factors = manifest.get("latent_rgb_factors") or SD1_LATENT_RGB
    bias = manifest.get("latent_rgb_bias") or [0.0, 0.0, 0.0]
    fast = None
    if isinstance(manifest.get("fast"), dict):
        f = manifest["fast"]
        unet = path / f.get("unet", "unet_fast/model.onnx")
        if unet.is_file():
            fast = FastMode(unet, int(f.get("steps", 4)), str(f.get("scheduler", "lcm")),
                            float(f.get("guidance", 1.0)))
    return ImageModelFolder(
        path=path,
        name=str(manifest.get("name") or path.name),
        manifest=manifest,
        scheduler_config=sched,
        native_size=(int(size[0]), int(size[1])),
        default_steps=int(manifest.get("default_steps", 25)),
        default_guidance=float(manifest.get("default_guidance", 7.5)),
        default_scheduler=scheduler,
        text_max_length=int(manifest.get("text_max_length", 77)),
        scaling_factor=float(vae_cfg.get("scaling_factor", 0.18215) or 0.18215),
        shift_factor=float(vae_cfg.get("shift_factor", 0.0) or 0.0),
        unet_config=unet_cfg,
        latent_rgb_factors=tuple(tuple(float(v) for v in row) for row in factors),
        latent_rgb_bias=(float(bias[0]), float(bias[1]), float(bias[2])),
        fast=fast,
    )
