"""Diffusion schedulers in numpy: Euler, Euler ancestral, DDIM, DPM++ 2M (+ Karras sigmas), LCM.

Each class follows its ``diffusers`` counterpart step for step (the parity tests compare them
within 1e-5), but is driven by the step index instead of a timestep lookup, and takes the random
noise it needs as an argument so the pipeline owns every random number (same seed → same pixels).

Usage: ``s = make_scheduler("euler", config); s.set_timesteps(25)``; then for each step ``i``:
``x_in = s.scale_model_input(x, i)``, run the UNet at ``s.timesteps[i]``, and
``x = s.step(model_output, i, x, noise=rng_noise_if(s.needs_noise))``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from studio.jobs import UserError

SCHEDULERS = ("euler", "euler_a", "ddim", "dpmpp_2m", "dpmpp_2m_karras", "lcm")


def _betas(cfg: dict) -> np.ndarray:
    n = int(cfg["num_train_timesteps"])
    if cfg.get("trained_betas") is not None:
        betas = np.asarray(cfg["trained_betas"], dtype=np.float32)
    elif cfg["beta_schedule"] == "linear":
        betas = np.linspace(cfg["beta_start"], cfg["beta_end"], n, dtype=np.float64).astype(np.float32)
    elif cfg["beta_schedule"] == "scaled_linear":
        # Latent-diffusion schedule: linear in sqrt(beta). Squared in float32 like torch.
        betas = np.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, n).astype(np.float32) ** 2
    elif cfg["beta_schedule"] == "squaredcos_cap_v2":
        def bar(t: float) -> float:
            return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
        betas = np.array([min(1 - bar((i + 1) / n) / bar(i / n), 0.999) for i in range(n)], np.float32)
    else:
        raise UserError(f"The scheduler's beta schedule '{cfg['beta_schedule']}' is not supported.")
    if cfg.get("rescale_betas_zero_snr"):
        betas = _rescale_zero_terminal_snr(betas)
    return betas


def _rescale_zero_terminal_snr(betas: np.ndarray) -> np.ndarray:
    """Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed", Alg. 1."""
    abar_sqrt = np.sqrt(np.cumprod((1.0 - betas).astype(np.float64)).astype(np.float32))
    a0, at = abar_sqrt[0].copy(), abar_sqrt[-1].copy()
    abar_sqrt = (abar_sqrt - at) * (a0 / (a0 - at))
    abar = abar_sqrt ** 2
    alphas = np.concatenate([abar[:1], abar[1:] / abar[:-1]])
    return (1 - alphas).astype(np.float32)


