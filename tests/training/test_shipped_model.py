"""The built-in model as shipped in assets/: complete, within size limits, checksums right, and it draws."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from studio import paths

FOLDER = paths.builtin_models_dir() / "studio-emoji"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (FOLDER / "manifest.json").is_file(), reason="built-in model not exported")]


def test_manifest_and_sizes():
    m = json.loads((FOLDER / "manifest.json").read_text(encoding="utf-8"))
    assert m["id"] == "studio-emoji" and m["kind"] == "image"
    onnx = list(FOLDER.rglob("*.onnx"))
    assert sum(p.stat().st_size for p in onnx) < 80e6
    assert all(p.stat().st_size < 50e6 for p in FOLDER.rglob("*"))
    for rel, digest in m["sha256"].items():
        assert hashlib.sha256((FOLDER / rel).read_bytes()).hexdigest() == digest, rel
    assert any("CC-BY-4.0" in c["license"] for c in m["credits"])  # Twemoji credit


def test_registry_finds_it_as_the_default_image_model():
    from studio.models import registry

    info = registry.get(registry.DEFAULT_IMAGE_MODEL)
    assert info.kind == "image" and info.builtin and info.path == FOLDER


@pytest.mark.parametrize("fast", [False, True])
def test_it_draws_a_non_constant_picture(fast):
    from studio.training.sampler import OnnxSampler

    sampler = OnnxSampler(FOLDER, fast=fast)
    if fast and not sampler.fast:
        pytest.skip("this export has no fast mode")
    img = sampler(["a smiling cat"], seed=0)[0]
    assert img.shape == (128, 128, 3)  # drawn at 64x64, upscaled 2x by the decoder
    drawn = img.reshape(64, 2, 64, 2, 3).mean((1, 3))
    assert drawn.std() > 5  # not a flat colour
