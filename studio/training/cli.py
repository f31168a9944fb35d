"""``studio-train``: build the data set, train, distil and export Studio's built-in image model.

One command runs the whole recipe (resumable: run it again to continue where it stopped):
    studio-train                       # emoji data, full budget (GPU: ~1 h on an H100)
    studio-train --max-minutes 60      # stop the teacher after an hour, then distil + export
    studio-train --data ~/my-art       # a folder of images with a .txt caption beside each
    studio-train --init-from assets/models/studio-emoji   # continue training the shipped model
Stages can be run alone: data, mean, decoder, teacher, fast, export (``studio-train teacher --steps 5000``).
``mean`` (the caption -> layout regression) and ``decoder`` (thumbnail -> 64x64) are independent
of each other and can run side by side; the teacher needs ``mean`` first.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np


def _progress(msg: str, done: int, total: int) -> None:
    pct = f"{100 * done / total:5.1f}%" if total else "     "
    print(f"\r[{time.strftime('%H:%M:%S')}] {pct} {msg} ({done}/{total})", end="", file=sys.stderr, flush=True)
    if total and done >= total:
        print(file=sys.stderr)


def default_work() -> Path:
    from studio import paths

    return paths.data_dir() / "training" / "studio-emoji"


def prepare(work: Path, data: Path | None, progress=_progress) -> None:
    """dataset.npz + exported text encoder + one embedding per caption (skipped when present)."""
    from studio.training import data as data_mod
    from studio.training import text

    work.mkdir(parents=True, exist_ok=True)
    if not (work / "dataset.npz").exists():
        if data is None:
            tarballs = data_mod.fetch_packages(work / "sources", progress)
            ds = data_mod.build_emoji(tarballs, progress)
        else:
            ds = data_mod.build_folder(data, progress)
        ds.save(work / "dataset.npz")
    if not (work / "text" / "text_encoder" / "model.onnx").exists():
        progress("Exporting the MiniLM text encoder", 0, 1)
        text.export_encoder(text.fetch_minilm(work / "sources"), work / "text")
        progress("Exported the MiniLM text encoder", 1, 1)
    if not (work / "text_emb.npy").exists():
        from studio.training.data import Dataset

        ds = Dataset.load(work / "dataset.npz")
        enc = text.OnnxTextEncoder(work / "text")
        chunks = []
        for i in range(0, len(ds.captions), 1024):
            progress("Embedding captions", i, len(ds.captions))
            chunks.append(enc(ds.captions[i:i + 1024]))
        progress("Embedded captions", len(ds.captions), len(ds.captions))
        np.save(work / "empty_emb.npy", enc([""])[0].astype(np.float16))
        np.save(work / "text_emb.npy", np.concatenate(chunks).astype(np.float16))


def main(argv: list[str] | None = None) -> int:
    from studio.jobs import UserError

    try:
        return _run(argv)
    except UserError as exc:  # one line, like the studio command: a missing stage, a bad folder
        print(f"studio-train: {exc}", file=sys.stderr)
        return 1


def _run(argv: list[str] | None) -> int:
    ap = argparse.ArgumentParser(prog="studio-train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", nargs="?", default="all", choices=["all", "data", "mean", "decoder", "teacher", "fast", "export"])
    ap.add_argument("--work", type=Path, default=None, help="run folder (default: <data dir>/training/studio-emoji)")
    ap.add_argument("--data", type=Path, default=None, help="train on this folder of captioned images instead")
    ap.add_argument("--out", type=Path, default=None, help="model folder to write (default: <work>/model)")
    ap.add_argument("--steps", type=int, default=None, help="teacher optimizer steps (default 100000)")
    ap.add_argument("--max-minutes", type=float, default=None, help="stop the teacher after this long")
    ap.add_argument("--fast-steps", type=int, default=None, help="student steps (default 2000)")
    ap.add_argument("--fast-pairs", type=int, default=None, help="teacher samples to distil from")
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--mean-epochs", type=int, default=None, help="epochs of the caption -> layout branch (default 80)")
    ap.add_argument("--decoder-steps", type=int, default=None, help="thumbnail decoder steps (default 3000)")
    ap.add_argument("--channels", type=str, default=None, help="UNet widths, e.g. 32,64,128")
    ap.add_argument("--fresh", action="store_true", help="ignore checkpoints (default: resume)")
    ap.add_argument("--resume", action="store_true", help="continue from checkpoints (the default)")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's choice)")
    ap.add_argument("--init-from", type=Path, default=None, metavar="MODEL_DIR",
                    help="with no teacher checkpoint yet, start from this exported model's UNet "
                         "(e.g. assets/models/studio-emoji: continue the shipped model)")
    ap.add_argument("--no-fast", action="store_true", help="skip the distilled one-step model")
    ap.add_argument("--guidance", type=float, default=None,
                    help="classifier-free guidance the student is distilled with and the model's default")
    ap.add_argument("--no-caption-prior", action="store_true",
                    help="export the text encoder without the snap onto training captions (see prior.py)")
    ap.add_argument("--prior-tau", type=float, default=None, help="caption prior temperature (default 0.02)")
    ap.add_argument("--prior-alpha", type=float, default=None, help="share of the raw prompt vector kept (default 0)")
    args = ap.parse_args(argv)

    import torch

    from studio.training import export, nets, train

    if args.threads:
        torch.set_num_threads(args.threads)
    work = (args.work or default_work()).expanduser()
    out = args.out or work / "model"
    cfg = train.TrainConfig()
    for name in ("steps", "batch", "fast_steps", "fast_pairs", "guidance", "mean_epochs", "decoder_steps"):
        if getattr(args, name):  # flags share TrainConfig's field names
            setattr(cfg, name, getattr(args, name))
    if args.channels:
        ch = tuple(int(c) for c in args.channels.split(","))
        cfg.unet = dataclasses.replace(cfg.unet, channels=ch, attention=tuple(i > 0 for i in range(len(ch))),
                                       groups=min(16, ch[0] // 2))
    resume = not args.fresh
    command = "studio-train " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    print(f"work folder: {work}  device: {train.device()}", file=sys.stderr)

    if args.stage in ("all", "data"):
        prepare(work, args.data)
    if args.init_from and not (resume and (work / "ckpt" / "teacher.pt").exists()):
        from studio.training import warmstart

        seeded = warmstart.seed_teacher(work, args.init_from.expanduser(), cfg.lr, train._save)
        print(f"teacher seeded from {args.init_from} at step {seeded['step']}", file=sys.stderr)
    thumb = cfg.unet.latent == "thumb"
    if args.stage in ("all", "mean") and thumb:
        t0 = time.time()
        summary = train.train_mean(work, cfg, resume, _progress)
        train.write_log(work, {"stage": "mean", "command": command, "wall_s": round(time.time() - t0), **summary})
    if args.stage in ("all", "decoder") and thumb:
        t0 = time.time()
        summary = train.train_decoder(work, cfg, resume, _progress)
        train.write_log(work, {"stage": "decoder", "command": command, "wall_s": round(time.time() - t0), **summary})
    if args.stage in ("all", "teacher"):
        t0 = time.time()
        summary = train.train_teacher(work, cfg, resume, _progress,
                                      max_seconds=args.max_minutes * 60 if args.max_minutes else None)
        train.write_log(work, {"stage": "teacher", "command": command, "wall_s": round(time.time() - t0),
                               "step": summary["step"], "total_s": round(summary["seconds"]),
                               "last_loss": summary["losses"][-1] if summary["losses"] else None})
    if args.stage in ("all", "fast") and not args.no_fast:
        t0 = time.time()
        summary = train.distill_fast(work, cfg, resume, _progress)
        train.write_log(work, {"stage": "fast", "command": command, "wall_s": round(time.time() - t0), **summary})
    if args.stage in ("all", "export"):
        log = []
        if (work / "train_log.jsonl").exists():
            log = [json.loads(s) for s in (work / "train_log.jsonl").read_text().splitlines() if s.strip()]
        prior = None if args.no_caption_prior else {
            "tau": args.prior_tau if args.prior_tau is not None else export.CAPTION_PRIOR["tau"],
            "alpha": args.prior_alpha if args.prior_alpha is not None else export.CAPTION_PRIOR["alpha"]}
        export.export_model(work, out, {"command": command, "log": log[-8:]}, fast=not args.no_fast,
                            caption_prior=prior, guidance=args.guidance)
        print(f"model written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
