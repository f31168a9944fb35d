"""AUTOMATIC1111 parameter strings: a table of real-world shapes, parsed and written."""

from __future__ import annotations

import pytest

from exporters.a1111 import format_parameters, parse_parameters

PARSE_TABLE = [
    # (text, expected subset)
    ("a cat in a hat\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, "
     "Size: 512x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly",
     {"prompt": "a cat in a hat", "negative_prompt": "blurry", "steps": 20, "sampler": "Euler a",
      "scheduler": "euler_a", "guidance": 7.0, "seed": 42, "width": 512, "height": 512,
      "model_hash": "6ce0161689", "model": "v1-5-pruned-emaonly"}),
    # no negative prompt, multi-line prompt, extra keys kept
    ("masterpiece, castle\non a hill\nSteps: 30, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 1234567890, "
     "Size: 768x512, Clip skip: 2, ENSD: 31337",
     {"prompt": "masterpiece, castle\non a hill", "negative_prompt": "", "steps": 30,
      "scheduler": "dpmpp_2m_karras", "guidance": 6.5, "seed": 1234567890, "width": 768, "height": 512,
      "extra": {"Clip skip": "2", "ENSD": "31337"}}),
    # A1111 ≥1.9 splits the schedule type out
    ("portrait\nNegative prompt: ugly, lowres\nSteps: 25, Sampler: DPM++ 2M, Schedule type: Karras, "
     "CFG scale: 5, Seed: 7, Size: 832x1216, Model: sdxl_base",
     {"prompt": "portrait", "negative_prompt": "ugly, lowres", "scheduler": "dpmpp_2m_karras",
      "width": 832, "height": 1216, "model": "sdxl_base"}),
    # quoted values with commas and colons (LoRA hashes), img2img strength
    ('<lora:detail:0.6> forest\nSteps: 20, Sampler: DDIM, CFG scale: 7, Seed: 3, Size: 512x768, '
     'Denoising strength: 0.55, Lora hashes: "detail: abc123, other: def456", Version: v1.10.1',
     {"prompt": "<lora:detail:0.6> forest", "scheduler": "ddim", "strength": 0.55,
      "extra": {"Lora hashes": "detail: abc123, other: def456", "Version": "v1.10.1"}}),
    # Chinese and emoji, unknown sampler
    ("一只戴帽子的猫 🐱\nNegative prompt: 模糊\nSteps: 8, Sampler: UniPC, CFG scale: 4, Seed: 0, Size: 64x64",
     {"prompt": "一只戴帽子的猫 🐱", "negative_prompt": "模糊", "sampler": "UniPC", "scheduler": "",
      "seed": 0, "steps": 8}),
    # a multi-line negative prompt
    ("sky\nNegative prompt: bad\nworse\nSteps: 10, Sampler: Euler, CFG scale: 3, Seed: 9, Size: 256x256",
     {"prompt": "sky", "negative_prompt": "bad\nworse", "scheduler": "euler"}),
    # only a prompt (fewer than three key/value pairs on the last line)
    ("just words: nothing else", {"prompt": "just words: nothing else", "negative_prompt": ""}),
]


@pytest.mark.parametrize("text, expected", PARSE_TABLE)
def test_parse_table(text, expected):
    got = parse_parameters(text)
    for key, value in expected.items():
        if key == "extra":
            for k, v in value.items():
                assert got["extra"][k] == v
        else:
            assert got[key] == value, key


WRITE_TABLE = [
    ({"prompt": "a cat", "negative_prompt": "blurry", "steps": 20, "scheduler": "euler_a", "guidance": 7.0,
      "seed": 42, "width": 512, "height": 512, "model_id": "studio-emoji"},
     "a cat\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, "
     "Model: studio-emoji, Version: Studio"),
    # model defaults (0 / -1 / "") are left out; guidance 7.5 keeps its decimal
    ({"prompt": "猫 🐱", "steps": 0, "scheduler": "", "guidance": 7.5, "seed": 5, "width": 0, "height": 0,
      "model_id": "m"},
     "猫 🐱\nCFG scale: 7.5, Seed: 5, Model: m, Version: Studio"),
    # img2img strength and a model name that needs quoting
    ({"prompt": "x", "steps": 4, "scheduler": "lcm", "guidance": 1.0, "seed": 1, "width": 64, "height": 64,
      "model_id": "my: model, v2", "strength": 0.3, "init_image_sha": "ab", "model_hash": "0123456789abcdef"},
     'x\nSteps: 4, Sampler: LCM, CFG scale: 1, Seed: 1, Size: 64x64, Model hash: 0123456789, '
     'Model: "my: model, v2", Denoising strength: 0.3, Version: Studio'),
]


@pytest.mark.parametrize("params, text", WRITE_TABLE)
def test_write_table(params, text):
    assert format_parameters(params) == text


@pytest.mark.parametrize("params, text", WRITE_TABLE)
def test_written_strings_parse_back(params, text):
    got = parse_parameters(format_parameters(params))
    assert got["prompt"] == params["prompt"]
    assert got["seed"] == params["seed"]
    assert got.get("scheduler", "") == params["scheduler"]
    assert got["model"] == params["model_id"]
    if params.get("steps"):
        assert got["steps"] == params["steps"]
    if params.get("strength") is not None:
        assert got["strength"] == pytest.approx(params["strength"])
