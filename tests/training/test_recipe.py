"""The recipe end to end on tiny real artefacts: prepare -> teacher -> fast student -> ONNX export,
then the exported folder runs through our sampler and through the image engine."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from studio.training import diffusion, export, nets, train
from studio.training.cli import prepare
from studio.training.data import build_emoji
from tests.training.helpers import fake_npm_sources, tiny_bert

TINY = nets.UNetConfig(channels=(16, 32), attention=(False, True), emb_dim=32, groups=8)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # tiny ops on a busy machine: a second OpenMP thread only adds waiting
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A prepared run folder: data set, exported tiny text encoder, caption embeddings."""
    w = tmp_path_factory.mktemp("run")
    build_emoji(fake_npm_sources(w / "src")).save(w / "dataset.npz")
    from studio.training import text

    text.export_encoder(tiny_bert(w / "bert"), w / "text", quantize=True)
    prepare(w, None, progress=lambda *a: None)
    return w


def test_prepare_embeds_every_caption(work):
    emb = np.load(work / "text_emb.npy")
    from studio.training.data import Dataset

    ds = Dataset.load(work / "dataset.npz")
    assert emb.shape == (len(ds.captions), 384)
    norms = np.linalg.norm(emb.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-2)  # pooled + L2-normalised sentence vectors
    assert np.load(work / "empty_emb.npy").shape == (384,)


def test_unet_shapes_and_zero_init():
    model = nets.UNet(TINY)
    x = torch.randn(2, 48, 16, 16)
    out = model(x, torch.tensor([0, 999]), torch.randn(2, 384))
    assert out.shape == x.shape
    assert torch.count_nonzero(out) == 0  # zero-initialised output conv: starts by predicting 0


def test_preconditioning_gives_eps_close_to_x_t_at_high_noise_from_the_start():
    den = nets.Denoiser(nets.UNet(TINY))
    x_t = torch.randn(2, 48, 16, 16)
    eps = den(x_t, torch.tensor([999, 999]), torch.randn(2, 384))
    assert torch.allclose(eps, x_t, atol=0.05)
    # and at t=0 the x0 estimate is (almost) the input itself
    assert torch.allclose(den.x0(x_t, torch.tensor([0, 0]), torch.randn(2, 384)), x_t / den.abar[0].sqrt(), atol=1e-2)


def test_pixel_latent_is_lossless():
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    z = nets.to_latent(x)
    assert z.shape == (2, 48, 16, 16)
    assert torch.equal(nets.from_latent(z), x)


def test_teacher_loss_is_finite_and_falls(work):
    torch.manual_seed(0)
    cfg = train.TrainConfig(steps=120, batch=8, lr=2e-3, warmup=10, checkpoint_s=1e9, unet=TINY)
    batches = train.Batches(work, seed=123)
    x, text = batches(32, 0.0)

    def fixed_loss(model) -> float:
        torch.manual_seed(7)
        with torch.no_grad():
            return diffusion.loss_fn(model, x, text).item()

    before = fixed_loss(nets.Denoiser(nets.UNet(TINY)))
    summary = train.train_teacher(work, cfg, resume=False)
    model, st = train.load_teacher(work, use_ema=False)
    after = fixed_loss(model)
    assert st["step"] == 120 and summary["step"] == 120
    assert np.isfinite(after) and after < 0.8 * before, (before, after)
    # resuming continues from the checkpoint instead of starting over
    cfg.steps = 130
    assert train.train_teacher(work, cfg, resume=True)["step"] == 130


def test_ddim_sampler_returns_latents(work):
    model, _ = train.load_teacher(work)
    text = torch.randn(2, 384)
    z = diffusion.ddim_sample(model, text, torch.zeros(1, 384), steps=3, guidance=2.0)
    assert z.shape == (2, 48, 16, 16) and torch.isfinite(z).all()


