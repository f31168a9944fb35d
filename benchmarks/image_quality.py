"""Prompt adherence, diversity and CPU speed of the built-in image model (or any model folder).

Generates through the image engine (``build_params`` + ``ImagePipeline.generate``, the path
``run_image_job`` takes) and scores each picture by retrieval against the real emoji images
with an independent judge trained separately on the real images only
(``studio/training/judge.py``; by default a linear discriminant, see below). A generation counts as a top-k hit when its target concept is
among the k concepts whose real images are nearest in the judge's embedding.

Held-out prompts (never seen in training):
  * every held-out concept (~4% of emoji, removed from the generator's training set), as "a <label>";
  * new phrasings of training concepts ("a happy kitty" for "grinning cat").
Judge (default ``lda``): a Fisher linear discriminant over 16x16 colour thumbnails of the real
images, fitted in seconds; ``--judge-kind cnn`` trains a small CNN classifier instead.
Ceiling: the same retrieval for the real images of those concepts (the query image itself left
out of the gallery). Diversity: mean pairwise distance across seeds for the same prompt, next to
the distance across different prompts. Speed: ms per image at batch 1, full and fast mode.

    python benchmarks/image_quality.py [--model assets/models/studio-emoji] [--work RUN_FOLDER]
        [--sheet docs/contact-sheet.png] [--fast-sheet docs/contact-sheet-fast.png]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

print = functools.partial(print, flush=True)  # noqa: A001 - progress shows up in logs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# New phrasings for concepts the generator did see (target = CLDR label of the concept).
PARAPHRASES = [
    ("a happy kitty", "grinning cat"), ("a kitten's face", "cat face"), ("a puppy's face", "dog face"),
    ("a red love heart", "red heart"), ("a slice of pizza", "pizza"), ("a cheeseburger", "hamburger"),
    ("the bright sun", "sun"), ("a moon crescent at night", "crescent moon"), ("a yellow star", "star"),
    ("a colourful rainbow", "rainbow"), ("flames burning", "fire"), ("a frozen snow crystal", "snowflake"),
    ("a space rocket launching", "rocket"), ("a red car", "automobile"), ("a bike", "bicycle"),
    ("a little home", "house"), ("a leafy tree", "deciduous tree"), ("a pine tree", "evergreen tree"),
    ("a shiny red apple", "red apple"), ("a yellow banana", "banana"), ("a bunch of grapes", "grapes"),
    ("a slice of watermelon", "watermelon"), ("a ripe strawberry", "strawberry"),
    ("a cake with candles", "birthday cake"), ("a hot cup of coffee", "hot beverage"),
    ("a tiger's head", "tiger face"), ("a panda bear", "panda"), ("a cute penguin", "penguin"),
    ("a green frog", "frog"), ("a blue fish", "fish"), ("an octopus with tentacles", "octopus"),
    ("a pretty butterfly", "butterfly"), ("a red rose flower", "rose"), ("a tall sunflower", "sunflower"),
    ("a music note", "musical note"), ("an electric guitar", "guitar"), ("a football for soccer", "soccer ball"),
    ("a basketball ball", "basketball"), ("a golden trophy cup", "trophy"), ("a present with a bow", "wrapped gift"),
    ("a party balloon", "balloon"), ("a glowing lightbulb", "light bulb"), ("a stack of books", "books"),
    ("a yellow pencil", "pencil"), ("a pair of scissors", "scissors"), ("an old key", "key"),
    ("a spooky ghost", "ghost"), ("a human skull", "skull"), ("a friendly alien", "alien"),
    ("a robot head", "robot"), ("a smiling poop", "pile of poo"), ("a dislike gesture", "thumbs down"),
    ("a hand waving hello", "waving hand"), ("a face with tears running", "crying face"),
    ("laughing so hard it cries", "face with tears of joy"), ("a face in love with heart eyes", "smiling face with heart-eyes"),
    ("a face fast asleep", "sleeping face"), ("a furious face", "angry face"), ("a terrified screaming face", "face screaming in fear"),
    ("a face pondering", "thinking face"), ("a glittering heart", "sparkling heart"), ("a heart split in two", "broken heart"),
    ("a white cloud", "cloud"), ("a water drop", "droplet"), ("a plane flying", "airplane"), ("a passenger ship", "ship"),
    ("a smartphone", "mobile phone"), ("a laptop computer", "laptop"), ("an alarm clock ringing", "alarm clock"),
    ("a bag of money", "money bag"), ("a golden crown", "crown"), ("a diamond ring", "ring"),
    ("a pair of glasses", "glasses"), ("a tee shirt", "t-shirt"), ("a unicorn head", "unicorn"),
    ("a horse's head", "horse face"), ("a cow's head", "cow face"), ("a pig's head", "pig face"),
    ("a bunny face", "rabbit face"), ("a monkey's face", "monkey face"), ("a whale spouting water", "spouting whale"),
    ("a slow snail", "snail"), ("an orange carrot", "carrot"), ("a soft serve ice cream", "soft ice cream"),
    ("a doughnut with icing", "doughnut"), ("a chocolate chip cookie", "cookie"), ("a cheese slice", "cheese wedge"),
    ("a loaf of bread", "bread"), ("a little baby", "baby"), ("an elderly man", "old man"),
]

# Tuning set: other new phrasings of other training concepts. Settings (guidance, the caption
# prior's temperature) are chosen on these with --validation, never on the reported prompts.
VALIDATION = [
    ("a loyal doggy", "dog"), ("a house cat sitting", "cat"), ("a lion's mane", "lion"), ("a dairy cow", "cow"),
    ("a little mouse's face", "mouse face"), ("a fluffy hamster", "hamster"), ("a brown bear", "bear"),
    ("a hen", "chicken"), ("a small bird", "bird"), ("a mallard duck", "duck"), ("a wise owl", "owl"),
    ("a sea turtle", "turtle"), ("a slithering snake", "snake"), ("a green dragon", "dragon"),
    ("a jumping dolphin", "dolphin"), ("a great white shark", "shark"), ("a creepy spider", "spider"),
    ("a pair of red cherries", "cherries"), ("a sour lemon", "lemon"), ("a juicy peach", "peach"),
    ("a tropical pineapple", "pineapple"), ("a red tomato", "tomato"), ("an aubergine", "eggplant"),
    ("half an avocado", "avocado"), ("a red chili", "hot pepper"), ("a toadstool", "mushroom"),
    ("a buttery croissant", "croissant"), ("a stack of pancakes with syrup", "pancakes"), ("fries in a box", "french fries"),
    ("a hotdog in a bun", "hot dog"), ("a mexican taco", "taco"), ("a box of popcorn", "popcorn"),
    ("a sushi roll", "sushi"), ("a frosted cupcake", "cupcake"), ("a swirly lollipop", "lollipop"),
    ("a mug of beer", "beer mug"), ("an erupting volcano", "volcano"), ("an open umbrella", "umbrella"),
    ("a snowman in winter", "snowman"), ("a twister", "tornado"), ("a steam train", "train"),
    ("a flying helicopter", "helicopter"), ("a farm tractor", "tractor"), ("an emergency ambulance", "ambulance"),
    ("a red fire truck", "fire engine"), ("a ship's anchor", "anchor"), ("a camping tent", "tent"),
    ("a timer stopwatch", "stopwatch"), ("a photo camera", "camera"), ("an old tv set", "television"),
    ("a full battery", "battery"), ("a mail envelope", "envelope"), ("a wooden hammer", "hammer"),
    ("a cute teddy", "teddy bear"), ("a tennis ball", "tennis"), ("a drum kit", "drum"), ("a brass trumpet", "trumpet"),
    ("a singer's microphone", "microphone"), ("a pair of headphones", "headphone"), ("a red fox", "fox"),
    ("a striped zebra", "zebra"), ("a tall giraffe", "giraffe"), ("a big grey elephant", "elephant"),
    ("a spiky hedgehog", "hedgehog"), ("a red crab", "crab"), ("a slice of kiwi", "kiwi fruit"),
    ("a green broccoli", "broccoli"), ("a fried egg in a pan", "cooking"), ("strips of bacon", "bacon"),
    ("a fortune teller's crystal ball", "crystal ball"), ("a smiling sun", "sun with face"), ("a lightning bolt", "high voltage"),
    ("a creepy clown", "clown face"), ("a perfect score of 100", "hundred points"),
]


def load_avg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def build_prompts(ds, validation: bool = False) -> list[tuple[str, int, str]]:
    """(prompt, target concept id, kind) for every held-out prompt (or the tuning set)."""
    index = {n: i for i, n in enumerate(ds.concept_names)}
    out = []
    if validation:
        used = {t for _, t in PARAPHRASES}
        return [(text, index[t], "tuning phrasing") for text, t in VALIDATION
                if t in index and not ds.held_out[index[t]] and t not in used]
    for cid in np.flatnonzero(ds.held_out):
        label = ds.concept_names[cid]
        out.append((("an " if label[:1].lower() in "aeiou" else "a ") + label, int(cid), "held-out concept"))
    for text, target in PARAPHRASES:
        if target in index and not ds.held_out[index[target]]:
            out.append((text, index[target], "new phrasing"))
    return out


class Generator:
    """The engine's own path from request to pixels (build_params + ImagePipeline.generate)."""

    def __init__(self, folder: Path, threads: int, guidance: float | None = None):
        from studio.engines.image.folder import load_folder
        from studio.engines.image.pipeline import ImagePipeline
        from studio.engines.runtime import SessionFactory

        self.folder = load_folder(folder)
        self.pipe = ImagePipeline(self.folder, SessionFactory(device="cpu", threads=threads).create)
        self.guidance = guidance

    def __call__(self, prompt: str, seed: int, fast: bool) -> np.ndarray:
        from studio.engines.image.job import build_params
        from studio.engines.image.pipeline import Hooks
        from studio.engines.image.preview import to_uint8
        from studio.jobs import ImageRequest

        extra = {"guidance": self.guidance} if self.guidance is not None and not fast else {}
        params, _ = build_params(ImageRequest(prompt=prompt, seed=seed, fast=fast, preview_every=0, **extra), self.folder)
        images, _ = self.pipe.generate(params, Hooks())
        return to_uint8(images[0])


