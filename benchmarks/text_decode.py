"""Text decoding speed: Studio (fp32/int8/int4) vs transformers, llama.cpp and onnxruntime-genai.

Same model (SmolLM2-135M-Instruct, the Q4_1 GGUF as shipped), same 128 prompt token ids,
128 greedy new tokens, N threads (default 2), median of 3 reps. Each engine runs in its own
child process so its peak RSS is its own. Prints prompt tok/s, decode tok/s, time to first
token, peak RSS, and each figure as a ratio against llama.cpp measured in the same run, plus
the load average around each engine (the machine is shared; noisy runs are retried).

    python benchmarks/text_decode.py                      # all engines
    python benchmarks/text_decode.py --engines studio-int4,llama.cpp --spin both

onnxruntime-genai runs Studio's own int4 graph (a genai_config.json maps the Optimum names), so
the comparison "our Python loop vs genai's C++ loop" uses identical kernels.

"CPU ms/tok" is the process CPU time per decoded token (all threads): on a shared machine it moves
far less with other people's load than wall-clock figures do, so it is the fairer cost measure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = ("The history of the lighthouse is the history of the sea itself. For as long as people have "
        "sailed, they have needed a way to find the harbour at night and to stay clear of the rocks "
        "that wait beneath the waves. The earliest lights were simple fires burning on hilltops, "
        "tended by watchmen who fed them with wood through the long hours of darkness. Later came "
        "towers of stone, taller and brighter, with great mirrors and lenses that could throw a beam "
        "of light far across the water. Every keeper knew the weight of that responsibility: a single "
        "night without the lamp could mean a ship lost with all hands. In the stories that fishermen "
        "still tell, the keepers were stubborn, patient people who")
ENGINES = ("studio-fp32", "studio-int8", "studio-int4", "transformers", "llama.cpp", "genai-int4")


def prompt_ids(folder: Path, n: int) -> list[int]:
    from studio.engines.text.tokenizer import TextTokenizer

    ids = TextTokenizer(folder).encode(TEXT)
    while len(ids) < n:
        ids = ids + ids
    return ids[:n]


# ── engines (each runs inside a child process) ─────────────────────────────────────────────
def run_studio(args, ids: list[int], precision: str) -> list[dict]:
    from studio.engines.runtime import SessionFactory
    from studio.engines.text.model import TextModel
    from studio.jobs import SamplerParams

    model = TextModel.load(Path(args.folder), precision, SessionFactory(device="cpu", threads=args.threads),
                           spin=args.spin_on)
    params = SamplerParams(greedy=True, max_new_tokens=args.new, top_logprobs=args.top_logprobs,
                           banned_tokens=tuple(model.tokenizer.eos_ids))
    model.generate(ids[:8], SamplerParams(greedy=True, max_new_tokens=4))  # warm-up
    reps = []
    for _ in range(args.reps):
        model.forget()  # no KV-cache reuse between reps: every rep processes the whole prompt
        first = []
        g = model.generate(ids, params, on_token=lambda i, t: i == 0 and first.append(time.process_time()))
        cpu = (time.process_time() - first[0]) / max(1, g.new_tokens - 1)
        reps.append(dict(prompt_tps=g.prompt_tps, decode_tps=g.decode_tps, ttft=g.ttft, cpu_ms=cpu * 1000,
                         tokens=[t.token_id for t in g.tokens]))
    return reps


def run_transformers(args, ids: list[int]) -> list[dict]:
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(args.threads)
    gguf = Path(args.gguf)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                 dtype=torch.float32).eval()
    reps = []
    with torch.inference_mode():
        model(torch.tensor([ids[:8]]))
        for _ in range(args.reps):
            t0 = time.perf_counter()
            out = model(torch.tensor([ids]), use_cache=True)
            past, tok = out.past_key_values, int(out.logits[0, -1].argmax())
            t1 = time.perf_counter()
            c1 = time.process_time()
            toks = [tok]
            for _ in range(args.new - 1):
                out = model(torch.tensor([[tok]]), past_key_values=past, use_cache=True)
                past, tok = out.past_key_values, int(out.logits[0, -1].argmax())
                toks.append(tok)
            t2 = time.perf_counter()
            reps.append(dict(prompt_tps=len(ids) / (t1 - t0), decode_tps=(args.new - 1) / (t2 - t1),
                             ttft=t1 - t0, cpu_ms=(time.process_time() - c1) / (args.new - 1) * 1000,
                             tokens=toks))
    return reps


def run_llama_cpp(args, ids: list[int]) -> list[dict]:
    from llama_cpp import Llama

    llm = Llama(model_path=args.gguf, n_threads=args.threads, n_threads_batch=args.threads,
                n_ctx=max(512, len(ids) + args.new + 8), n_batch=512, logits_all=True, verbose=False)
    reps = []
    for _ in range(args.reps + 1):  # the first rep warms up
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(ids)
        t1 = time.perf_counter()
        toks = []
        for _ in range(args.new):
            tok = int(llm.scores[llm.n_tokens - 1].argmax())
            toks.append(tok)
            if len(toks) == 1:
                t_first, c_first = time.perf_counter(), time.process_time()
            if len(toks) < args.new:
                llm.eval([tok])
        t2 = time.perf_counter()
        reps.append(dict(prompt_tps=len(ids) / (t1 - t0), decode_tps=(args.new - 1) / (t2 - t_first),
                         ttft=t_first - t0, cpu_ms=(time.process_time() - c_first) / (args.new - 1) * 1000,
                         tokens=toks))
    return reps[1:]


def run_genai(args, ids: list[int]) -> list[dict]:
    import onnxruntime_genai as og

    folder = Path(tempfile.mkdtemp(prefix="genai-"))
    src = Path(args.folder)
    manifest = json.loads((src / "manifest.json").read_text())
    cfg = manifest["config"]
    (folder / "model.onnx").symlink_to(src / manifest["formats"]["int4"])
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (folder / name).symlink_to(src / name)
    (folder / "genai_config.json").write_text(json.dumps({
        "model": {
            "bos_token_id": 1, "eos_token_id": [2], "pad_token_id": 2, "vocab_size": cfg["vocab_size"],
            "context_length": cfg["context"], "type": "llama",
            "decoder": {
                "session_options": {"log_id": "genai", "intra_op_num_threads": args.threads,
                                    "provider_options": []},
                "filename": "model.onnx", "head_size": cfg["head_dim"], "hidden_size": cfg["hidden"],
                "num_attention_heads": cfg["heads"], "num_hidden_layers": cfg["layers"],
                "num_key_value_heads": cfg["kv_heads"],
                "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                           "position_ids": "position_ids", "past_key_names": "past_key_values.%d.key",
                           "past_value_names": "past_key_values.%d.value"},
                "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                            "present_value_names": "present.%d.value"},
            }},
        "search": {"do_sample": False, "max_length": len(ids) + args.new, "min_length": 0,
                   "num_beams": 1, "num_return_sequences": 1, "past_present_share_buffer": False,
                   "temperature": 1.0, "top_k": 1, "top_p": 1.0, "repetition_penalty": 1.0,
                   "early_stopping": True, "length_penalty": 1.0, "no_repeat_ngram_size": 0,
                   "diversity_penalty": 0.0},
    }))
    model = og.Model(str(folder))
    reps = []
    for _ in range(args.reps + 1):
        params = og.GeneratorParams(model)
        params.set_search_options(max_length=len(ids) + args.new, do_sample=False)
        gen = og.Generator(model, params)
        t0 = time.perf_counter()
        gen.append_tokens(ids)
        toks = [int(gen.get_next_tokens()[0])]
        t1, c1 = time.perf_counter(), time.process_time()
        while len(toks) < args.new and not gen.is_done():
            gen.generate_next_token()
            toks.append(int(gen.get_next_tokens()[0]))
        t2 = time.perf_counter()
        reps.append(dict(prompt_tps=len(ids) / (t1 - t0), decode_tps=(len(toks) - 1) / (t2 - t1),
                         ttft=t1 - t0, cpu_ms=(time.process_time() - c1) / (len(toks) - 1) * 1000,
                         tokens=toks))
    return reps[1:]


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM restarts at exec, unlike ru_maxrss which a child inherits)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(args) -> None:
    ids = json.loads(args.ids)
    if args.worker.startswith("studio-"):
        reps = run_studio(args, ids, args.worker.split("-", 1)[1])
    elif args.worker == "transformers":
        reps = run_transformers(args, ids)
    elif args.worker == "llama.cpp":
        reps = run_llama_cpp(args, ids)
    else:
        reps = run_genai(args, ids)
    rss = _peak_rss_mb()
    print("RESULT " + json.dumps({"reps": reps, "rss_mb": rss}))


# ── parent: run every engine in a child, collect, print ────────────────────────────────────
def measure(engine: str, args, ids: list[int], spin: bool) -> dict | None:
    cmd = [sys.executable, __file__, "--worker", engine, "--ids", json.dumps(ids), "--folder", args.folder,
           "--gguf", args.gguf, "--threads", str(args.threads), "--new", str(args.new),
           "--reps", str(args.reps), "--top-logprobs", str(args.top_logprobs)]
    if spin:
        cmd.append("--spin-on")
    load0 = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": str(args.threads)})
    load1 = os.getloadavg()[0]
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        err = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  {engine}: failed ({err[:160]})", file=sys.stderr)
        return None
    data = json.loads(line[7:])
    reps = data["reps"]
    med = {k: statistics.median(r[k] for r in reps) for k in ("prompt_tps", "decode_tps", "ttft", "cpu_ms")}
    return dict(engine=engine + (" spin" if spin else ""), rss_mb=data["rss_mb"], load=(load0, load1),
                tokens=reps[0]["tokens"], all_decode=[round(r["decode_tps"], 1) for r in reps], **med)


def ensure_model(args) -> None:
    """Default: the installed SmolLM2 (installing it if needed), fp32/int8/int4 built."""
    from studio.models import registry
    from studio.models.gguf_convert import ensure_precision

    if not args.folder:
        args.folder = str(registry.ensure(registry.DEFAULT_TEXT_MODEL,
                                          lambda m, d, t: print(f"\r{m} {d}/{t}", end="", file=sys.stderr)))
    for p in ("fp32", "int8", "int4"):
        ensure_precision(Path(args.folder), p)
    if not args.gguf:
        args.gguf = str(Path(args.folder) / "source.gguf")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", default="")
    ap.add_argument("--ids", default="")
    ap.add_argument("--folder", default="", help="Studio model folder (default: installed SmolLM2)")
    ap.add_argument("--gguf", default="", help="GGUF for llama.cpp/transformers (default: the folder's)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt", type=int, default=128)
    ap.add_argument("--new", type=int, default=128)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--top-logprobs", type=int, default=0)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--spin", choices=("off", "on", "both"), default="off",
                    help="ONNX Runtime thread spinning for the studio engines")
    ap.add_argument("--spin-on", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    ensure_model(args)
    ids = prompt_ids(Path(args.folder), args.prompt)
    print(f"SmolLM2-135M-Instruct, {args.prompt}-token prompt + {args.new} greedy tokens, "
          f"{args.threads} threads, median of {args.reps}; cpu count {os.cpu_count()}, "
          f"load average at start {os.getloadavg()[0]:.2f}")
    results = []
    for engine in args.engines.split(","):
        spins = {"off": [False], "on": [True], "both": [False, True]}[args.spin] if engine.startswith("studio") else [False]
        for spin in spins:
            r = measure(engine, args, ids, spin)
            if r:
                results.append(r)
                print(f"  {r['engine']:<20} prompt {r['prompt_tps']:.0f} tok/s, decode {r['decode_tps']:.1f} tok/s "
                      f"(reps {r['all_decode']}), TTFT {r['ttft'] * 1000:.0f} ms, RSS {r['rss_mb']:.0f} MB, "
                      f"CPU {r['cpu_ms']:.1f} ms/tok, load {r['load'][0]:.2f}→{r['load'][1]:.2f}",
                      file=sys.stderr, flush=True)
    ref = next((r for r in results if r["engine"] == "llama.cpp"), None)
    print(f"\n{'engine':<20} {'prompt tok/s':>12} {'decode tok/s':>12} {'TTFT ms':>8} {'peak RSS MB':>11}"
          f" {'decode ×llama':>13} {'prompt ×llama':>13} {'TTFT ×llama':>11} {'CPU ms/tok':>10} {'load':>11}")
    for r in results:
        ratios = ["", "", ""]
        if ref:
            ratios = [f"{r['decode_tps'] / ref['decode_tps']:.2f}", f"{r['prompt_tps'] / ref['prompt_tps']:.2f}",
                      f"{r['ttft'] / ref['ttft']:.2f}"]
        print(f"{r['engine']:<20} {r['prompt_tps']:>12.0f} {r['decode_tps']:>12.1f} {r['ttft'] * 1000:>8.0f}"
              f" {r['rss_mb']:>11.0f} {ratios[0]:>13} {ratios[1]:>13} {ratios[2]:>11} {r['cpu_ms']:>10.1f}"
              f" {r['load'][0]:>5.2f}→{r['load'][1]:<5.2f}")
    base = next((r for r in results if r["engine"] == "studio-fp32"), None)
    if base:
        print("\nGreedy tokens shared with studio-fp32 (prefix length of 128):")
        for r in results:
            n = next((i for i, (a, b) in enumerate(zip(r["tokens"], base["tokens"])) if a != b),
                     min(len(r["tokens"]), len(base["tokens"])))
            print(f"  {r['engine']:<20} {n}")
    tf = next((r for r in results if r["engine"] == "transformers"), None)
    s4 = next((r for r in results if r["engine"] == "studio-int4"), None)
    if s4 and tf:
        print(f"\nstudio-int4 decode vs transformers fp32: {s4['decode_tps'] / tf['decode_tps']:.2f}×")


if __name__ == "__main__":
    main()
