"""The networks: the latent codecs, a small text-conditioned UNet and its text -> mean branch.

Two latents (``UNetConfig.latent``):
  * "thumb" (the recipe's default): the 16x16x3 box-averaged thumbnail of the 64x64 picture;
    a learned upsampler (``Upsampler``) decodes it. The denoiser only has to get the layout and
    colours right (768 numbers), which is what a CPU budget can teach it; detail comes from the
    decoder, trained separately in minutes.
  * "pixels": 64x64x3 rearranged losslessly into 16x16x48 (4x4 space-to-depth), no decoder to
    train, but the denoiser must model all 12,288 numbers (CPU runs of 23k steps stayed grainy).
The UNet's cross-attention context is one sentence vector (see text.py); attention over a single
token is a per-sample constant, so it is applied as FiLM (scale/shift from time + text
embedding) rather than as a softmax over one key.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

PATCH = 4  # 64x64x3 <-> 16x16x48


def to_latent(x: torch.Tensor) -> torch.Tensor:
    return F.pixel_unshuffle(x, PATCH)


def from_latent(z: torch.Tensor) -> torch.Tensor:
    return F.pixel_shuffle(z, PATCH)


def encode(x: torch.Tensor, latent: str) -> torch.Tensor:
    """64x64 pixels in [-1,1] -> the training latent of that kind."""
    return to_latent(x) if latent == "pixels" else F.avg_pool2d(x, PATCH)


class PixelEncoder(nn.Module):
    def forward(self, sample: torch.Tensor) -> torch.Tensor:
        return to_latent(sample)


class PixelDecoder(nn.Module):
    def forward(self, latent_sample: torch.Tensor) -> torch.Tensor:
        return from_latent(latent_sample).clamp(-1, 1)


@dataclass
class UNetConfig:
    in_channels: int = 3 * PATCH * PATCH  # latent channels
    channels: tuple[int, ...] = (64, 128, 192)  # per resolution: 16, 8, 4
    attention: tuple[bool, ...] = (False, True, True)  # self-attention at 8x8 and 4x4
    text_dim: int = 384
    emb_dim: int = 256
    groups: int = 16
    latent: str = "pixels"  # "pixels" (16x16x48 space-to-depth) or "thumb" (16x16x3 + learned decoder)
    mean_hidden: int = 0  # >0: a text -> mean-latent MLP of this width (predict-and-refine)
    sigma_data: float = 0.6  # std of what the UNet denoises: emoji pixels 0.63; the residual: measured at start

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> UNetConfig:
        """The inverse of ``to_dict`` (JSON and checkpoints hold lists)."""
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


RECIPE = UNetConfig(in_channels=3, channels=(48, 64, 128), latent="thumb", mean_hidden=1024)  # what studio-train trains


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float().reshape(-1, 1) * freqs.reshape(1, -1)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int, emb: int, groups: int):
        super().__init__()
        self.n1 = nn.GroupNorm(groups, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.film = nn.Linear(emb, 2 * cout)
        self.n2 = nn.GroupNorm(groups, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
        nn.init.zeros_(self.c2.weight)
        nn.init.zeros_(self.c2.bias)

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.c1(F.silu(self.n1(x)))
        scale, shift = self.film(emb)[:, :, None, None].chunk(2, dim=1)
        h = self.n2(h) * (1 + scale) + shift
        h = self.c2(F.silu(h))
        return self.skip(x) + h


class Attention(nn.Module):
    def __init__(self, ch: int, groups: int, heads: int = 4):
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(ch // heads)
        self.norm = nn.GroupNorm(groups, ch)
        self.qkv = nn.Conv2d(ch, 3 * ch, 1)
        self.out = nn.Conv2d(ch, ch, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).unbind(1)
        att = torch.softmax(q.transpose(-1, -2) @ k * self.scale, dim=-1)  # [b,h,n,n]
        y = (v @ att.transpose(-1, -2)).reshape(b, c, h, w)
        return x + self.out(y)


class UNet(nn.Module):
    """eps-prediction UNet over 16x16x48 latents, conditioned on time and one text vector."""

    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        e, g, ch = cfg.emb_dim, cfg.groups, cfg.channels
        self.time = nn.Sequential(nn.Linear(e, e), nn.SiLU(), nn.Linear(e, e))
        self.text = nn.Sequential(nn.Linear(cfg.text_dim, e), nn.SiLU(), nn.Linear(e, e))
        self.inp = nn.Conv2d(cfg.in_channels, ch[0], 3, padding=1)
        self.down = nn.ModuleList()
        self.down_attn = nn.ModuleList()
        self.pool = nn.ModuleList()
        skips = [ch[0]]
        prev = ch[0]
        for i, c in enumerate(ch):
            self.down.append(ResBlock(prev, c, e, g))
            self.down_attn.append(Attention(c, g) if cfg.attention[i] else nn.Identity())
            skips.append(c)
            prev = c
            self.pool.append(nn.Conv2d(c, c, 3, stride=2, padding=1) if i < len(ch) - 1 else nn.Identity())
            if i < len(ch) - 1:
                skips.append(c)  # the pooled map is a skip too
        self.mid1 = ResBlock(prev, prev, e, g)
        self.mid_attn = Attention(prev, g)
        self.mid2 = ResBlock(prev, prev, e, g)
        self.up = nn.ModuleList()
        self.up_attn = nn.ModuleList()
        self.unpool = nn.ModuleList()
        for i in reversed(range(len(ch))):
            c = ch[i]
            self.up.append(nn.ModuleList([ResBlock(prev + skips.pop(), c, e, g),
                                          ResBlock(c + skips.pop(), c, e, g)]))
            self.up_attn.append(Attention(c, g) if cfg.attention[i] else nn.Identity())
            prev = c
            self.unpool.append(nn.Conv2d(c, c, 3, padding=1) if i > 0 else nn.Identity())
        self.out_norm = nn.GroupNorm(g, prev)
        self.out = nn.Conv2d(prev, cfg.in_channels, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """sample [B,48,16,16], timestep [B] (0..999), text [B,384] sentence vectors."""
        emb = self.time(timestep_embedding(timestep, self.cfg.emb_dim)) + self.text(text)
        emb = F.silu(emb)
        h = self.inp(sample)
        hs = [h]
        for i, (block, attn, pool) in enumerate(zip(self.down, self.down_attn, self.pool)):
            h = attn(block(h, emb))
            hs.append(h)
            if i < len(self.down) - 1:
                h = pool(h)
                hs.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)
        for j, (blocks, attn, unpool) in enumerate(zip(self.up, self.up_attn, self.unpool)):
            h = blocks[0](torch.cat([h, hs.pop()], 1), emb)
            h = attn(blocks[1](torch.cat([h, hs.pop()], 1), emb))
            if j < len(self.up) - 1:
                h = unpool(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.out(F.silu(self.out_norm(h)))


class MeanNet(nn.Module):
    """Text vector -> the conditional mean latent E[x | caption] (16x16), resized to the sample.

    A plain regression learns which colours go where for a caption in minutes of CPU, long
    before a diffusion model does (same data: top-5 adherence 77% on seen labels after 40
    epochs vs 9% for a 23k-step pixel UNet); the UNet then only models the residual, as in
    "predict and refine" (Whang et al. 2022)."""

    def __init__(self, cfg: UNetConfig, size: int = 16):
        super().__init__()
        self.ch, self.size = cfg.in_channels, size
        h = cfg.mean_hidden
        self.mlp = nn.Sequential(nn.Linear(cfg.text_dim, h), nn.SiLU(), nn.Linear(h, h), nn.SiLU(),
                                 nn.Linear(h, cfg.in_channels * size * size))

    def forward(self, text: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        m = self.mlp(text).reshape(-1, self.ch, self.size, self.size)
        # other picture sizes: stretch the 16x16 layout (an identity resize at the native size)
        return F.interpolate(m, size=like.shape[-2:], mode="bilinear", align_corners=False)


class Upsampler(nn.Module):
    """The "thumb" latent's decoder: 16x16x3 thumbnail -> 64x64x3 picture.

    All the work is at 16x16: residual blocks predict each cell's 4x4 detail (pixel shuffle) on
    top of a bilinear upscale. A first try with 32x32/64x64 stages took over 0.5 s per batch of
    32 on one CPU core; this one 0.18 s (3,000 steps in 9 min), beside the mean branch."""

    def __init__(self, width: int = 64, blocks: int = 4):
        super().__init__()
        self.inp = nn.Conv2d(3, width, 3, padding=1)
        self.body = nn.Sequential(*[_Res(width) for _ in range(blocks)], nn.SiLU(),
                                  nn.Conv2d(width, 3 * PATCH * PATCH, 3, padding=1))

    def forward(self, thumb: torch.Tensor) -> torch.Tensor:
        base = F.interpolate(thumb, scale_factor=float(PATCH), mode="bilinear", align_corners=False)
        return (base + F.pixel_shuffle(self.body(self.inp(thumb)), PATCH)).clamp(-1, 1)


class _Res(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.a = nn.Conv2d(ch, ch, 3, padding=1)
        self.b = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.b(F.silu(self.a(F.silu(x))))


class Denoiser(nn.Module):
    """EDM-style preconditioning (Karras et al. 2022) around the UNet, exposed as eps-prediction.

    The raw UNet predicts a unit-variance correction F; x0 = c_skip * x~ + c_out * F with
    x~ = x_t / sqrt(abar). At high noise eps ~ x_t then comes from the formula rather than from
    the network having to copy 48 noise channels through its narrow first stage (which a small
    plain eps-UNet learns very slowly)."""

    def __init__(self, unet: UNet):
        super().__init__()
        from studio.training.diffusion import ABAR

        self.net = unet
        self.cfg = unet.cfg
        self.mean = MeanNet(unet.cfg) if unet.cfg.mean_hidden else None
        self.register_buffer("abar", ABAR.clone())

    def _coefs(self, t: torch.Tensor) -> tuple[torch.Tensor, ...]:
        a = self.abar[t.round().long().clamp(0, self.abar.shape[0] - 1)].view(-1, 1, 1, 1)
        sigma2 = (1 - a) / a
        sd = self.cfg.sigma_data
        c_skip = sd ** 2 / (sigma2 + sd ** 2)
        c_out = sigma2.sqrt() * sd / (sigma2 + sd ** 2).sqrt()
        c_in = 1 / (sigma2 + sd ** 2).sqrt()
        return a, c_skip, c_out, c_in

    def mean_of(self, text: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        """The mean branch's latent for these captions (0 without a mean branch)."""
        return self.mean(text, like) if self.mean is not None else torch.zeros_like(like)

    def x0(self, sample: torch.Tensor, timestep: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        a, c_skip, c_out, c_in = self._coefs(timestep)
        xs = sample / a.sqrt()
        m = self.mean_of(text, xs)
        r = xs - m  # the UNet denoises the residual around the caption's mean
        return m + c_skip * r + c_out * self.net(c_in * r, timestep, text)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        a = self._coefs(timestep)[0]
        x0 = self.x0(sample, timestep, text)
        return (sample - a.sqrt() * x0) / (1 - a).sqrt()

    def loss(self, x0: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """MSE on the network's own target F (EDM's loss weighting), t uniform over 0..999."""
        b = x0.shape[0]
        t = torch.randint(0, len(self.abar), (b,), device=x0.device)
        a, c_skip, c_out, c_in = self._coefs(t)
        noise = torch.randn_like(x0)
        r0 = x0 - self.mean_of(text, x0)
        rs = r0 + ((1 - a) / a).sqrt() * noise  # = x_t / sqrt(abar) - mean
        target = (r0 - c_skip * rs) / c_out
        return ((self.net(c_in * rs, t, text) - target) ** 2).mean()
