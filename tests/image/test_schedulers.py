"""Each numpy scheduler's step matches its diffusers counterpart within 1e-5 on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engines.image.schedulers import SCHEDULERS, make_scheduler
from studio.jobs import UserError

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")

# The scheduler config Stable Diffusion 1.5 ships (a PNDM config, reused by every scheduler).
SD15 = {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
        "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "clip_sample": False,
        "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
        "prediction_type": "epsilon", "trained_betas": None}


def reference(name: str, config: dict):
    d = diffusers
    if name == "euler":
        return d.EulerDiscreteScheduler.from_config(config)
    if name == "euler_a":
        return d.EulerAncestralDiscreteScheduler.from_config(config)
    if name == "ddim":
        return d.DDIMScheduler.from_config(config)
    if name == "dpmpp_2m":
        return d.DPMSolverMultistepScheduler.from_config(config)
    if name == "dpmpp_2m_karras":
        return d.DPMSolverMultistepScheduler.from_config(config, use_karras_sigmas=True)
    return d.LCMScheduler.from_config(config)


def step_noise(i: int, shape) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(1000 + i))


@pytest.mark.parametrize("name", SCHEDULERS)
@pytest.mark.parametrize("variant", ["sd15", "v_trailing", "linear_leading"])
def test_steps_match_diffusers(name, variant):
    config = dict(SD15)
    if variant == "v_trailing":
        config.update(prediction_type="v_prediction", timestep_spacing="trailing")
    elif variant == "linear_leading":
        config.update(beta_schedule="linear", beta_start=0.0001, beta_end=0.02, timestep_spacing="leading")
    steps = 4 if name == "lcm" else 12
    ours, ref = make_scheduler(name, config), reference(name, config)
    ours.set_timesteps(steps)
    ref.set_timesteps(steps)
    np.testing.assert_allclose(ours.timesteps, ref.timesteps.numpy(), atol=1e-4)
    assert abs(ours.init_noise_sigma - float(ref.init_noise_sigma)) < 1e-4
    rng = np.random.default_rng(0)
    shape = (2, 4, 8, 8)
    eps = rng.standard_normal(shape).astype(np.float32)
    x = eps * np.float32(ours.init_noise_sigma)
    xt = torch.from_numpy(x.copy())
    for i, t in enumerate(ref.timesteps):
        scaled = ours.scale_model_input(x, i)
        np.testing.assert_allclose(scaled, ref.scale_model_input(xt, t).numpy(), atol=1e-5, rtol=1e-6)
        # A plausible UNet output: the true noise plus an error, so samples keep realistic sizes.
        out = (eps + 0.2 * rng.standard_normal(shape)).astype(np.float32)
        noise = step_noise(i, shape)
        x = ours.step(out, i, x, noise=noise.numpy() if ours.needs_noise else None)
        xt = ref.step(torch.from_numpy(out), t, xt,
                      generator=torch.Generator().manual_seed(1000 + i)).prev_sample
        assert np.isfinite(x).all()
        # 1e-5, plus float32 rounding (1e-6 relative) on the large early samples (sigma ~ 15).
        np.testing.assert_allclose(x, xt.numpy(), atol=1e-5, rtol=1e-6, err_msg=f"step {i}")
        x = xt.numpy().copy()  # same inputs each step: compare the step, not accumulated rounding


@pytest.mark.parametrize("name", ["euler", "ddim", "dpmpp_2m", "dpmpp_2m_karras"])
def test_img2img_start_and_add_noise_match(name):
    ours, ref = make_scheduler(name, SD15), reference(name, SD15)
    ours.set_timesteps(10)
    ref.set_timesteps(10)
    start = 4
    ours.set_begin_index(start)
    if hasattr(ref, "set_begin_index"):
        ref.set_begin_index(start)
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((1, 4, 8, 8)).astype(np.float32)
    noise = rng.standard_normal((1, 4, 8, 8)).astype(np.float32)
    got = ours.add_noise(x0, noise, start)
    want = ref.add_noise(torch.from_numpy(x0), torch.from_numpy(noise), ref.timesteps[start:start + 1])
    np.testing.assert_allclose(got, want.numpy(), atol=1e-5)


def test_unknown_scheduler_is_a_user_error():
    with pytest.raises(UserError, match="Unknown scheduler"):
        make_scheduler("heun", SD15)
