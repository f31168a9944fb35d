"""``studio models import PATH`` for image models: ONNX folders are validated and copied; diffusers
folders and SD 1.x checkpoints are exported to ONNX in a child process (torch never loads here).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

from studio import paths
from studio.engines.image.folder import load_folder, missing_parts
from studio.engines.image.schedulers import default_scheduler_name
from studio.fileio import atomic_write_text
from studio.jobs import UserError

ProgressFn = Callable[[str, int, int], None]
PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin")


def _slug(name: str) -> str:
    s = re.sub(r"[^\w.-]+", "-", name.strip().lower(), flags=re.UNICODE).strip("-.")
    return s or "image-model"


def _unique_id(base: str) -> str:
    root = paths.models_dir()
    cand, n = base, 2
    while (root / cand).exists():
        cand, n = f"{base}-{n}", n + 1
    return cand


def _is_onnx_layout(path: Path) -> bool:
    return path.is_dir() and any((path / p / "model.onnx").is_file() for p in ("unet", "text_encoder"))


def _is_diffusers(path: Path) -> bool:
    return path.is_dir() and (path / "model_index.json").is_file() and (path / "unet").is_dir() \
        and not (path / "unet" / "model.onnx").is_file()


def _check_channels(folder: Path) -> None:
    """Reject a UNet whose channels cannot work with the VAE (read from the graphs, no weights)."""
    import onnx

    def dims(rel: str, index: int = 0) -> list:
        g = onnx.load(str(folder / rel), load_external_data=False).graph
        inits = {i.name for i in g.initializer}
        inp = [i for i in g.input if i.name not in inits][index]
        return [d.dim_value if d.HasField("dim_value") else None for d in inp.type.tensor_type.shape.dim]

    unet = dims("unet/model.onnx")
    vae = dims("vae_decoder/model.onnx")
    if len(unet) == 4 and len(vae) == 4 and unet[1] and vae[1] and unet[1] not in (vae[1], 2 * vae[1] + 1):
        raise UserError(f"The UNet takes {unet[1]} channels but the VAE makes {vae[1]}-channel latents: "
                        "these parts come from different models.")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_manifest(folder: Path, model_id: str, name: str, source: str, progress: ProgressFn) -> None:
    existing = {}
    if (folder / "manifest.json").is_file():
        try:
            existing = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except ValueError:
            existing = {}
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")
    sums = {}
    for i, p in enumerate(files):
        progress(f"Checksumming {p.relative_to(folder)}", i, len(files))
        sums[p.relative_to(folder).as_posix()] = _sha256(p)
    sched = json.loads((folder / "scheduler" / "scheduler_config.json").read_text(encoding="utf-8"))
    info = load_folder(folder)
    manifest = {"native_size": list(info.native_size), "default_steps": 25, "default_guidance": 7.5,
                "default_scheduler": default_scheduler_name(sched), "text_max_length": 77,
                "family": "sd", "license": "as published by its authors", **existing,
                "id": model_id, "kind": "image", "name": existing.get("name") or name,
                "source": existing.get("source") or source, "sha256": sums}
    atomic_write_text(folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))


def _safetensors_keys(path: Path) -> list[str]:
    """Tensor names from a .safetensors header (8-byte length + JSON), without loading weights."""
    import struct

    try:
        with path.open("rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            if n > 100 << 20:
                raise ValueError("header too large")
            header = json.loads(f.read(n).decode("utf-8"))
    except (OSError, ValueError, struct.error) as exc:
        raise UserError(f"{path.name} is not a readable .safetensors file ({exc}).") from None
    return [k for k in header if k != "__metadata__"]


def export_in_child(src: Path, out: Path, progress: ProgressFn, extra: list[str] | None = None) -> None:
    """Run the torch exporter in a child process, relaying its progress lines."""
    cmd = [sys.executable, "-m", "studio.models.diffusers_export", str(src), str(out), *(extra or [])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(paths.REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace", env=env)
    error = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("PROGRESS "):
            _, done, total, msg = (line.rstrip("\n").split(" ", 3) + [""])[:4]
            progress(f"Converting: {msg}", int(done), int(total))
        elif line.startswith("ERROR "):
            error = line[6:].strip()
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.wait() != 0:
        if error:
            raise UserError(error)
        if "No module named 'torch'" in stderr or "No module named 'diffusers'" in stderr:
            raise UserError("Converting this model needs Studio's export extras (torch, diffusers): "
                            "pip install 'studio[export]'.")
        last = stderr.strip().splitlines()[-1] if stderr.strip() else "unknown error"
        raise UserError(f"The model could not be converted to ONNX: {last[:300]}")


def import_image_model(path: Path, progress: ProgressFn | None = None, *, fp16: bool = False,
                       optimize: bool = True) -> Path:
    """Install an image model from `path`; returns its folder under ``paths.models_dir()``.

    Conversions apply ONNX Runtime's attention/LayerNorm fusions by default (CPU- and CUDA-safe;
    the 4096-token attention layers run ~2× faster on CPU, the whole UNet step about the same);
    `fp16` makes a CUDA-only fp16 model.
    """
    progress = progress or (lambda *_: None)
    path = Path(path).expanduser()
    if not path.exists():
        raise UserError(f"{path} does not exist.")
    model_id = _unique_id(_slug(path.stem if path.is_file() else path.name))
    root = paths.models_dir()
    tmp = Path(tempfile.mkdtemp(prefix=f".importing-{model_id}-", dir=root))
    try:
        if _is_onnx_layout(path):
            missing = missing_parts(path)
            if missing:
                raise UserError(f"{path.name} is not a complete ONNX image model: it lacks the "
                                f"{', '.join(missing)}.")
            _check_channels(path)
            progress("Copying model files", 0, 1)
            shutil.copytree(path, tmp, dirs_exist_ok=True)
        elif path.is_file() and path.suffix.lower() == ".safetensors" and not any(
                k.startswith("model.diffusion_model.") for k in _safetensors_keys(path)):
            raise UserError(f"{path.name} is not a Stable Diffusion 1.x checkpoint (no UNet weights); "
                            "LoRAs and other partial files cannot be imported as models.")
        elif _is_diffusers(path) or (path.is_file() and path.suffix.lower() in (".safetensors",) + PICKLE_SUFFIXES):
            export_in_child(path, tmp, progress,
                            (["--fp16"] if fp16 else []) + ([] if optimize else ["--no-optimize"]))
        else:
            raise UserError(f"{path.name} is not an image model Studio can import (expected an ONNX "
                            "Stable Diffusion folder, a diffusers folder or an SD 1.x .safetensors file).")
        load_folder(tmp)  # the result must satisfy the contract
        _write_manifest(tmp, model_id, path.stem if path.is_file() else path.name, str(path), progress)
        dest = root / model_id
        os.replace(tmp, dest)
        progress("Imported", 1, 1)
        return dest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