def test_export_has_the_layout_and_runs(work, tmp_path):
    cfg = train.TrainConfig(steps=130, batch=8, unet=TINY, fast_steps=5, fast_pairs=8, teacher_steps=2)
    if not (work / "ckpt" / "teacher.pt").exists():
        train.train_teacher(work, cfg, resume=False)
    train.distill_fast(work, cfg, resume=False)
    out = export.export_model(work, tmp_path / "model", {"command": "test"})
    for rel in ("text_encoder/model.onnx", "tokenizer/tokenizer.json", "unet/model.onnx", "unet_fast/model.onnx",
                "vae_decoder/model.onnx", "vae_encoder/model.onnx", "scheduler/scheduler_config.json",
                "model_index.json", "manifest.json"):
        assert (out / rel).is_file(), rel
    m = json.loads((out / "manifest.json").read_text())
    assert m["id"] == "studio-emoji" and m["kind"] == "image"
    assert m["fast"]["unet"] == "unet_fast/model.onnx" and 1 <= m["fast"]["steps"] <= 4
    assert set(m["sha256"]) >= {"unet/model.onnx", "text_encoder/model.onnx"}
    assert len(m["latent_rgb_factors"]) == 48

    from studio.training.sampler import OnnxSampler

    for fast in (False, True):
        img = OnnxSampler(out, fast=fast)(["a red heart", "猫 🐱"], seed=1, steps=3)
        assert img.shape == (2, 128, 128, 3) and img.dtype == np.uint8


def test_exported_folder_runs_in_the_image_engine(work, tmp_path):
    from studio.engines.image.folder import load_folder
    from studio.engines.image.job import build_params
    from studio.engines.image.pipeline import Hooks, ImagePipeline
    from studio.engines.runtime import SessionFactory
    from studio.jobs import ImageRequest

    if not (work / "ckpt" / "teacher.pt").exists():
        train.train_teacher(work, train.TrainConfig(steps=5, batch=4, unet=TINY), resume=False)
    out = export.export_model(work, tmp_path / "model", {"command": "test"}, fast=False)
    folder = load_folder(out)
    assert folder.native_size == (128, 128)
    pipe = ImagePipeline(folder, SessionFactory(device="cpu", threads=1).create)
    params, _ = build_params(ImageRequest(prompt="a cat face", seed=3, steps=4, preview_every=0), folder)
    images, _ = pipe.generate(params, Hooks())
    assert images[0].shape == (128, 128, 3) and np.isfinite(images[0]).all()
    # the VAE is exact: encoding then decoding a 64x64-drawn picture gives it back (up to the 2x resample)
    from studio.training.data import Dataset

    real = Dataset.load(work / "dataset.npz").images[0]
    big = np.asarray(__import__("PIL.Image", fromlist=["Image"]).fromarray(real).resize((128, 128)))
    lat = pipe.encode_image(big, Hooks())
    back = (pipe.decode(lat, Hooks()) * 255)
    assert lat.shape == (1, 48, 16, 16)
    assert np.abs(back.astype(np.float32) - big.astype(np.float32)).mean() < 12


def test_a_run_continues_from_an_exported_model(work, tmp_path):
    """--init-from: the exported ONNX UNet seeds a new run with the exact weights, step and widths."""
    from studio.training import warmstart

    cfg = train.TrainConfig(steps=130, batch=8, unet=TINY, fast_steps=5, fast_pairs=8, teacher_steps=2)
    if not (work / "ckpt" / "teacher.pt").exists():
        train.train_teacher(work, cfg, resume=False)
    out = export.export_model(work, tmp_path / "model", {"command": "test"}, fast=False)
    teacher, st = train.load_teacher(work)

    fresh = tmp_path / "run2"
    fresh.mkdir()
    for name in ("dataset.npz", "text_emb.npy", "empty_emb.npy"):
        (fresh / name).symlink_to(work / name)
    seeded = warmstart.seed_teacher(fresh, out, cfg.lr, train._save)
    assert seeded["step"] == st["step"]
    model, st2 = train.load_teacher(fresh)
    for key, value in teacher.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key  # GroupNorm's folded pairs included
    # resuming needs no widths: the default (wider) config is replaced by the checkpoint's
    more = train.TrainConfig(steps=st["step"] + 3, batch=8, checkpoint_s=1e9)
    assert train.train_teacher(fresh, more, resume=True)["step"] == st["step"] + 3
    assert more.unet.channels == TINY.channels


