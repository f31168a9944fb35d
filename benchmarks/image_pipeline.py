"""Image pipeline speed: Studio's ONNX Runtime pipeline vs diffusers on torch, same model, same work.

    python benchmarks/image_pipeline.py [--full] [--threads 2] [--reps 3] [--steps 2] [--gpu]

Prints seconds per UNet step and per image (tiny random SD pipeline, 64×64, CFG batch 2), and
with --full seconds per UNet step of a full-size SD 1.5-architecture UNet with random weights at
512×512 (latent 64×64, CFG batch 2), each with the ratio diffusers / ORT (> 1 = ORT faster).
The full-size ONNX export is done once into $STUDIO_BENCH_DIR (default: the system temp folder)
and reused. Records the load average: this machine is shared, take the medians with that in mind.
With --gpu both run fp16 on CUDA (needs a CUDA torch and onnxruntime-gpu).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "image"))

BENCH_DIR = Path(os.environ.get("STUDIO_BENCH_DIR", Path(tempfile.gettempdir()) / "studio-bench-image"))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def median_time(fn, reps: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ort_session(path: Path, threads: int, gpu: bool):
    """A session configured exactly as the app's SessionFactory configures it (no spinning)."""
    import onnxruntime as ort

    from studio.engines.runtime import SessionFactory

    factory = SessionFactory(device="gpu" if gpu else "cpu", threads=threads)
    return ort.InferenceSession(str(path), factory.options(), providers=factory.providers())


def unet_feeds(in_c: int, side: int, seq: int, hidden: int, dtype=np.float32) -> dict:
    rng = np.random.default_rng(0)
    return {"sample": rng.standard_normal((2, in_c, side, side)).astype(dtype),
            "timestep": np.array([500.0, 500.0], np.float32),
            "encoder_hidden_states": rng.standard_normal((2, seq, hidden)).astype(dtype)}


def bench_torch_unet(unet, side: int, seq: int, hidden: int, reps: int, gpu: bool) -> float:
    """diffusers s/step for one CFG UNet evaluation (batch 2)."""
    import torch

    feeds = unet_feeds(unet.config.in_channels, side, seq, hidden)
    device = "cuda" if gpu else "cpu"
    dtype = torch.float16 if gpu else torch.float32
    tm = unet.to(device=device, dtype=dtype)
    args = [torch.from_numpy(feeds[k]).to(device=device, dtype=dtype) if k != "timestep"
            else torch.from_numpy(feeds[k]).to(device) for k in ("sample", "timestep", "encoder_hidden_states")]

    def torch_step():
        with torch.inference_mode():
            tm(*args, return_dict=False)
        if gpu:
            torch.cuda.synchronize()
    return median_time(torch_step, reps)


def bench_ort_unet(onnx_path: Path, in_c: int, side: int, seq: int, hidden: int, reps: int, threads: int,
                   gpu: bool) -> float:
    """ORT s/step for the same evaluation, with the app's session options."""
    feeds = unet_feeds(in_c, side, seq, hidden)
    sess = ort_session(onnx_path, threads, gpu)
    t = median_time(lambda: sess.run(None, feeds), reps)
    del sess
    gc.collect()
    return t


