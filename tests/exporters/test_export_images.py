"""PNG / JPEG / WebP round trips (pixels + metadata) and PNG Info import from other tools."""

from __future__ import annotations

import errno
import io
import json
import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from exporters import write_atomic
from exporters.jpeg import encode_jpeg, encode_webp
from exporters.png import encode_png
from exporters.read import read_parameters
from studio.history.records import image_request_from_parameters
from studio.jobs import UserError

PARAMS = {"prompt": "一只戴帽子的猫 🐱, watercolour", "negative_prompt": "blurry, 模糊", "steps": 12,
          "scheduler": "dpmpp_2m_karras", "guidance": 6.5, "seed": 123456789, "width": 96, "height": 64,
          "model_id": "studio-emoji", "strength": 0.75, "fast": False, "batch": 1, "precision": "",
          "preview_every": 1}
LATIN = {**PARAMS, "prompt": "a cat in a hat", "negative_prompt": "blurry"}


@pytest.fixture
def image():
    rng = np.random.default_rng(7)
    # smooth content so lossy codecs are judged fairly
    y, x = np.mgrid[0:64, 0:96]
    base = np.stack([x * 2, y * 3, (x + y)], axis=-1).astype(np.int16)
    return np.clip(base + rng.integers(-8, 8, base.shape), 0, 255).astype(np.uint8)


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk, read straight from the file structure."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        out.append((data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return out


def test_png_round_trip_pixels_and_metadata(image):
    data = encode_png(image, PARAMS)
    back = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert np.array_equal(back, image)
    got = read_parameters(data)
    assert got["source"] == "studio"
    assert got["studio"] == PARAMS
    assert (got["prompt"], got["seed"], got["scheduler"], got["guidance"]) == (
        PARAMS["prompt"], PARAMS["seed"], "dpmpp_2m_karras", 6.5)
    # non-Latin-1 text must be in iTXt (UTF-8), not tEXt
    kinds = {payload.split(b"\0", 1)[0]: kind for kind, payload in png_chunks(data) if kind in (b"tEXt", b"iTXt")}
    assert kinds == {b"parameters": b"iTXt", b"studio": b"iTXt"}


def test_png_latin1_uses_text_and_a1111_reads_it(image):
    data = encode_png(image, LATIN)
    chunks = {payload.split(b"\0", 1)[0]: (kind, payload) for kind, payload in png_chunks(data)}
    kind, payload = chunks[b"parameters"]
    assert kind == b"tEXt"
    text = payload.split(b"\0", 1)[1].decode("latin-1")
    assert text.startswith("a cat in a hat\nNegative prompt: blurry\nSteps: 12, Sampler: DPM++ 2M Karras")
    # Drop the studio chunk: what an A1111-only reader sees still round-trips.
    im = Image.open(io.BytesIO(data))
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", im.text["parameters"])
    buf = io.BytesIO()
    im.save(buf, "PNG", pnginfo=info)
    got = read_parameters(buf.getvalue())
    assert got["source"] == "a1111"
    assert (got["prompt"], got["negative_prompt"], got["steps"], got["seed"], got["width"], got["model"]) == (
        "a cat in a hat", "blurry", 12, 123456789, 96, "studio-emoji")


def test_png_rgba_exact():
    rgba = np.random.default_rng(1).integers(0, 256, (17, 23, 4), dtype=np.uint8)
    back = np.asarray(Image.open(io.BytesIO(encode_png(rgba, None))))
    assert back.shape == (17, 23, 4) and np.array_equal(back, rgba)


@pytest.mark.parametrize("encode, fmt, tol", [(encode_jpeg, "JPEG", 4.0), (encode_webp, "WEBP", 6.0)])
def test_lossy_round_trip(image, encode, fmt, tol):
    data = encode(image, PARAMS, quality=95)
    im = Image.open(io.BytesIO(data))
    assert im.format == fmt
    back = np.asarray(im.convert("RGB")).astype(np.int16)
    assert np.abs(back - image).mean() < tol
    got = read_parameters(data)
    assert got["studio"] == PARAMS and got["prompt"] == PARAMS["prompt"]


