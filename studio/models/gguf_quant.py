"""Block-wise weight quantization in the layout of ONNX Runtime's ``MatMulNBits`` (numpy only).

A weight ``W[N, K]`` (out × in, the Hugging Face layout) is cut into blocks of ``block`` values
along K; each block stores ``q = round(w / scale) + zero_point`` as unsigned ``bits``-bit ints,
with per-block scale and zero point (asymmetric: the block's min and max are both representable).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NBitsWeight:
    packed: np.ndarray  # uint8 [N, k_blocks, block * bits / 8]
    scales: np.ndarray  # float32 [N * k_blocks]
    zero_points: np.ndarray  # uint8 [N * ceil(k_blocks * bits / 8)]
    n: int
    k: int
    bits: int
    block: int


def quantize(w: np.ndarray, bits: int = 4, block: int = 32) -> NBitsWeight:
    if bits not in (4, 8):
        raise ValueError("bits must be 4 or 8")
    n, k = w.shape
    nb = -(-k // block)
    wp = np.zeros((n, nb * block), np.float32)
    wp[:, :k] = w
    blocks = wp.reshape(n, nb, block)
    qmax = (1 << bits) - 1
    q, scale, zp = _fit(blocks, qmax, _SHRINK if bits == 4 else (1.0,))
    zp8 = zp.astype(np.uint8)
    if bits == 4:
        packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
        if nb % 2:
            zp8 = np.concatenate([zp8, np.zeros((n, 1), np.uint8)], axis=1)
        zps = (zp8[:, 0::2] | (zp8[:, 1::2] << 4)).astype(np.uint8)
    else:
        packed, zps = q, zp8
    return NBitsWeight(np.ascontiguousarray(packed), scale.astype(np.float32).reshape(-1),
                       np.ascontiguousarray(zps).reshape(-1), n, k, bits, block)


# Candidate range shrink factors tried per block at 4 bits (clipping a few outliers often lowers
# the error of the rest); each candidate's scale is then refit by least squares.
_SHRINK = (1.0, 0.96, 0.92, 0.88, 0.84, 0.8)


def _fit(blocks: np.ndarray, qmax: int, shrink: tuple[float, ...]):
    """Per block (q, scale, integer zero point) minimising the squared error over candidates."""
    lo = blocks.min(axis=2)
    hi = blocks.max(axis=2)
    best = None
    for f in shrink:
        scale = (hi - lo) * f / qmax
        scale[scale == 0] = 1.0  # a constant block: any scale works, zp carries the value
        zp = np.clip(np.rint(-lo * f / scale), 0, qmax)
        q = np.clip(np.rint(blocks / scale[..., None]) + zp[..., None], 0, qmax)
        c = q - zp[..., None]
        denom = (c * c).sum(axis=2)
        refit = np.where(denom > 0, (blocks * c).sum(axis=2) / np.maximum(denom, 1e-30), scale)
        refit = np.where(refit > 0, refit, scale)
        err = ((c * refit[..., None] - blocks) ** 2).sum(axis=2)
        if best is None:
            best = [q, refit, zp, err]
            continue
        better = err < best[3]
        best[0] = np.where(better[..., None], q, best[0])
        best[1] = np.where(better, refit, best[1])
        best[2] = np.where(better, zp, best[2])
        best[3] = np.where(better, err, best[3])
    q, scale, zp, _ = best
    return q.astype(np.uint8), scale, zp


def dequantize(qw: NBitsWeight) -> np.ndarray:
    """The float32 weights ``MatMulNBits`` computes with (for tests and error estimates)."""
    n, nb = qw.n, qw.packed.shape[1]
    if qw.bits == 4:
        q = np.empty((n, nb, qw.block), np.uint8)
        q[..., 0::2] = qw.packed & 0x0F
        q[..., 1::2] = qw.packed >> 4
        zp2 = qw.zero_points.reshape(n, -1)
        zp = np.empty((n, zp2.shape[1] * 2), np.uint8)
        zp[:, 0::2] = zp2 & 0x0F
        zp[:, 1::2] = zp2 >> 4
        zp = zp[:, :nb]
    else:
        q = qw.packed
        zp = qw.zero_points.reshape(n, nb)
    s = qw.scales.reshape(n, nb)
    w = (q.astype(np.float32) - zp[..., None].astype(np.float32)) * s[..., None]
    return w.reshape(n, -1)[:, :qw.k]