class Scheduler:
    """Common schedule state. Subclasses set ``timesteps`` (what the UNet sees) per step."""

    name = ""
    defaults: dict[str, Any] = {}
    needs_noise = False  # step() wants a fresh N(0,1) array of the sample's shape
    order = 1

    def __init__(self, config: dict | None = None, **overrides: Any) -> None:
        base = {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02,
                "beta_schedule": "linear", "trained_betas": None, "prediction_type": "epsilon",
                "steps_offset": 0, "rescale_betas_zero_snr": False}
        base.update(self.defaults)
        base.update({k: v for k, v in (config or {}).items() if k in base})
        base.update(overrides)
        self.config = base
        self.betas = _betas(base)
        # torch accumulates float32 cumprods in float64; so do we, to match diffusers to the bit.
        self.alphas_cumprod = np.cumprod((1.0 - self.betas).astype(np.float64)).astype(np.float32)
        if base.get("rescale_betas_zero_snr"):
            self.alphas_cumprod[-1] = 2.0 ** -24  # keeps the first sigma finite
        self.prediction_type = base["prediction_type"]
        self.timesteps = np.zeros(0, np.float32)
        self.num_inference_steps = 0
        self.begin_index = 0
        self.pred_x0: np.ndarray | None = None  # the last step's clean-sample estimate (previews)

    @property
    def init_noise_sigma(self) -> float:
        return 1.0

    def set_timesteps(self, steps: int) -> None:
        raise NotImplementedError

    def set_begin_index(self, index: int) -> None:
        """img2img starts part-way: add_noise and the first step use this index."""
        self.begin_index = index

    def scale_model_input(self, sample: np.ndarray, i: int) -> np.ndarray:
        return sample

    def step(self, model_output: np.ndarray, i: int, sample: np.ndarray,
             noise: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def add_noise(self, original: np.ndarray, noise: np.ndarray, i: int) -> np.ndarray:
        """Noise `original` to the level of step `i` (DDPM form; sigma schedulers override)."""
        a = float(self.alphas_cumprod[int(self.timesteps[i])])
        return (math.sqrt(a) * original + math.sqrt(1 - a) * noise).astype(np.float32)

    def _spaced(self, steps: int, dtype: Any) -> np.ndarray:
        """diffusers' "linspace" / "leading" / "trailing" timestep spacings (Lin et al. Table 2)."""
        n, spacing = self.config["num_train_timesteps"], self.config["timestep_spacing"]
        if spacing == "linspace":
            ts = np.linspace(0, n - 1, steps, dtype=np.float64)[::-1]
            return ts.round().astype(dtype) if dtype == np.int64 else ts.astype(dtype)
        if spacing == "leading":
            ratio = n // steps
            return (np.arange(0, steps) * ratio).round()[::-1].astype(dtype) + self.config["steps_offset"]
        if spacing == "trailing":
            ratio = n / steps
            return np.arange(n, 0, -ratio).round().astype(dtype) - 1
        raise UserError(f"Timestep spacing '{spacing}' is not supported.")


def _train_sigmas(alphas_cumprod: np.ndarray) -> np.ndarray:
    return np.sqrt((1 - alphas_cumprod) / alphas_cumprod)


def _sigma_to_t(sigma: float, log_sigmas: np.ndarray) -> float:
    """Interpolated (fractional) training timestep of a sigma, as k-diffusion does it."""
    log_sigma = np.log(np.maximum(sigma, 1e-10))
    dists = log_sigma - log_sigmas[:, None]
    low = np.cumsum(dists >= 0, axis=0).argmax(axis=0).clip(max=log_sigmas.shape[0] - 2)
    lo, hi = log_sigmas[low], log_sigmas[low + 1]
    w = np.clip((lo - log_sigma) / (lo - hi), 0, 1)
    return float(((1 - w) * low + w * (low + 1)).reshape(()))


def _karras(sigma_min: float, sigma_max: float, steps: int, rho: float = 7.0) -> np.ndarray:
    """Karras et al. 2022, eq. 5: sigmas evenly spaced in sigma^(1/rho)."""
    ramp = np.linspace(0, 1, steps)
    lo, hi = sigma_min ** (1 / rho), sigma_max ** (1 / rho)
    return (hi + ramp * (lo - hi)) ** rho


def _x0(prediction_type: str, sample, model_output, sigma: float):
    """Predicted clean sample for the sigma (k-diffusion) parametrisation."""
    if prediction_type == "epsilon":
        return sample - sigma * model_output
    if prediction_type == "v_prediction":
        return model_output * (-sigma / (sigma ** 2 + 1) ** 0.5) + sample / (sigma ** 2 + 1)
    if prediction_type == "sample":
        return model_output
    raise UserError(f"Prediction type '{prediction_type}' is not supported.")


class EulerDiscrete(Scheduler):
    """Karras et al. 2022 Algorithm 2 without churn (diffusers EulerDiscreteScheduler)."""

    name = "euler"
    defaults = {"timestep_spacing": "linspace", "interpolation_type": "linear",
                "use_karras_sigmas": False, "sigma_min": None, "sigma_max": None,
                "final_sigmas_type": "zero"}

    def set_timesteps(self, steps: int) -> None:
        self.num_inference_steps = steps
        timesteps = self._spaced(steps, np.float32)
        sigmas = _train_sigmas(self.alphas_cumprod)
        log_sigmas = np.log(sigmas)
        if self.config["interpolation_type"] == "log_linear":
            sig = np.exp(np.linspace(np.log(sigmas[-1]), np.log(sigmas[0]), steps + 1)).astype(np.float32)
        else:
            sig = np.interp(timesteps, np.arange(len(sigmas)), sigmas)
        if self.config["use_karras_sigmas"]:
            lo = self.config["sigma_min"] if self.config["sigma_min"] is not None else float(sig[-1])
            hi = self.config["sigma_max"] if self.config["sigma_max"] is not None else float(sig[0])
            sig = _karras(lo, hi, steps)
            timesteps = np.array([_sigma_to_t(s, log_sigmas) for s in sig])
        last = float(sigmas[0]) if self.config["final_sigmas_type"] == "sigma_min" else 0.0
        self.sigmas = np.concatenate([sig, [last]]).astype(np.float32)
        self.timesteps = timesteps.astype(np.float32)
        self.begin_index = 0

    @property
    def init_noise_sigma(self) -> float:
        m = float(self.sigmas.max())
        return m if self.config["timestep_spacing"] in ("linspace", "trailing") else (m * m + 1) ** 0.5

    def scale_model_input(self, sample: np.ndarray, i: int) -> np.ndarray:
        sigma = float(self.sigmas[i])
        return sample / np.float32((sigma ** 2 + 1) ** 0.5)

    def step(self, model_output, i, sample, noise=None):
        sigma = float(self.sigmas[i])
        x0 = _x0(self.prediction_type, sample, model_output, sigma)
        self.pred_x0 = x0
        derivative = (sample - x0) / np.float32(sigma)
        return (sample + derivative * np.float32(float(self.sigmas[i + 1]) - sigma)).astype(np.float32)

    def add_noise(self, original, noise, i):
        return (original + noise * self.sigmas[i]).astype(np.float32)


class EulerAncestral(EulerDiscrete):
    """Euler with ancestral noise injection (diffusers EulerAncestralDiscreteScheduler)."""

    name = "euler_a"
    needs_noise = True
    defaults = {"timestep_spacing": "linspace"}

    def set_timesteps(self, steps: int) -> None:
        self.num_inference_steps = steps
        timesteps = self._spaced(steps, np.float32)
        sigmas = _train_sigmas(self.alphas_cumprod)
        sig = np.interp(timesteps, np.arange(len(sigmas)), sigmas)
        self.sigmas = np.concatenate([sig, [0.0]]).astype(np.float32)
        self.timesteps = timesteps
        self.begin_index = 0

    def step(self, model_output, i, sample, noise=None):
        if self.prediction_type == "sample":
            raise UserError("Euler ancestral does not support models that predict the sample.")
        s_from, s_to = float(self.sigmas[i]), float(self.sigmas[i + 1])
        x0 = _x0(self.prediction_type, sample, model_output, s_from)
        s_up = np.float32((s_to ** 2 * (s_from ** 2 - s_to ** 2) / s_from ** 2) ** 0.5)
        s_down = np.float32((s_to ** 2 - float(s_up) ** 2) ** 0.5)
        self.pred_x0 = x0
        derivative = (sample - x0) / np.float32(s_from)
        prev = sample + derivative * (s_down - np.float32(s_from))
        if noise is None:
            raise ValueError("Euler ancestral needs noise for each step")
        return (prev + noise * s_up).astype(np.float32)


class DDIM(Scheduler):
    """Song et al. 2021, deterministic (eta = 0) unless eta is set (diffusers DDIMScheduler)."""

    name = "ddim"
    defaults = {"timestep_spacing": "leading", "clip_sample": True, "clip_sample_range": 1.0,
                "set_alpha_to_one": True}

    def __init__(self, config: dict | None = None, eta: float = 0.0, **overrides: Any) -> None:
        super().__init__(config, **overrides)
        self.eta = eta
        self.needs_noise = eta > 0
        self.final_alpha_cumprod = 1.0 if self.config["set_alpha_to_one"] else float(self.alphas_cumprod[0])

    def set_timesteps(self, steps: int) -> None:
        self.num_inference_steps = steps
        self.timesteps = self._spaced(steps, np.int64)
        self.begin_index = 0

    def step(self, model_output, i, sample, noise=None):
        t = int(self.timesteps[i])
        prev_t = t - self.config["num_train_timesteps"] // self.num_inference_steps
        a_t = float(self.alphas_cumprod[t])
        a_prev = float(self.alphas_cumprod[prev_t]) if prev_t >= 0 else self.final_alpha_cumprod
        b_t = 1 - a_t
        pt = self.prediction_type
        if pt == "epsilon":
            x0 = (sample - np.float32(b_t ** 0.5) * model_output) / np.float32(a_t ** 0.5)
            eps = model_output
        elif pt == "sample":
            x0 = model_output
            eps = (sample - np.float32(a_t ** 0.5) * x0) / np.float32(b_t ** 0.5)
        elif pt == "v_prediction":
            x0 = np.float32(a_t ** 0.5) * sample - np.float32(b_t ** 0.5) * model_output
            eps = np.float32(a_t ** 0.5) * model_output + np.float32(b_t ** 0.5) * sample
        else:
            raise UserError(f"Prediction type '{pt}' is not supported.")
        if self.config["clip_sample"]:
            r = self.config["clip_sample_range"]
            x0 = np.clip(x0, -r, r)
        self.pred_x0 = x0
        variance = ((1 - a_prev) / b_t) * (1 - a_t / a_prev)
        std = self.eta * variance ** 0.5
        prev = np.float32(a_prev ** 0.5) * x0 + np.float32((1 - a_prev - std ** 2) ** 0.5) * eps
        if self.eta > 0:
            if noise is None:
                raise ValueError("DDIM with eta > 0 needs noise for each step")
            prev = prev + np.float32(std) * noise
        return prev.astype(np.float32)


class DPMSolverMultistep(Scheduler):
    """DPM-Solver++(2M), Lu et al. 2022, midpoint form (diffusers DPMSolverMultistepScheduler)."""

    name = "dpmpp_2m"
    defaults = {"timestep_spacing": "linspace", "use_karras_sigmas": False, "solver_order": 2,
                "lower_order_final": True, "final_sigmas_type": "zero", "euler_at_final": False,
                "lambda_min_clipped": -float("inf")}

    def set_timesteps(self, steps: int) -> None:
        cfg = self.config
        n = cfg["num_train_timesteps"]
        alpha_t = np.sqrt(self.alphas_cumprod)
        lambda_t = np.log(alpha_t) - np.log(np.sqrt(1 - self.alphas_cumprod))
        clipped = int(np.searchsorted(lambda_t[::-1], cfg["lambda_min_clipped"]))
        last = n - clipped
        spacing = cfg["timestep_spacing"]
        if spacing == "linspace":
            ts = np.linspace(0, last - 1, steps + 1).round()[::-1][:-1].astype(np.int64)
        elif spacing == "leading":
            ratio = last // (steps + 1)
            ts = (np.arange(0, steps + 1) * ratio).round()[::-1][:-1].astype(np.int64) + cfg["steps_offset"]
        elif spacing == "trailing":
            ts = np.arange(last, 0, -n / steps).round().astype(np.int64) - 1
        else:
            raise UserError(f"Timestep spacing '{spacing}' is not supported.")
        sigmas = _train_sigmas(self.alphas_cumprod)
        log_sigmas = np.log(sigmas)
        if cfg["use_karras_sigmas"]:
            flipped = sigmas[::-1]
            sig = _karras(float(flipped[-1]), float(flipped[0]), steps)
            ts = np.array([_sigma_to_t(s, log_sigmas) for s in sig])
            if cfg["beta_schedule"] != "squaredcos_cap_v2":
                ts = ts.round()
        else:
            sig = np.interp(ts, np.arange(len(sigmas)), sigmas)
        end = float(sigmas[0]) if cfg["final_sigmas_type"] == "sigma_min" else 0.0
        self.sigmas = np.concatenate([sig, [end]]).astype(np.float32)
        self.timesteps = ts.astype(np.int64)
        self.num_inference_steps = len(ts)
        self.begin_index = 0
        self._outputs: list[np.ndarray | None] = [None, None]
        self._lower_order_nums = 0

    @staticmethod
    def _alpha_sigma(sigma: float) -> tuple[float, float]:
        alpha = 1 / (sigma ** 2 + 1) ** 0.5
        return alpha, sigma * alpha

    def step(self, model_output, i, sample, noise=None):
        n = len(self.timesteps)
        cfg = self.config
        lower_final = i == n - 1 and (cfg["euler_at_final"] or (cfg["lower_order_final"] and n < 15)
                                      or cfg["final_sigmas_type"] == "zero")
        lower_second = i == n - 2 and cfg["lower_order_final"] and n < 15
        # Convert the model output to a predicted x0 ("dpmsolver++" works in data space).
        a_s0, s_s0 = self._alpha_sigma(float(self.sigmas[i]))
        pt = self.prediction_type
        if pt == "epsilon":
            x0 = (sample - np.float32(s_s0) * model_output) / np.float32(a_s0)
        elif pt == "v_prediction":
            x0 = np.float32(a_s0) * sample - np.float32(s_s0) * model_output
        elif pt == "sample":
            x0 = model_output
        else:
            raise UserError(f"Prediction type '{pt}' is not supported.")
        self._outputs = [self._outputs[1], x0]
        self.pred_x0 = x0
        a_t, s_t = self._alpha_sigma(float(self.sigmas[i + 1]))
        if cfg["solver_order"] == 1 or self._lower_order_nums < 1 or lower_final:
            if s_t == 0:  # final sigma zero: the update is exactly the predicted x0
                prev = x0
            else:
                h = (math.log(a_t) - math.log(s_t)) - (math.log(a_s0) - math.log(s_s0))
                prev = np.float32(s_t / s_s0) * sample - np.float32(a_t * (math.exp(-h) - 1.0)) * x0
        else:
            del lower_second  # order 2 is the highest we implement, so "second" changes nothing
            a_s1, s_s1 = self._alpha_sigma(float(self.sigmas[i - 1]))
            lam_t = math.log(a_t) - math.log(s_t) if s_t > 0 else math.inf
            lam_s0 = math.log(a_s0) - math.log(s_s0)
            lam_s1 = math.log(a_s1) - math.log(s_s1)
            h, h0 = lam_t - lam_s0, lam_s0 - lam_s1
            m0, m1 = self._outputs[1], self._outputs[0]
            d1 = (m0 - m1) * np.float32(1.0 / (h0 / h))
            c = np.float32(a_t * (math.exp(-h) - 1.0))
            prev = np.float32(s_t / s_s0) * sample - c * m0 - np.float32(0.5) * c * d1
        if self._lower_order_nums < cfg["solver_order"]:
            self._lower_order_nums += 1
        return np.asarray(prev, dtype=np.float32)

    def add_noise(self, original, noise, i):
        alpha, sigma = self._alpha_sigma(float(self.sigmas[i]))
        return (np.float32(alpha) * original + np.float32(sigma) * noise).astype(np.float32)


class LCM(Scheduler):
    """Latent Consistency Model multistep sampling (Luo et al. 2023; diffusers LCMScheduler)."""

    name = "lcm"
    needs_noise = True
    defaults = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
                "original_inference_steps": 50, "clip_sample": False, "clip_sample_range": 1.0,
                "set_alpha_to_one": True, "timestep_spacing": "leading", "timestep_scaling": 10.0}

    def __init__(self, config: dict | None = None, **overrides: Any) -> None:
        super().__init__(config, **overrides)
        self.final_alpha_cumprod = 1.0 if self.config["set_alpha_to_one"] else float(self.alphas_cumprod[0])

    def set_timesteps(self, steps: int, strength: float = 1.0) -> None:
        original = self.config["original_inference_steps"]
        k = self.config["num_train_timesteps"] // original
        origin = np.arange(1, int(original * strength) + 1) * k - 1
        if len(origin) // steps < 1:
            raise UserError(f"LCM cannot take {steps} steps at this strength; use fewer steps.")
        if steps > original:
            raise UserError(f"LCM supports at most {original} steps.")
        origin = origin[::-1].copy()
        idx = np.floor(np.linspace(0, len(origin), num=steps, endpoint=False)).astype(np.int64)
        self.timesteps = origin[idx].astype(np.int64)
        self.num_inference_steps = steps
        self.begin_index = 0

    def step(self, model_output, i, sample, noise=None):
        t = int(self.timesteps[i])
        prev_t = int(self.timesteps[i + 1]) if i + 1 < len(self.timesteps) else t
        a_t = float(self.alphas_cumprod[t])
        a_prev = float(self.alphas_cumprod[prev_t]) if prev_t >= 0 else self.final_alpha_cumprod
        b_t = 1 - a_t
        # Consistency-model boundary condition (c_skip, c_out), sigma_data = 0.5.
        st = t * self.config["timestep_scaling"]
        c_skip = 0.25 / (st ** 2 + 0.25)
        c_out = st / (st ** 2 + 0.25) ** 0.5
        pt = self.prediction_type
        if pt == "epsilon":
            x0 = (sample - np.float32(b_t ** 0.5) * model_output) / np.float32(a_t ** 0.5)
        elif pt == "sample":
            x0 = model_output
        elif pt == "v_prediction":
            x0 = np.float32(a_t ** 0.5) * sample - np.float32(b_t ** 0.5) * model_output
        else:
            raise UserError(f"Prediction type '{pt}' is not supported.")
        if self.config["clip_sample"]:
            r = self.config["clip_sample_range"]
            x0 = np.clip(x0, -r, r)
        denoised = np.float32(c_out) * x0 + np.float32(c_skip) * sample
        self.pred_x0 = denoised
        if i == self.num_inference_steps - 1:
            return denoised.astype(np.float32)
        if noise is None:
            raise ValueError("LCM needs noise for each step but the last")
        return (np.float32(a_prev ** 0.5) * denoised + np.float32((1 - a_prev) ** 0.5) * noise).astype(np.float32)


def make_scheduler(name: str, config: dict | None = None) -> Scheduler:
    """A scheduler by its Studio name, configured from a diffusers ``scheduler_config.json``."""
    if name == "euler":
        return EulerDiscrete(config)
    if name == "euler_a":
        return EulerAncestral(config)
    if name == "ddim":
        return DDIM(config)
    if name == "dpmpp_2m":
        return DPMSolverMultistep(config)
    if name == "dpmpp_2m_karras":
        return DPMSolverMultistep(config, use_karras_sigmas=True)
    if name == "lcm":
        return LCM(config)
    raise UserError(f"Unknown scheduler '{name}'. Choose one of: {', '.join(SCHEDULERS)}.")


def default_scheduler_name(config: dict) -> str:
    """Studio's name for the scheduler class a diffusers config was saved from."""
    cls = str(config.get("_class_name", ""))
    if "LCM" in cls:
        return "lcm"
    if "Ancestral" in cls:
        return "euler_a"
    if "DDIM" in cls:
        return "ddim"
    if "DPMSolver" in cls:
        return "dpmpp_2m_karras" if config.get("use_karras_sigmas") else "dpmpp_2m"
    return "euler"  # PNDM/LMS/Euler/unknown: Euler is the robust choice
