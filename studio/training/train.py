"""Training stages: mean branch and thumbnail decoder, teacher diffusion UNet, one-step student. Resumable.

A work folder holds everything a run needs and produces:
  dataset.npz, text/ (exported encoder + tokenizer), text_emb.npy (one vector per caption),
  empty_emb.npy (the "" prompt, used for classifier-free guidance), ckpt/mean.pt (caption ->
  layout regression), ckpt/decoder.pt (thumbnail -> 64x64), ckpt/teacher.pt, ckpt/fast.pt.
Checkpoints carry the step count and the wall time spent, so budgets add up across resumes.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from studio.training import diffusion, nets
from studio.jobs import UserError
from studio.training.data import Dataset

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]


@dataclass
class TrainConfig:
    steps: int = 100_000  # optimizer steps for the teacher (GPU: ~1 h; this CPU: a fraction)
    batch: int = 32
    lr: float = 1e-3
    warmup: int = 200
    ema: float = 0.995  # short CPU runs; a GPU run of 100k steps would use 0.9995
    uncond_p: float = 0.1  # caption dropped -> "" embedding, for classifier-free guidance
    checkpoint_s: float = 300.0  # save at least this often (seconds)
    unet: nets.UNetConfig = field(default_factory=lambda: dataclasses.replace(nets.RECIPE))
    # the mean branch (thumb recipe), trained alone before the teacher
    mean_epochs: int = 80
    mean_batch: int = 128
    mean_noise: float = 0.0  # jitter on the caption vector (0.03 cost 30 points of seen-label top-5 at 60 epochs)
    # the thumbnail decoder
    decoder_steps: int = 3000
    # fast student
    fast_steps: int = 2000
    fast_pairs: int = 2048  # teacher samples to regress onto
    teacher_steps: int = 10  # DDIM steps used to make those samples
    guidance: float = 2.0  # the teacher's guidance for the student's targets = the exported default


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Batches:
    """Random (latent, text vector) batches from the training split."""

    def __init__(self, work: Path, seed: int = 0, latent: str = "pixels"):
        ds = Dataset.load(work / "dataset.npz")
        self.latent = latent
        self.idx = ds.train_indices()
        self.images = ds.images
        self.caps = ds.image_captions
        self.emb = torch.from_numpy(np.load(work / "text_emb.npy").astype(np.float32))
        self.empty = torch.from_numpy(np.load(work / "empty_emb.npy").astype(np.float32)).reshape(1, -1)
        self.rng = np.random.default_rng(seed)

    def __call__(self, b: int, uncond_p: float) -> tuple[torch.Tensor, torch.Tensor]:
        i = self.rng.choice(self.idx, b)
        x = torch.from_numpy(self.images[i]).permute(0, 3, 1, 2).float() / 127.5 - 1
        caps = self.caps[i]
        k = (caps >= 0).sum(1)
        pick = caps[np.arange(b), (self.rng.random(b) * k).astype(int)]
        text = self.emb[pick].clone()
        drop = torch.from_numpy(self.rng.random(b) < uncond_p)
        text[drop] = self.empty
        return nets.encode(x, self.latent), text


def need(path: Path, stage: str) -> Path:
    """A checkpoint an earlier stage writes; a clear message (not a traceback) when it is missing."""
    if not path.exists():
        raise UserError(f"{path} is missing: run `studio-train {stage}` first.")
    return path


def _save(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def _cosine_lr(frac: float, peak: float = 1e-3) -> float:
    """Cosine decay from ``peak`` to 5% of it over a run (``frac`` = share of the run done)."""
    return peak * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * frac)))


def _lr(step: int, cfg: TrainConfig) -> float:
    return cfg.lr * min(1.0, (step + 1) / cfg.warmup)


def train_teacher(work: Path, cfg: TrainConfig, resume: bool = True, progress: Progress | None = None,
                  max_seconds: float | None = None) -> dict:
    """Train (or continue) the diffusion UNet; returns the final checkpoint's summary."""
    dev = device()
    ckpt = work / "ckpt" / "teacher.pt"
    st = torch.load(ckpt, map_location=dev, weights_only=False) if resume and ckpt.exists() else None
    if st is not None:  # the checkpoint's widths win, so a resume needs no --channels
        cfg.unet = nets.UNetConfig.from_dict(st["unet"])
    if st is None and cfg.unet.mean_hidden:
        mean_state, cfg.unet.sigma_data = _mean_for_teacher(work, cfg)
    model = nets.Denoiser(nets.UNet(cfg.unet)).to(dev)
    if st is None and cfg.unet.mean_hidden:
        model.mean.load_state_dict(mean_state)
    if model.mean is not None:  # trained by its own stage; the UNet learns the residual around it
        model.mean.requires_grad_(False)
    ema = copy.deepcopy(model).eval()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    step, spent, losses, warm_start = 0, 0.0, [], 0
    if st is not None:
        model.load_state_dict(st["model"])
        ema.load_state_dict(st["ema"])
        opt.load_state_dict(st["opt"])
        step, spent, losses = st["step"], st["seconds"], st.get("losses", [])
        warm_start = st.get("warm_start", 0)  # seeded from an exported model: Adam starts afresh
    batches = Batches(work, seed=step, latent=cfg.unet.latent)
    t_start, t_save, run_loss = time.time(), time.time(), []

    def state() -> dict:
        return {"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                "step": step, "seconds": spent + time.time() - t_start, "losses": losses,
                "unet": cfg.unet.to_dict(), "batch": cfg.batch, "device": str(dev), "warm_start": warm_start}

    while step < cfg.steps:
        for g in opt.param_groups:
            g["lr"] = _lr(step - warm_start, cfg)
        x, text = batches(cfg.batch, cfg.uncond_p)
        loss = diffusion.loss_fn(model, x.to(dev), text.to(dev))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        decay = min(cfg.ema, (1 + step) / (10 + step))
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - decay)
        step += 1
        run_loss.append(loss.item())
        if step % 100 == 0:
            losses.append((step, float(np.mean(run_loss))))
            run_loss = []
            if progress:
                progress(f"teacher loss {losses[-1][1]:.4f}", step, cfg.steps)
        out_of_time = max_seconds is not None and time.time() - t_start > max_seconds
        if time.time() - t_save > cfg.checkpoint_s or step == cfg.steps or out_of_time:
            _save(ckpt, state())
            t_save = time.time()
        if out_of_time:
            break
    if not ckpt.exists() or torch.load(ckpt, weights_only=False)["step"] != step:
        _save(ckpt, state())
    return {"step": step, "seconds": spent + time.time() - t_start, "losses": losses}