def test_seeding_refuses_a_model_with_missing_weights(tmp_path, work):
    import onnx

    from studio.training import warmstart

    cfg = train.TrainConfig(steps=130, batch=8, unet=TINY)
    if not (work / "ckpt" / "teacher.pt").exists():
        train.train_teacher(work, cfg, resume=False)
    out = export.export_model(work, tmp_path / "model", {"command": "test"}, fast=False)
    m = onnx.load(str(out / "unet" / "model.onnx"))
    victim = next(i for i in m.graph.initializer if i.name.endswith("inp.weight"))
    m.graph.initializer.remove(victim)
    onnx.save(m, str(out / "unet" / "model.onnx"))
    with pytest.raises(ValueError, match="not found"):
        warmstart.seed_teacher(tmp_path / "run3", out, 1e-3, train._save)


TINY_THUMB = nets.UNetConfig(in_channels=3, channels=(16, 32), attention=(False, True), emb_dim=32, groups=8,
                             latent="thumb", mean_hidden=32)


@pytest.fixture(scope="module")
def thumb_run(work, tmp_path_factory):
    """The recipe's own design (thumbnail latent + mean branch + learned decoder), trained tiny."""
    w = tmp_path_factory.mktemp("thumb")
    for name in ("dataset.npz", "text_emb.npy", "empty_emb.npy", "text"):
        (w / name).symlink_to(work / name)
    cfg = train.TrainConfig(steps=40, batch=8, warmup=5, checkpoint_s=1e9, unet=TINY_THUMB, mean_epochs=300,
                            decoder_steps=30, fast_steps=5, fast_pairs=8, teacher_steps=2)
    return w, cfg, {"mean": train.train_mean(w, cfg, resume=False), "decoder": train.train_decoder(w, cfg, resume=False),
                    "teacher": train.train_teacher(w, cfg, resume=False), "fast": train.distill_fast(w, cfg, resume=False)}


def test_mean_branch_fits_the_captions_and_sets_the_residual_scale(thumb_run):
    w, cfg, summary = thumb_run
    data = train._Pairs(w, "thumb")
    x = data.latents[data.train_idx]
    # the regression explains most of the variance of the thumbnails it was fitted on
    assert summary["mean"]["loss"] < 0.5 * float(x.var()), (summary["mean"], float(x.var()))
    model, st = train.load_teacher(w)
    assert model.mean is not None and 0 < model.cfg.sigma_data < float(x.std())
    assert st["step"] == 40 and np.isfinite(summary["decoder"]["loss"])


def test_thumb_denoiser_starts_from_the_caption_mean(thumb_run):
    w, _, _ = thumb_run
    trained, _ = train.load_teacher(w)
    model = nets.Denoiser(nets.UNet(trained.cfg))  # a fresh UNet (zero output) on the trained mean branch
    model.mean.load_state_dict(trained.mean.state_dict())
    text = torch.from_numpy(np.load(w / "text_emb.npy")[:2].astype(np.float32))
    x_t = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        m = model.mean_of(text, x_t)
        assert m.abs().mean() > 0.05
        # at pure noise the untrained residual model's estimate of the picture is the caption's mean layout
        assert torch.allclose(model.x0(x_t, torch.tensor([999, 999]), text), m, atol=0.01)
        # and on a 24x24 latent (a 192x192 picture) the branch stretches its 16x16 layout
        assert model.mean_of(text, torch.zeros(2, 3, 24, 24)).shape == (2, 3, 24, 24)