def test_quality_setting_changes_size(image):
    assert len(encode_jpeg(image, None, quality=30)) < len(encode_jpeg(image, None, quality=95))
    assert len(encode_webp(image, None, quality=10)) < len(encode_webp(image, None, quality=95))


def test_webp_lossless_exact(image):
    back = np.asarray(Image.open(io.BytesIO(encode_webp(image, LATIN, lossless=True))).convert("RGB"))
    assert np.array_equal(back, image)


def test_jpeg_user_comment_is_a1111_readable(image):
    # What A1111 reads: EXIF UserComment, "UNICODE\0" + UTF-16 (piexif's default byte order).
    exif = Image.open(io.BytesIO(encode_jpeg(image, PARAMS))).getexif().get_ifd(0x8769)
    raw = exif[0x9286]
    assert raw[:8] == b"UNICODE\0"
    text = raw[8:].decode("utf-16-be")
    assert text.startswith(PARAMS["prompt"] + "\nNegative prompt: blurry, 模糊\nSteps: 12")


def test_a1111_jpeg_without_studio_note(image):
    exif = Image.Exif()
    text = "neon city\nNegative prompt: fog\nSteps: 30, Sampler: Euler, CFG scale: 8, Seed: 99, Size: 96x64"
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\0" + text.encode("utf-16-le")  # some tools write LE
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", exif=exif)
    got = read_parameters(buf.getvalue())
    assert (got["source"], got["prompt"], got["negative_prompt"], got["seed"], got["scheduler"]) == (
        "a1111", "neon city", "fog", 99, "euler")


def _png_with(image, chunks: dict[str, str]) -> bytes:
    info = PngImagePlugin.PngInfo()
    for k, v in chunks.items():
        info.add_text(k, v)
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


COMFY_API = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8.0,
          "sampler_name": "dpmpp_2m", "scheduler": "karras", "denoise": 1.0, "model": ["10", 0],
          "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}},
    "10": {"class_type": "LoraLoader", "inputs": {"model": ["4", 0], "clip": ["4", 1], "lora_name": "x"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 768, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "beautiful scenery, 山水画", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark", "clip": ["4", 1]}},
}
COMFY_WORKFLOW = {
    "nodes": [
        {"id": 3, "type": "KSampler", "inputs": [{"name": "model", "link": 1}, {"name": "positive", "link": 4},
                                                  {"name": "negative", "link": 6}, {"name": "latent_image", "link": 2}],
         "widgets_values": [42, "fixed", 25, 7.5, "euler_ancestral", "normal", 1]},
        {"id": 4, "type": "CheckpointLoaderSimple", "inputs": [], "widgets_values": ["dreamshaper_8.safetensors"]},
        {"id": 5, "type": "EmptyLatentImage", "inputs": [], "widgets_values": [640, 448, 1]},
        {"id": 6, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "link": 3}], "widgets_values": ["a red fox"]},
        {"id": 7, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "link": 5}], "widgets_values": ["blurry"]},
    ],
    "links": [[1, 4, 0, 3, 0, "MODEL"], [2, 5, 0, 3, 3, "LATENT"], [3, 4, 1, 6, 0, "CLIP"],
              [4, 6, 0, 3, 1, "CONDITIONING"], [5, 4, 1, 7, 0, "CLIP"], [6, 7, 0, 3, 2, "CONDITIONING"]],
}


def test_comfyui_api_graph(image):
    got = read_parameters(_png_with(image, {"prompt": json.dumps(COMFY_API, ensure_ascii=False),
                                            "workflow": json.dumps(COMFY_WORKFLOW)}))
    assert got["source"] == "comfyui"
    assert (got["prompt"], got["negative_prompt"], got["seed"], got["steps"], got["guidance"]) == (
        "beautiful scenery, 山水画", "text, watermark", 156680208700286, 20, 8.0)
    assert (got["scheduler"], got["width"], got["height"], got["model"]) == (
        "dpmpp_2m_karras", 512, 768, "v1-5-pruned-emaonly.safetensors")


