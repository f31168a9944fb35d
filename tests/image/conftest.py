"""Tiny exported pipelines shared by the image tests (exported once per test run)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def _export(root: Path, **kw) -> tuple[Path, Path]:
    from studio.models.diffusers_export import export_components, load_components
    from tiny_sd import build_tiny_diffusers

    diff = build_tiny_diffusers(root / "diffusers", **kw)
    onnx_dir = export_components(load_components(diff), root / "onnx")
    return diff, onnx_dir


@pytest.fixture(scope="session")
def tiny_sd(shared_cache) -> tuple[Path, Path]:
    """(diffusers folder, exported ONNX folder) of a tiny random SD pipeline."""
    pytest.importorskip("diffusers")
    return _export(shared_cache / "tiny-sd")


@pytest.fixture(scope="session")
def tiny_inpaint_sd(shared_cache) -> tuple[Path, Path]:
    """The same, with a 9-channel inpainting UNet."""
    pytest.importorskip("diffusers")
    return _export(shared_cache / "tiny-sd-inpaint", in_channels=9, seed=1)


@pytest.fixture
def installed_tiny(tiny_sd, studio_home) -> str:
    """The tiny ONNX pipeline installed as a Studio model with a manifest; returns its id."""
    dest = studio_home / "models" / "tiny-sd"
    shutil.copytree(tiny_sd[1], dest)
    (dest / "manifest.json").write_text(json.dumps({
        "id": "tiny-sd", "kind": "image", "name": "Tiny SD 猫", "family": "sd1", "license": "test",
        "source": "tests", "sha256": {}, "native_size": [64, 64], "default_steps": 4,
        "default_guidance": 5.0, "default_scheduler": "euler", "text_max_length": 77}), encoding="utf-8")
    return "tiny-sd"


@pytest.fixture(autouse=True)
def _torch_one_thread():
    """The reference diffusers runs use one torch thread: on a shared 2-core box, two spinning
    OpenMP threads collapse (seconds per tiny UNet step); one thread gives the same numbers."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_sd_optimized(shared_cache, tiny_sd) -> Path:
    """The tiny ONNX folder after ONNX Runtime's transformer fusions (CPU-safe set) on the UNet,
    the part they speed up (import runs them on every part)."""
    from studio.models.diffusers_export import optimise_file

    dest = shared_cache / "tiny-sd-optimized"
    shutil.copytree(tiny_sd[1], dest)
    optimise_file(dest / "unet" / "model.onnx", dest / "unet" / "model.onnx", "unet", fp16=False)
    return dest