class _Pairs:
    """Every (training image, caption) pair as latents + caption vectors, for the regression stages."""

    def __init__(self, work: Path, latent: str):
        ds = Dataset.load(work / "dataset.npz")
        idx = ds.train_indices()
        caps = ds.image_captions[idx]
        img_i, cap_k = np.nonzero(caps >= 0)
        self.image = torch.from_numpy(idx[img_i])
        self.caption = torch.from_numpy(caps[img_i, cap_k].astype(np.int64))
        x = torch.from_numpy(ds.images).permute(0, 3, 1, 2).float() / 127.5 - 1
        self.latents = nets.encode(x, latent)
        self.emb = torch.from_numpy(np.load(work / "text_emb.npy").astype(np.float32))
        self.empty = torch.from_numpy(np.load(work / "empty_emb.npy").astype(np.float32)).reshape(1, -1)
        self.train_idx = idx


def train_mean(work: Path, cfg: TrainConfig, resume: bool = True, progress: Progress | None = None) -> dict:
    """Fit the text -> mean-latent branch by plain regression (MSE) over every caption pair.

    10% of captions are replaced by "" so the branch also knows the overall mean, which
    classifier-free guidance uses as its unconditional side. Cosine learning-rate decay."""
    dev = device()
    path = work / "ckpt" / "mean.pt"
    if resume and path.exists():
        st = torch.load(path, map_location="cpu", weights_only=False)
        if st["epochs"] >= cfg.mean_epochs:
            return {"epochs": st["epochs"], "seconds": st["seconds"], "loss": st["loss"]}
    data = _Pairs(work, cfg.unet.latent)
    net = nets.MeanNet(cfg.unet).to(dev)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
    g = torch.Generator().manual_seed(0)
    n = len(data.image)
    t0, loss_ep = time.time(), float("nan")
    for ep in range(cfg.mean_epochs):
        for grp in opt.param_groups:
            grp["lr"] = _cosine_lr(ep / cfg.mean_epochs)
        perm, losses = torch.randperm(n, generator=g), []
        for s in range(0, n, cfg.mean_batch):
            b = perm[s:s + cfg.mean_batch]
            text = data.emb[data.caption[b]]
            if cfg.mean_noise:
                text = torch.nn.functional.normalize(text + cfg.mean_noise * torch.randn(text.shape, generator=g), dim=-1)
            drop = torch.rand(len(b), generator=g) < cfg.uncond_p
            text[drop] = data.empty
            x = data.latents[data.image[b]].to(dev)
            loss = torch.nn.functional.mse_loss(net(text.to(dev), x), x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        loss_ep = float(np.mean(losses))
        if progress:
            progress(f"mean branch loss {loss_ep:.4f}", ep + 1, cfg.mean_epochs)
    st = {"model": net.state_dict(), "epochs": cfg.mean_epochs, "seconds": time.time() - t0, "loss": loss_ep,
          "unet": cfg.unet.to_dict()}
    _save(path, st)
    return {"epochs": st["epochs"], "seconds": st["seconds"], "loss": loss_ep}


def _mean_for_teacher(work: Path, cfg: TrainConfig) -> tuple[dict, float]:
    """The trained mean branch and the std of the residual it leaves (the UNet's sigma_data)."""
    st = torch.load(need(work / "ckpt" / "mean.pt", "mean"), map_location="cpu", weights_only=False)
    net = nets.MeanNet(cfg.unet)
    net.load_state_dict(st["model"])
    data = _Pairs(work, cfg.unet.latent)
    sel = torch.from_numpy(np.random.default_rng(0).choice(len(data.image), min(4096, len(data.image)), replace=False))
    with torch.no_grad():
        x = data.latents[data.image[sel]]
        resid = x - net(data.emb[data.caption[sel]], x)
    return st["model"], round(float(resid.std()), 4)


def train_decoder(work: Path, cfg: TrainConfig, resume: bool = True, progress: Progress | None = None) -> dict:
    """The thumbnail latent's decoder: 16x16 box average -> 64x64 picture, L1 on the training images."""
    dev = device()
    path = work / "ckpt" / "decoder.pt"
    net = nets.Upsampler().to(dev)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.0)
    step, spent = 0, 0.0
    if resume and path.exists():
        st = torch.load(path, map_location=dev, weights_only=False)
        net.load_state_dict(st["model"])
        if st.get("opt"):  # a decoder seeded from an exported model has no optimizer state
            opt.load_state_dict(st["opt"])
        step, spent = st["step"], st["seconds"]
    ds = Dataset.load(work / "dataset.npz")
    idx = ds.train_indices()
    rng = np.random.default_rng(step)
    t0, t_save, losses = time.time(), time.time(), []

    def save() -> None:
        _save(path, {"model": net.state_dict(), "opt": opt.state_dict(), "step": step,
                     "seconds": spent + time.time() - t0, "loss": float(np.mean(losses[-200:])) if losses else None})

    while step < cfg.decoder_steps:
        for grp in opt.param_groups:
            grp["lr"] = _cosine_lr(step / cfg.decoder_steps)
        x = torch.from_numpy(ds.images[rng.choice(idx, cfg.batch)]).permute(0, 3, 1, 2).float() / 127.5 - 1
        if rng.random() < 0.5:
            x = x.flip(3)
        x = x.to(dev)
        loss = (net(nets.encode(x, "thumb")) - x).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        losses.append(loss.item())
        if step % 100 == 0 and progress:
            progress(f"decoder L1 {np.mean(losses[-100:]):.4f}", step, cfg.decoder_steps)
        if time.time() - t_save > cfg.checkpoint_s:
            save()
            t_save = time.time()
    save()
    return {"step": step, "seconds": spent + time.time() - t0, "loss": float(np.mean(losses[-200:])) if losses else None}


