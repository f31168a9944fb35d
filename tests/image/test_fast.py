"""Fast mode: the manifest's distilled LCM UNet (with timestep_cond), its steps and guidance."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from studio.engines.image.job import run_image_job
from studio.engines.image.folder import load_folder
from studio.engines.image.pipeline import GenerateParams, Hooks, ImagePipeline
from studio.engines.runtime import SessionFactory
from studio.jobs import CancelToken, ImageRequest, JobContext

torch = pytest.importorskip("torch")


@pytest.fixture(scope="session")
def tiny_lcm(shared_cache, tiny_sd):
    """(LCM diffusers folder, our tiny ONNX folder with the LCM UNet as unet_fast/)."""
    from studio.models.diffusers_export import export_components, load_components
    from tiny_sd import build_tiny_diffusers

    root = shared_cache / "tiny-lcm"
    diff = build_tiny_diffusers(root / "diffusers", lcm=True, seed=2)
    exported = export_components(load_components(diff), root / "onnx")
    folder = root / "with-fast"
    shutil.copytree(tiny_sd[1], folder)
    shutil.copytree(exported / "unet", folder / "unet_fast")
    (folder / "manifest.json").write_text(json.dumps({
        "id": "tiny-fast", "kind": "image", "name": "Tiny fast", "native_size": [64, 64],
        "default_steps": 6, "default_guidance": 5.0, "default_scheduler": "euler",
        "fast": {"unet": "unet_fast/model.onnx", "steps": 2, "scheduler": "lcm", "guidance": 1.5}}),
        encoding="utf-8")
    return diff, folder


def test_fast_mode_matches_diffusers_lcm_pipeline(tiny_sd, tiny_lcm):
    from diffusers import (AutoencoderKL, LatentConsistencyModelPipeline, LCMScheduler,
                           UNet2DConditionModel)
    from transformers import CLIPTextModel, CLIPTokenizer

    base, (lcm_diff, folder) = tiny_sd[0], tiny_lcm
    ref = LatentConsistencyModelPipeline(
        vae=AutoencoderKL.from_pretrained(base / "vae"), text_encoder=CLIPTextModel.from_pretrained(
            base / "text_encoder"), tokenizer=CLIPTokenizer.from_pretrained(base / "tokenizer"),
        unet=UNet2DConditionModel.from_pretrained(lcm_diff / "unet"),
        scheduler=LCMScheduler.from_pretrained(base / "scheduler"), safety_checker=None,
        feature_extractor=None, requires_safety_checker=False)
    noise = np.random.default_rng(2).standard_normal((1, 4, 8, 8)).astype(np.float32)
    # One step: LCM injects no noise on its last step, so both runs are fully determined.
    want = ref("a red house", num_inference_steps=1, guidance_scale=1.5, height=64, width=64,
               latents=torch.from_numpy(noise.copy()), output_type="np").images
    pipe = ImagePipeline(load_folder(folder), SessionFactory(device="cpu", threads=1).create)
    got, _ = pipe.generate(GenerateParams("a red house", "", 64, 64, steps=1, guidance=1.5,
                                          scheduler="lcm", fast=True, noise=noise), Hooks())
    np.testing.assert_allclose(got[0], want[0], atol=1e-3)


def test_fast_request_uses_the_fast_entry(tiny_lcm, studio_home):
    shutil.copytree(tiny_lcm[1], studio_home / "models" / "tiny-fast")
    events = []
    ctx = JobContext(1, CancelToken(), SessionFactory(device="cpu", threads=1), on_progress=events.append)
    res = run_image_job(ImageRequest("cat", model_id="tiny-fast", fast=True, seed=3), ctx)
    assert [p.step for p in events] == [1, 2]  # the fast entry's 2 steps, not default_steps 6
    slow = run_image_job(ImageRequest("cat", model_id="tiny-fast", seed=3, steps=2), ctx)
    assert not np.array_equal(res.images[0], slow.images[0])  # a different UNet really ran