def test_thumb_export_matches_torch_and_runs_in_the_engine(thumb_run, tmp_path):
    import onnxruntime as ort

    from studio.engines.image.folder import load_folder
    from studio.engines.image.job import build_params
    from studio.engines.image.pipeline import Hooks, ImagePipeline
    from studio.engines.runtime import SessionFactory
    from studio.jobs import ImageRequest

    w, _, _ = thumb_run
    out = export.export_model(w, tmp_path / "model", {"command": "test"})
    m = json.loads((out / "manifest.json").read_text())
    assert m["latent_channels"] == 3 and m["family"] == "studio-emoji-thumb-unet" and len(m["latent_rgb_factors"]) == 3
    assert m["training"]["mean_epochs"] == 300 and m["training"]["decoder_steps"] == 30
    assert m["caption_prior"]["captions"] > 0
    # the caption prior: "" (guidance's unconditional side) passes unchanged, any prompt comes out
    # unit length and a training caption maps (almost) onto itself
    from studio.training.data import Dataset
    from studio.training.text import OnnxTextEncoder

    ds = Dataset.load(w / "dataset.npz")
    caption = ds.captions[ds.image_captions[ds.train_indices()[0], 0]]
    raw, snapped = OnnxTextEncoder(w / "text")(["", caption, "猫 🐱"]), OnnxTextEncoder(out)(["", caption, "猫 🐱"])
    assert np.abs(raw[0] - snapped[0]).max() < 1e-5
    assert np.allclose(np.linalg.norm(snapped, axis=1), 1, atol=1e-4)
    assert float(raw[1] @ snapped[1]) > 0.9
    # the ONNX UNet is the torch denoiser (mean branch and its resize included), at two sizes
    model, _ = train.load_teacher(w)
    sess = ort.InferenceSession(str(out / "unet" / "model.onnx"), providers=["CPUExecutionProvider"])
    for size in (16, 24):
        x = torch.randn(2, 3, size, size)
        text = torch.randn(2, 384)
        with torch.no_grad():
            ref = model(x, torch.tensor([500.0, 500.0]), text).numpy()
        got = sess.run(None, {"sample": x.numpy(), "timestep": np.array([500.0], np.float32),
                              "encoder_hidden_states": text[:, None, :].numpy()})[0]
        assert np.abs(got - ref).max() < 1e-3, size
    folder = load_folder(out)
    pipe = ImagePipeline(folder, SessionFactory(device="cpu", threads=1).create)
    for fast in (False, True):
        params, _ = build_params(ImageRequest(prompt="a cat face 猫", seed=3, steps=4, fast=fast, preview_every=0), folder)
        images, _ = pipe.generate(params, Hooks())
        assert images[0].shape == (128, 128, 3) and np.isfinite(images[0]).all()
    # the encoder is the 8x8 box average, so a flat colour round-trips through encode -> decode
    flat = np.full((128, 128, 3), (200, 40, 40), np.uint8)
    lat = pipe.encode_image(flat, Hooks())
    assert lat.shape == (1, 3, 16, 16)
    assert np.allclose(lat[0, :, 0, 0], np.array([200, 40, 40]) / 127.5 - 1, atol=1e-3)


def test_a_thumb_run_continues_from_its_exported_model(thumb_run, tmp_path):
    """--init-from on the recipe's design restores the UNet, the mean branch and the decoder."""
    from studio.training import warmstart

    w, _, _ = thumb_run
    out = export.export_model(w, tmp_path / "model", {"command": "test"}, fast=False)
    fresh = tmp_path / "run2"
    fresh.mkdir()
    warmstart.seed_teacher(fresh, out, 1e-3, train._save)
    for name, loader in (("teacher.pt", "ema"), ("mean.pt", "model"), ("decoder.pt", "model")):
        a = torch.load(w / "ckpt" / name, weights_only=False)[loader]
        b = torch.load(fresh / "ckpt" / name, weights_only=False)["model" if name != "teacher.pt" else "ema"]
        assert a.keys() == b.keys(), name
        for key in a:
            assert torch.equal(a[key], b[key]), (name, key)


def test_a_stage_run_out_of_order_says_which_stage_to_run(work, tmp_path, capsys):
    from studio.training import cli

    fresh = tmp_path / "run"
    fresh.mkdir()
    for name in ("dataset.npz", "text_emb.npy", "empty_emb.npy", "text"):
        (fresh / name).symlink_to(work / name)
    assert cli.main(["teacher", "--work", str(fresh), "--steps", "1"]) == 1
    assert "ckpt/mean.pt is missing: run `studio-train mean` first." in capsys.readouterr().err
    assert cli.main(["export", "--work", str(fresh)]) == 1
    assert "run `studio-train teacher` first." in capsys.readouterr().err
    assert not (fresh / "ckpt" / "teacher.pt").exists()