def load_teacher(work: Path, use_ema: bool = True) -> tuple[nets.Denoiser, dict]:
    st = torch.load(need(work / "ckpt" / "teacher.pt", "teacher"), map_location="cpu", weights_only=False)
    cfg = nets.UNetConfig.from_dict(st["unet"])
    model = nets.Denoiser(nets.UNet(cfg))
    model.load_state_dict(st["ema" if use_ema else "model"])
    return model.eval(), st


class X0Student(torch.nn.Module):
    """One-step generator: predicts the teacher's final sample from (x_t, t, text) directly."""

    def __init__(self, denoiser: nets.Denoiser):
        super().__init__()
        self.den = denoiser
        self.cfg = denoiser.cfg

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        return self.den.x0(sample, timestep, text)


def distill_fast(work: Path, cfg: TrainConfig, resume: bool = True, progress: Progress | None = None) -> dict:
    """Regress a copy of the teacher from noise onto the teacher's own guided DDIM samples.

    Cheapest distillation that gives a 1-step model: the DDIM map noise -> sample is
    deterministic, so it is a plain regression target (Luhman & Luhman 2021, "knowledge
    distillation in iterative generative models"). Also trained at a few lower timesteps on
    re-noised targets, so 2-4 step LCM-style sampling works too.
    """
    dev = device()
    teacher, tst = load_teacher(work)
    teacher.to(dev)
    pairs_path = work / "ckpt" / "fast_pairs.pt"
    batches = Batches(work, seed=1, latent=teacher.cfg.latent)
    pairs = torch.load(pairs_path, weights_only=False) if pairs_path.exists() and resume else None
    if pairs is None or pairs["teacher_step"] != tst["step"]:  # samples of an older teacher: redo
        zs, xs, ts = [], [], []
        n = cfg.fast_pairs
        for i in range(0, n, 64):
            _, text = batches(min(64, n - i), 0.0)
            z = torch.randn(text.shape[0], teacher.cfg.in_channels, 16, 16)
            x = diffusion.ddim_sample(teacher, text.to(dev), batches.empty.to(dev), cfg.teacher_steps,
                                      cfg.guidance, noise=z.to(dev), shape=tuple(z.shape[1:])).cpu()
            zs.append(z), xs.append(x), ts.append(text)
            if progress:
                progress("teacher samples for distillation", i + text.shape[0], n)
        pairs = {"z": torch.cat(zs), "x": torch.cat(xs), "text": torch.cat(ts), "teacher_step": tst["step"]}
        _save(pairs_path, pairs)
    ckpt = work / "ckpt" / "fast.pt"
    student = X0Student(copy.deepcopy(teacher)).to(dev).train()
    opt = torch.optim.AdamW(student.parameters(), lr=2e-4)
    step, spent = 0, 0.0
    if resume and ckpt.exists():
        st = torch.load(ckpt, map_location=dev, weights_only=False)
        if st.get("teacher_step") == pairs["teacher_step"]:
            student.load_state_dict(st["model"])
            opt.load_state_dict(st["opt"])
            step, spent = st["step"], st["seconds"]
    t0, t_save = time.time(), time.time()
    rng = np.random.default_rng(step)
    abar = diffusion.ABAR
    n = pairs["z"].shape[0]
    losses = []
    while step < cfg.fast_steps:
        i = torch.from_numpy(rng.choice(n, cfg.batch))
        z, x, text = pairs["z"][i], pairs["x"][i], pairs["text"][i]
        # half the batch at t=999 from the teacher's own noise; the rest re-noised at lower t
        t = torch.full((cfg.batch,), 999)
        low = torch.from_numpy(rng.random(cfg.batch) < 0.5)
        t[low] = torch.from_numpy(rng.choice([249, 499, 749], int(low.sum())))
        a = abar[t].view(-1, 1, 1, 1)
        xt = torch.where(low.view(-1, 1, 1, 1), a.sqrt() * x + (1 - a).sqrt() * torch.randn_like(x), z)
        pred = student(xt.to(dev), t.to(dev), text.to(dev))
        loss = torch.nn.functional.mse_loss(pred, x.to(dev))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        losses.append(loss.item())
        if step % 100 == 0 and progress:
            progress(f"fast student loss {np.mean(losses[-100:]):.4f}", step, cfg.fast_steps)
        if time.time() - t_save > cfg.checkpoint_s or step == cfg.fast_steps:
            _save(ckpt, {"model": student.state_dict(), "opt": opt.state_dict(), "step": step,
                         "seconds": spent + time.time() - t0, "teacher_step": pairs["teacher_step"],
                         "unet": tst["unet"]})
            t_save = time.time()
    return {"step": step, "seconds": spent + time.time() - t0,
            "loss": float(np.mean(losses[-100:])) if losses else None}


def write_log(work: Path, entry: dict) -> None:
    with open(work / "train_log.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
