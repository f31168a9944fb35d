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
    lo = blocks.min(axis=2)
    hi = blocks.max(axis=2)
    scale = (hi - lo) / qmax
    scale[scale == 0] = 1.0  # a constant block: any scale works, zp carries the value
    zp = np.clip(np.rint(-lo / scale), 0, qmax)
    q = np.clip(np.rint(blocks / scale[..., None]) + zp[..., None], 0, qmax).astype(np.uint8)
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