def test_comfyui_workflow_only(image):
    got = read_parameters(_png_with(image, {"workflow": json.dumps(COMFY_WORKFLOW)}))
    assert (got["source"], got["prompt"], got["negative_prompt"], got["seed"], got["steps"]) == (
        "comfyui", "a red fox", "blurry", 42, 25)
    assert (got["guidance"], got["scheduler"], got["width"], got["height"], got["model"]) == (
        7.5, "euler_a", 640, 448, "dreamshaper_8.safetensors")


def test_invokeai_v3_and_v2(image):
    v3 = {"generation_mode": "txt2img", "positive_prompt": "a lighthouse", "negative_prompt": "people",
          "width": 512, "height": 512, "seed": 2024, "steps": 30, "cfg_scale": 7.5, "scheduler": "dpmpp_2m_k",
          "model": {"name": "juggernaut", "base": "sd-1", "hash": "blake3:abc"}}
    got = read_parameters(_png_with(image, {"invokeai_metadata": json.dumps(v3)}))
    assert (got["source"], got["prompt"], got["negative_prompt"], got["seed"], got["scheduler"], got["model"]) == (
        "invokeai", "a lighthouse", "people", 2024, "dpmpp_2m_karras", "juggernaut")
    v2 = {"model_weights": "stable-diffusion-1.5", "image": {
        "prompt": [{"prompt": "a banana [ugly, blurry]", "weight": 1.0}], "steps": 50, "cfg_scale": 7.5,
        "seed": 11, "width": 512, "height": 512, "sampler": "k_euler_a"}}
    got = read_parameters(_png_with(image, {"sd-metadata": json.dumps(v2)}))
    assert (got["prompt"], got["negative_prompt"], got["steps"], got["scheduler"], got["model"]) == (
        "a banana", "ugly, blurry", 50, "euler_a", "stable-diffusion-1.5")


def test_plain_png_and_garbage(image, tmp_path):
    assert read_parameters(encode_png(image, None)) == {}
    with pytest.raises(UserError):
        read_parameters(b"not an image at all")
    path = tmp_path / "p.png"
    path.write_bytes(encode_png(image, LATIN))
    assert read_parameters(path)["seed"] == LATIN["seed"]
    assert read_parameters(str(path))["prompt"] == "a cat in a hat"


def test_import_to_request(image):
    req = image_request_from_parameters(read_parameters(encode_png(image, PARAMS)))
    assert (req.prompt, req.negative_prompt, req.seed, req.steps, req.scheduler, req.guidance, req.model_id) == (
        PARAMS["prompt"], PARAMS["negative_prompt"], PARAMS["seed"], 12, "dpmpp_2m_karras", 6.5, "studio-emoji")
    req = image_request_from_parameters(read_parameters(_png_with(image, {"prompt": json.dumps(COMFY_API)})))
    assert (req.prompt, req.seed, req.steps, req.width, req.height, req.guidance, req.model_id) == (
        "beautiful scenery, 山水画", 156680208700286, 20, 512, 768, 8.0, "")


def test_write_atomic_and_full_disk(tmp_path, image, monkeypatch):
    folder = tmp_path / "exports"
    target = folder / "out.png"
    write_atomic(target, encode_png(image, LATIN))
    before = target.read_bytes()

    def no_space(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(UserError, match="disk is full"):
        write_atomic(target, encode_png(image, PARAMS))
    assert target.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["out.png"]  # no temp file left


def test_text_chunk_after_the_pixels(image):
    """Some writers put their text chunks after IDAT; the reader must still find them."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = encode_png(image, None)
    end = png.rfind(b"IEND") - 4
    text = chunk(b"tEXt", b"parameters\0late cat\nSteps: 5, Sampler: Euler, CFG scale: 7, Seed: 3, Size: 96x64")
    got = read_parameters(png[:end] + text + png[end:])
    assert (got["prompt"], got["seed"], got["scheduler"], got["width"]) == ("late cat", 3, "euler", 96)