def to64(img: np.ndarray) -> np.ndarray:
    from PIL import Image

    if img.shape[0] == 64:
        return img
    return np.asarray(Image.fromarray(img).resize((64, 64), Image.BOX))


def retrieval(emb: np.ndarray, gallery: np.ndarray, g_concept: np.ndarray, n_concepts: int,
              exclude: np.ndarray | None = None) -> np.ndarray:
    """Rank of concepts for each query: best cosine over each concept's real images."""
    sims = emb @ gallery.T
    if exclude is not None:
        sims[np.arange(len(emb)), exclude] = -np.inf
    best = np.full((len(emb), n_concepts), -np.inf, np.float32)
    order = np.argsort(g_concept, kind="stable")
    bounds = np.searchsorted(g_concept[order], np.arange(n_concepts + 1))
    s = sims[:, order]
    for c in range(n_concepts):
        if bounds[c + 1] > bounds[c]:
            best[:, c] = s[:, bounds[c]:bounds[c + 1]].max(1)
    return np.argsort(-best, axis=1)


def hits(ranks: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    return (ranks[:, :k] == targets[:, None]).any(1)


def contact_sheet(images: list[np.ndarray], labels: list[str], path: Path, title: str) -> None:
    from PIL import Image, ImageDraw

    cell, pad, cols = 128, 18, 8
    rows = (len(images) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * cell, rows * (cell + pad) + 24), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((6, 6), title, fill="black")
    for i, (im, lab) in enumerate(zip(images, labels)):
        x, y = (i % cols) * cell, 24 + (i // cols) * (cell + pad)
        sheet.paste(Image.fromarray(im).resize((cell, cell), Image.LANCZOS), (x, y))
        draw.text((x + 3, y + cell + 3), lab[:22], fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, optimize=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "assets" / "models" / "studio-emoji")
    ap.add_argument("--work", type=Path, default=None, help="training run folder (has dataset.npz)")
    ap.add_argument("--judge", type=Path, default=None, help="judge checkpoint (trained if missing)")
    ap.add_argument("--judge-kind", choices=["lda", "cnn"], default="lda",
                    help="lda: Fisher discriminant on 16x16 thumbnails (seconds); cnn: small CNN classifier (CPU minutes)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=4, help="seeds per prompt for the diversity figure")
    ap.add_argument("--diversity-prompts", type=int, default=16)
    ap.add_argument("--speed-reps", type=int, default=7)
    ap.add_argument("--limit", type=int, default=0, help="only the first N prompts (quick runs)")
    ap.add_argument("--validation", action="store_true",
                    help="score the tuning phrasings instead of the held-out prompts (for choosing settings)")
    ap.add_argument("--guidance", type=float, default=None, help="override the model's default guidance (full mode)")
    ap.add_argument("--sheet", type=Path, default=None)
    ap.add_argument("--fast-sheet", type=Path, default=None)
    args = ap.parse_args()

    import torch

    from studio.training import judge as judge_mod
    from studio.training.cli import default_work, prepare
    from studio.training.data import Dataset

    torch.set_num_threads(args.threads)
    work = args.work or default_work()
    if not (work / "dataset.npz").exists():
        prepare(work, None)
    ds = Dataset.load(work / "dataset.npz")
    t0 = time.time()
    if args.judge_kind == "cnn":
        cnn = judge_mod.load_or_train(ds, args.judge or work / "judge.pt")
        embed = lambda imgs: judge_mod.embed(cnn, imgs)  # noqa: E731
    else:
        path = args.judge or work / "judge_lda.npz"
        if path.exists():
            z = np.load(path)
            lda = judge_mod.LdaJudge(z["mean"], z["proj"])
        else:
            lda = judge_mod.LdaJudge.fit(ds)
            np.savez(path, mean=lda.mean, proj=lda.proj)
        embed = lda.embed
    print(f"judge ({args.judge_kind}) ready ({time.time() - t0:.0f} s); load average {load_avg()}")
    gallery = embed(ds.images)
    n_con = len(ds.concept_names)

    prompts = build_prompts(ds, args.validation)
    if args.limit:  # an even spread over both kinds
        prompts = [prompts[i] for i in np.linspace(0, len(prompts) - 1, args.limit).round().astype(int)]
    targets = np.array([p[1] for p in prompts])
    kinds = np.array([p[2] for p in prompts])
    gen = Generator(args.model, args.threads, args.guidance)
    has_fast = gen.folder.fast is not None
    print(f"model {args.model} ({gen.folder.name}); {len(prompts)} held-out prompts "
          f"({(kinds == 'held-out concept').sum()} held-out concepts, {(kinds == 'new phrasing').sum()} new phrasings); "
          f"{n_con} concepts in the judge's gallery, chance top-5 = {5 / n_con:.2%}")

    results = {}
    images_by_mode = {}
    for mode in ["full"] + (["fast"] if has_fast else []):
        t1 = time.time()
        imgs = [gen(p[0], 0, mode == "fast") for p in prompts]
        images_by_mode[mode] = imgs
        emb = embed(np.stack([to64(im) for im in imgs]))
        ranks = retrieval(emb, gallery, ds.concept, n_con)
        results[mode] = {k: (hits(ranks, targets, 1), hits(ranks, targets, 5)) for k in ("all",)}
        print(f"[{mode}] generated {len(imgs)} images in {time.time() - t1:.0f} s")

    # ceiling: the real images of those concepts, each with itself left out of the gallery
    q_idx = np.array([np.flatnonzero(ds.concept == c)[0] for c in targets])  # first real image (Noto)
    q_emb = gallery[q_idx]
    ranks = retrieval(q_emb, gallery, ds.concept, n_con, exclude=q_idx)
    ceiling = (hits(ranks, targets, 1), hits(ranks, targets, 5))

    print("\nPrompt adherence (retrieval of the target concept among "
          f"{n_con}; judge = {args.judge_kind}, fitted on real images only)")
    print(f"{'subset':<22}{'n':>5}  " + "  ".join(f"{m + ' top-1':>11}{m + ' top-5':>11}" for m in list(results) + ["real"]))
    for subset in ("held-out concept", "new phrasing", "tuning phrasing", "all"):
        sel = np.ones(len(prompts), bool) if subset == "all" else kinds == subset
        if not sel.any():
            continue
        row = f"{subset:<22}{sel.sum():>5}  "
        for m in results:
            t1h, t5h = results[m]["all"]
            row += f"{t1h[sel].mean():>11.1%}{t5h[sel].mean():>11.1%}  "
        row += f"{ceiling[0][sel].mean():>11.1%}{ceiling[1][sel].mean():>11.1%}"
        print(row)

    # diversity: same prompt, different seeds vs different prompts
    div_prompts = [p[0] for p in prompts[:: max(1, len(prompts) // args.diversity_prompts)]][: args.diversity_prompts]
    print(f"\nDiversity over {len(div_prompts)} prompts x {args.seeds} seeds "
          "(judge: 1 - cosine; pixels: RMS difference in [0,1])")
    for mode in results:
        imgs = np.stack([[to64(gen(p, s, mode == "fast")) for s in range(args.seeds)] for p in div_prompts])
        emb = embed(imgs.reshape(-1, 64, 64, 3)).reshape(len(div_prompts), args.seeds, -1)
        px = imgs.astype(np.float32) / 255
        iu = np.triu_indices(args.seeds, 1)
        within_j = np.mean([(1 - e @ e.T)[iu].mean() for e in emb])
        within_p = np.mean([np.sqrt(((a[:, None] - a[None]) ** 2).mean((2, 3, 4)))[iu].mean() for a in px])
        flat_e, flat_p = emb[:, 0], px[:, 0]
        ju = np.triu_indices(len(div_prompts), 1)
        across_j = (1 - flat_e @ flat_e.T)[ju].mean()
        across_p = np.sqrt(((flat_p[:, None] - flat_p[None]) ** 2).mean((2, 3, 4)))[ju].mean()
        print(f"[{mode}] same prompt, other seed: judge {within_j:.3f}, pixels {within_p:.3f};  "
              f"other prompt: judge {across_j:.3f}, pixels {across_p:.3f}")
    real_pairs = [np.flatnonzero(ds.concept == c) for c in targets]
    real_pairs = [(r[0], r[-1]) for r in real_pairs if len(r) > 1]
    rj = np.mean([1 - gallery[a] @ gallery[b] for a, b in real_pairs])
    rp = np.mean([np.sqrt(((ds.images[a] / 255.0 - ds.images[b] / 255.0) ** 2).mean()) for a, b in real_pairs])
    print(f"[real] same concept, Noto vs Twemoji: judge {rj:.3f}, pixels {rp:.3f}")

    # speed at batch 1
    print(f"\nSpeed at batch 1 on CPU ({args.threads} thread(s); load average {load_avg()}; median of {args.speed_reps})")
    ref = None
    for mode in results:
        gen("warm-up", 0, mode == "fast")
        ts, cpu = [], []
        for r in range(args.speed_reps):
            t1, c1 = time.perf_counter(), time.process_time()
            gen("a smiling cat", r, mode == "fast")
            ts.append((time.perf_counter() - t1) * 1000)
            cpu.append((time.process_time() - c1) * 1000)
        med = statistics.median(ts)
        ref = ref or med
        f = gen.folder
        desc = (f"{f.fast.steps} step(s), {f.fast.scheduler}" if mode == "fast"
                else f"{f.default_steps} steps, {f.default_scheduler}, guidance {f.default_guidance:g}")
        # CPU time is what the work costs with the machine to itself; wall time includes waiting for a core
        print(f"[{mode}] {med:8.1f} ms/image wall, {statistics.median(cpu):7.1f} ms CPU ({desc}); "
              f"wall min {min(ts):.1f}, max {max(ts):.1f}; {ref / med:.1f}x the full mode's speed")
    print(f"load average at the end: {load_avg()}")

    if args.sheet:
        sel = list(range(len(prompts)))[:: max(1, len(prompts) // 64)][:64]
        contact_sheet([images_by_mode["full"][i] for i in sel], [prompts[i][0] for i in sel], args.sheet,
                      f"{gen.folder.name}: full mode, held-out prompts, seed 0")
        if args.fast_sheet and has_fast:
            contact_sheet([images_by_mode["fast"][i] for i in sel], [prompts[i][0] for i in sel], args.fast_sheet,
                          f"{gen.folder.name}: fast mode (1 step), held-out prompts, seed 0")
        print(f"contact sheet(s) written: {args.sheet} {args.fast_sheet or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
