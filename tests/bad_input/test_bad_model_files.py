"""Broken model files given to `studio models import`: one line on stderr, exit 1, nothing half
installed, and the next command still works."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from studio import cli, paths
from tests.bad_input import models
from tests.bad_input.checks import assert_clear


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    rc = cli.main(list(argv))
    err = capsys.readouterr().err
    return rc, err


def assert_refused(capsys, path: Path, *words: str) -> str:
    before = sorted(p.name for p in paths.models_dir().iterdir())
    rc, err = run_cli(capsys, "models", "import", str(path))
    assert rc == cli.EXIT_FAILED, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("studio: "), err
    message = lines[0][len("studio: "):]
    assert_clear(message)
    for w in words:
        assert w.lower() in message.lower(), message
    after = sorted(p.name for p in paths.models_dir().iterdir())
    assert after == before, f"a half-installed model was left behind: {set(after) - set(before)}"
    # The program keeps working: the next command succeeds.
    assert run_cli(capsys, "models", "list")[0] == 0
    return message


def _valid_bytes(kind: str, tmp: Path) -> bytes:
    if kind == "onnx":
        models.text_encoder_graph(tmp / "te" / "model.onnx", vocab=300)
        return (tmp / "te" / "model.onnx").read_bytes()
    if kind == "gguf":
        return models.tiny_gguf(tmp / "ok.gguf").read_bytes()
    from safetensors.numpy import save

    return save({"model.diffusion_model.input_blocks.0.0.weight": np.ones((320, 4, 3, 3), np.float32)})


DAMAGE = {
    "zero-byte": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "random": lambda data: np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
}


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("kind", ["onnx", "gguf"])
def test_damaged_model_file(capsys, tmp_path, kind, damage):
    path = tmp_path / f"{damage} model.{kind}"
    path.write_bytes(DAMAGE[damage](_valid_bytes(kind, tmp_path)))
    assert_refused(capsys, path, path.name if kind == "gguf" else "")


@pytest.mark.slow  # each case starts the torch exporter in a child process (~10 s)
@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_safetensors_checkpoint(capsys, tmp_path, damage):
    pytest.importorskip("torch")
    path = tmp_path / f"{damage}.safetensors"
    path.write_bytes(DAMAGE[damage](_valid_bytes("safetensors", tmp_path)))
    assert_refused(capsys, path)


class _Payload:
    """Unpickling this would create a file: the proof that a pickle ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.slow  # the torch exporter child process
@pytest.mark.parametrize("suffix", [".ckpt", ".pt"])
def test_pickle_checkpoint_is_refused_and_never_runs(capsys, tmp_path, suffix):
    pytest.importorskip("torch")
    marker = tmp_path / "pwned"
    path = tmp_path / f"model{suffix}"
    path.write_bytes(pickle.dumps({"state_dict": _Payload(marker)}))
    message = assert_refused(capsys, path, "safetensors")
    assert not marker.exists(), "the pickle was executed"
    assert "Weights only load failed" not in message


def test_gguf_of_an_unknown_architecture(capsys, tmp_path):
    import gguf

    path = tmp_path / "mamba.gguf"
    w = gguf.GGUFWriter(str(path), "mamba")
    w.add_block_count(1)
    w.add_tensor("token_embd.weight", np.zeros((4, 4), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    assert_refused(capsys, path, "mamba")


def test_gguf_without_weights(capsys, tmp_path):
    import gguf

    path = tmp_path / "empty-llama.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(2)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    assert_refused(capsys, path)


def test_missing_path(capsys, tmp_path):
    assert_refused(capsys, tmp_path / "nowhere" / "model.gguf", "does not exist")


def test_empty_folder(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    assert_refused(capsys, tmp_path / "empty")


def test_text_onnx_folder_without_kv_cache(capsys, tmp_path):
    folder = tmp_path / "encoder-only"
    models.text_encoder_graph(folder / "model.onnx", vocab=300)
    text = models.tiny_text_folder(tmp_path / "m")
    (folder / "tokenizer.json").write_bytes((text / "tokenizer.json").read_bytes())
    assert_refused(capsys, folder, "past_key_values")


@pytest.mark.parametrize("part", ["unet", "vae_decoder", "text_encoder", "tokenizer", "scheduler"])
def test_image_folder_missing_a_part(capsys, tiny_root, tmp_path, part):
    import shutil

    folder = tmp_path / "incomplete"
    shutil.copytree(tiny_root / models.IMAGE_ID, folder)
    (folder / "manifest.json").unlink()
    shutil.rmtree(folder / part)
    name = {"unet": "UNet", "vae_decoder": "VAE decoder", "text_encoder": "text encoder",
            "tokenizer": "tokenizer", "scheduler": "scheduler"}[part]
    assert_refused(capsys, folder, name)


def test_image_folder_with_mismatched_parts(capsys, tiny_root, tmp_path):
    import shutil

    folder = tmp_path / "mixed"
    shutil.copytree(tiny_root / models.IMAGE_ID, folder)
    models.unet_graph(folder / "unet" / "model.onnx", channels=7)
    assert_refused(capsys, folder, "different models")


def test_real_command_line_exit_status(tmp_path, studio_home):
    """The same through a real `python -m studio` process: exit 1, exactly one stderr line."""
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(64))
    env = {**os.environ, "PYTHONPATH": str(paths.REPO_ROOT)}
    out = subprocess.run([sys.executable, "-m", "studio", "models", "import", str(bad)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("studio: broken.gguf"), out.stderr
    assert_clear(lines[0])
