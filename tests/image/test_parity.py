"""The ONNX pipeline reproduces diffusers (torch, fp32) on a tiny random SD pipeline within 1e-3."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engines.image.folder import load_folder
from studio.engines.image.pipeline import GenerateParams, Hooks, ImagePipeline
from studio.engines.runtime import SessionFactory

torch = pytest.importorskip("torch")
from tiny_sd import SCHEDULER  # noqa: E402

PROMPT = "a photo of the smiling cat"
NEG = "blue dog"


def ours(onnx_dir):
    return ImagePipeline(load_folder(onnx_dir), SessionFactory(device="cpu", threads=1).create)


def test_prompt_tokens_match_transformers(tiny_sd):
    from transformers import CLIPTokenizer

    ref = CLIPTokenizer.from_pretrained(tiny_sd[0] / "tokenizer")
    pipe = ours(tiny_sd[1])
    long = " ".join(["smiling cat 猫"] * 40)
    for text in (PROMPT, "", "Red  HOUSE, 猫!", long):
        want = ref(text, padding="max_length", max_length=77, truncation=True).input_ids
        toks = pipe.tokenizer([text])
        assert toks.ids[0].tolist() == want
        assert toks.truncated[0] == (text == long)


@pytest.mark.parametrize("scheduler", ["euler", "dpmpp_2m_karras"])
def test_txt2img_matches_diffusers(tiny_sd, scheduler):
    from tiny_sd import load_reference
    from test_schedulers import reference

    diff, onnx_dir = tiny_sd
    txt, _ = load_reference(diff)
    txt.scheduler = reference(scheduler, SCHEDULER)  # (the cached pipeline is shared: reset it)
    noise = np.random.default_rng(7).standard_normal((2, 4, 8, 8)).astype(np.float32)
    want = txt(PROMPT, negative_prompt=NEG, height=64, width=64, num_inference_steps=5,
               guidance_scale=6.0, num_images_per_prompt=2, latents=torch.from_numpy(noise.copy()),
               output_type="np").images
    got, _ = ours(onnx_dir).generate(GenerateParams(
        PROMPT, NEG, 64, 64, steps=5, guidance=6.0, scheduler=scheduler, seeds=[1, 2], noise=noise),
        Hooks())
    np.testing.assert_allclose(np.stack(got), want, atol=1e-3)
    assert np.abs(np.stack(got) - 0.5).max() > 0.01  # not a blank image


def test_img2img_matches_diffusers(tiny_sd):
    from tiny_sd import load_reference
    from PIL import Image

    diff, onnx_dir = tiny_sd
    _, img2img = load_reference(diff)
    init = np.random.default_rng(3).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    # diffusers samples the VAE latent first (log-variance is -30 here, so it is the mean),
    # then draws the noise: reproduce that generator sequence to hand our pipeline the same noise.
    g = torch.Generator().manual_seed(11)
    torch.randn((1, 4, 8, 8), generator=g)
    noise = torch.randn((1, 4, 8, 8), generator=g).numpy()
    want = img2img(PROMPT, image=Image.fromarray(init), strength=0.6, num_inference_steps=10,
                   guidance_scale=4.0, generator=torch.Generator().manual_seed(11), output_type="np").images
    got, _ = ours(onnx_dir).generate(GenerateParams(
        PROMPT, "", 64, 64, steps=10, guidance=4.0, scheduler="euler", seeds=[11], strength=0.6,
        init_image=init, noise=noise), Hooks())
    np.testing.assert_allclose(got[0], want[0], atol=1e-3)


def _mask() -> np.ndarray:
    m = np.zeros((64, 64), np.uint8)
    m[16:48, 8:40] = 255  # aligned to the 8×8 latent grid
    return m


@pytest.mark.parametrize("nine_channel", [False, True])
def test_inpaint_matches_diffusers(tiny_sd, tiny_inpaint_sd, nine_channel):
    from tiny_sd import load_reference
    from PIL import Image

    diff, onnx_dir = tiny_inpaint_sd if nine_channel else tiny_sd
    pipe = load_reference(diff, inpaint=True)
    init = np.random.default_rng(5).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    mask = _mask()
    noise = np.random.default_rng(9).standard_normal((1, 4, 8, 8)).astype(np.float32)
    want = pipe(PROMPT, image=Image.fromarray(init), mask_image=Image.fromarray(mask), height=64,
                width=64, strength=1.0, num_inference_steps=6, guidance_scale=5.0,
                latents=torch.from_numpy(noise.copy()), output_type="np").images
    got, _ = ours(onnx_dir).generate(GenerateParams(
        PROMPT, "", 64, 64, steps=6, guidance=5.0, scheduler="euler", seeds=[0], strength=1.0,
        init_image=init, mask=mask, noise=noise), Hooks())
    np.testing.assert_allclose(got[0], want[0], atol=1e-3)


def test_optimised_export_matches_diffusers(tiny_sd, tiny_sd_optimized):
    import onnx

    from tiny_sd import load_reference

    ops = {n.op_type for n in onnx.load(str(tiny_sd_optimized / "unet" / "model.onnx")).graph.node}
    # The fusions happened, and self-attention was rewritten to MultiHeadAttention (CPU-fast).
    assert "MultiHeadAttention" in ops and "Attention" not in ops
    txt, _ = load_reference(tiny_sd[0])
    from test_schedulers import reference

    txt.scheduler = reference("euler", SCHEDULER)
    noise = np.random.default_rng(4).standard_normal((1, 4, 8, 8)).astype(np.float32)
    want = txt(PROMPT, height=64, width=64, num_inference_steps=4, guidance_scale=6.0,
               latents=torch.from_numpy(noise.copy()), output_type="np").images
    got, _ = ours(tiny_sd_optimized).generate(GenerateParams(
        PROMPT, "", 64, 64, steps=4, guidance=6.0, scheduler="euler", noise=noise), Hooks())
    np.testing.assert_allclose(got[0], want[0], atol=1e-3)


def test_fp16_export_stays_close(tiny_sd, shared_cache):
    import shutil

    from studio.models.diffusers_export import optimise_folder

    dest = shared_cache / "tiny-sd-fp16"
    shutil.copytree(tiny_sd[1], dest)
    optimise_folder(dest, fp16=True, optimize=False)
    noise = np.random.default_rng(4).standard_normal((1, 4, 8, 8)).astype(np.float32)
    params = GenerateParams(PROMPT, "", 64, 64, steps=4, guidance=6.0, scheduler="euler", noise=noise)
    full, _ = ours(tiny_sd[1]).generate(params, Hooks())
    half, _ = ours(dest).generate(params, Hooks())
    assert np.abs(half[0] - full[0]).max() < 1e-2
