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
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    providers = [("CUDAExecutionProvider", {"cudnn_conv_algo_search": "HEURISTIC"})] if gpu else []
    return ort.InferenceSession(str(path), so, providers=providers + ["CPUExecutionProvider"])


def unet_feeds(in_c: int, side: int, seq: int, hidden: int, dtype=np.float32) -> dict:
    rng = np.random.default_rng(0)
    return {"sample": rng.standard_normal((2, in_c, side, side)).astype(dtype),
            "timestep": np.array([500.0, 500.0], np.float32),
            "encoder_hidden_states": rng.standard_normal((2, seq, hidden)).astype(dtype)}


def bench_unet(unet, onnx_path: Path, side: int, seq: int, hidden: int, reps: int, threads: int,
               gpu: bool) -> tuple[float, float]:
    """(diffusers s/step, ORT s/step) for one CFG UNet evaluation (batch 2)."""
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
    t_torch = median_time(torch_step, reps)
    tm.to("cpu")
    gc.collect()
    sess = ort_session(onnx_path, threads, gpu)
    t_ort = median_time(lambda: sess.run(None, feeds), reps)
    del sess
    gc.collect()
    return t_torch, t_ort


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
    t_torch, t_ort = bench_unet(txt.unet, root / "onnx" / "unet" / "model.onnx", 8, 77, 32,
                                args.reps * 10, args.threads, False)
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
          f"({(img_prev / img_ort - 1) * 100:+.1f}% vs no previews)")


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
    t_torch, t_ort = bench_unet(unet, path, 64, 77, 768, args.steps, args.threads, args.gpu)
    kind = "fp16 CUDA" if args.gpu else f"fp32 CPU, {args.threads} threads"
    print(f"SD 1.5 UNet step (512×512, batch 2, {kind}): diffusers {t_torch:.2f} s, ORT {t_ort:.2f} s, "
          f"ratio {t_torch / t_ort:.2f}×")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="also the full-size SD 1.5 UNet at 512×512")
    ap.add_argument("--only-full", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=2, help="timed full-size UNet steps (median)")
    ap.add_argument("--gpu", action="store_true")
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
