"""Tiny real ONNX graphs for worker tests (built with onnx.helper, random weights)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def matmul_tanh(path: Path, n: int = 64, seed: int = 0) -> tuple[Path, np.ndarray]:
    """y = tanh(x @ W): a step that costs real compute and stays bounded when iterated."""
    w = (np.random.default_rng(seed).standard_normal((n, n)) / np.sqrt(n)).astype(np.float32)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])
    nodes = [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Tanh", ["h"], ["y"])]
    graph = helper.make_graph(nodes, "matmul_tanh", [x], [y], [numpy_helper.from_array(w, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path, w


def iterate_numpy(x: np.ndarray, w: np.ndarray, steps: int) -> np.ndarray:
    for _ in range(steps):
        x = np.tanh(x @ w)
    return x