def tiny(args) -> None:
    import torch
    from diffusers import EulerDiscreteScheduler

    from studio.engines.image.folder import load_folder
    from studio.engines.image.pipeline import GenerateParams, Hooks, ImagePipeline
    from studio.engines.runtime import SessionFactory
    from studio.models.diffusers_export import export_components, load_components
    from tiny_sd import build_tiny_diffusers, load_reference

    root = BENCH_DIR / "tiny"
    if not (root / "onnx" / "unet" / "model.onnx").is_file():
        build_tiny_diffusers(root / "diffusers")
        export_components(load_components(root / "diffusers"), root / "onnx")
    txt, _ = load_reference(root / "diffusers")
    txt.scheduler = EulerDiscreteScheduler.from_config(txt.scheduler.config)
    txt.set_progress_bar_config(disable=True)
    t_torch = bench_torch_unet(txt.unet, 8, 77, 32, args.reps * 10, False)
    t_ort = bench_ort_unet(root / "onnx" / "unet" / "model.onnx", 4, 8, 77, 32, args.reps * 10,
                           args.threads, False)
    print(f"tiny UNet step (64×64, batch 2): diffusers {t_torch * 1e3:.2f} ms, ORT {t_ort * 1e3:.2f} ms, "
          f"ratio {t_torch / t_ort:.2f}×")
    steps = 20
    noise = np.random.default_rng(1).standard_normal((1, 4, 8, 8)).astype(np.float32)

    def run_torch():
        with torch.inference_mode():
            txt("a red house", height=64, width=64, num_inference_steps=steps, guidance_scale=7.0,
                latents=torch.from_numpy(noise.copy()), output_type="np")
    sessions = SessionFactory(device="cpu", threads=args.threads)
    pipe = ImagePipeline(load_folder(root / "onnx"), sessions.create)
    params = GenerateParams("a red house", "", 64, 64, steps=steps, guidance=7.0, scheduler="euler",
                            noise=noise, preview_every=0)
    with_preview = GenerateParams(**{**params.__dict__, "preview_every": 1})
    img_torch = median_time(run_torch, args.reps)
    img_ort = median_time(lambda: pipe.generate(params, Hooks()), args.reps)
    img_prev = median_time(lambda: pipe.generate(with_preview, Hooks()), args.reps)
    print(f"tiny image ({steps} Euler steps + decode): diffusers {img_torch:.3f} s, ORT {img_ort:.3f} s, "
          f"ratio {img_torch / img_ort:.2f}×")
    print(f"tiny image with a preview every step: {img_prev:.3f} s "
          f"({(img_prev / img_ort - 1) * 100:+.1f}% vs no previews; "
          f"{(img_prev - img_ort) / steps * 1e3:.2f} ms per preview)")
    from studio.engines.image.preview import latent_preview

    lat = np.random.default_rng(0).standard_normal((4, 64, 64)).astype(np.float32)
    t_prev = median_time(lambda: latent_preview(lat, load_folder(root / "onnx").latent_rgb_factors), 20)
    print(f"preview projection of a 512×512 image's latent: {t_prev * 1e3:.2f} ms")


def full(args) -> None:
    import torch
    from diffusers import UNet2DConditionModel

    from studio.models.diffusers_export import SD1_UNET, _export, _unet_wrapper

    torch.manual_seed(0)
    unet = UNet2DConditionModel(**SD1_UNET).eval()
    path = BENCH_DIR / "sd15-unet" / "model.onnx"
    if not path.is_file():
        print("exporting the full-size UNet once (a few minutes) ...", flush=True)
        wrapper, _ = _unet_wrapper(unet)
        axes = {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "batch"},
                "encoder_hidden_states": {0: "batch", 1: "sequence"}}
        _export(wrapper, (torch.randn(2, 4, 9, 9), torch.tensor([999.0, 999.0]), torch.randn(2, 77, 768)),
                path, ["sample", "timestep", "encoder_hidden_states"], ["out_sample"], axes)
    t_torch = bench_torch_unet(unet, 64, 77, 768, args.steps, args.gpu)
    del unet  # free its 3.4 GB before ORT loads its own copy
    gc.collect()
    kind = "fp16 CUDA" if args.gpu else f"fp32 CPU, {args.threads} threads"
    t_ort = bench_ort_unet(path, 4, 64, 77, 768, args.steps, args.threads, args.gpu)
    print(f"SD 1.5 UNet step (512×512, batch 2, {kind}): diffusers {t_torch:.2f} s, ORT {t_ort:.2f} s, "
          f"ratio {t_torch / t_ort:.2f}×", flush=True)
    if args.fused:
        fused = BENCH_DIR / ("sd15-unet-fp16" if args.gpu else "sd15-unet-opt") / "model.onnx"
        if not fused.is_file():
            from studio.models.diffusers_export import optimise_file

            print("applying ONNX Runtime's fusions once ...", flush=True)
            optimise_file(path, fused, "unet", fp16=args.gpu)
        t_fused = bench_ort_unet(fused, 4, 64, 77, 768, args.steps, args.threads, args.gpu)
        print(f"SD 1.5 UNet step, ORT with attention fusions: ORT {t_fused:.2f} s, "
              f"ratio {t_torch / t_fused:.2f}× vs diffusers", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="also the full-size SD 1.5 UNet at 512×512")
    ap.add_argument("--only-full", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=2, help="timed full-size UNet steps (median)")
    ap.add_argument("--gpu", action="store_true")
    ap.add_argument("--fused", action="store_true", help="also time the UNet after ORT's fusions")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    print(f"load average before: {load()}  (threads {args.threads}, torch {torch.__version__})")
    if not args.only_full:
        tiny(args)
    if args.full or args.only_full:
        full(args)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
