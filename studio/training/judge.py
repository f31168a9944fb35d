"""An independent image embedding for the quality benchmark: a small CNN concept classifier
trained on the real emoji images only (both styles, every concept including the held-out ones),
never on generated images and sharing nothing with the generator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from studio.training.data import Dataset

RES = 32


class Judge(nn.Module):
    def __init__(self, n_classes: int, dim: int = 256):
        super().__init__()

        def block(i: int, o: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(),
                                 nn.Conv2d(o, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2))

        self.features = nn.Sequential(block(3, 32), block(32, 64), block(64, 128), nn.AdaptiveAvgPool2d(1),
                                      nn.Flatten(), nn.Linear(128, dim))
        self.head = nn.Linear(dim, n_classes)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.features(x), dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(F.relu(self.features(x)))


def prep(images: np.ndarray) -> torch.Tensor:
    """uint8 [N,H,W,3] -> float [N,3,32,32] in [-1,1]."""
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 127.5 - 1
    return F.interpolate(x, size=(RES, RES), mode="area")


def _augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    b = x.shape[0]
    # random shift/scale, blur and noise: generated images are softer and less centred than real ones
    theta = torch.zeros(b, 2, 3)
    s = 1 + (torch.rand(b, generator=g) - 0.5) * 0.3
    theta[:, 0, 0] = s
    theta[:, 1, 1] = s
    theta[:, :, 2] = (torch.rand(b, 2, generator=g) - 0.5) * 0.2
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    blur = torch.rand(b, generator=g) < 0.5
    x[blur] = F.avg_pool2d(F.pad(x[blur], (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return x + 0.08 * torch.rand(b, 1, 1, 1, generator=g) * torch.randn(x.shape, generator=g)


def train_judge(ds: Dataset, epochs: int = 12, batch: int = 128, seed: int = 0, log=print) -> Judge:
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x_all = prep(ds.images)
    y_all = torch.from_numpy(ds.concept.astype(np.int64))
    model = Judge(len(ds.concept_names))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    n = len(x_all)
    steps = epochs * (n // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps)
    model.train()
    for ep in range(epochs):
        perm = torch.randperm(n, generator=g)
        correct = 0
        for i in range(n // batch):
            idx = perm[i * batch:(i + 1) * batch]
            logits = model(_augment(x_all[idx], g))
            loss = F.cross_entropy(logits, y_all[idx], label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            correct += (logits.argmax(1) == y_all[idx]).sum().item()
        log(f"judge epoch {ep + 1}/{epochs}: loss {loss.item():.3f}, train acc {correct / (n // batch * batch):.3f}")
    return model.eval()


def load_or_train(ds: Dataset, path: Path, log=print) -> Judge:
    if path.exists():
        st = torch.load(path, map_location="cpu", weights_only=False)
        model = Judge(st["n_classes"])
        model.load_state_dict(st["model"])
        return model.eval()
    model = train_judge(ds, log=log)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "n_classes": len(ds.concept_names)}, path)
    return model


@torch.no_grad()
def embed(model: Judge, images: np.ndarray, batch: int = 512) -> np.ndarray:
    return np.concatenate([model.embed(prep(images[i:i + batch])).numpy() for i in range(0, len(images), batch)])


class LdaJudge:
    """A linear discriminant (Fisher LDA) over 16x16 colour thumbnails, fitted in seconds with numpy.

    The CPU-cheap judge: trained on the real images only (plus shifted/blurred copies, so softer
    generated pictures are not penalised for sharpness alone). ``embed`` gives L2-normalised
    discriminant coordinates; retrieval compares those by cosine."""

    def __init__(self, mean: np.ndarray, proj: np.ndarray):
        self.mean, self.proj = mean, proj

    @staticmethod
    def features(images: np.ndarray) -> np.ndarray:
        x = images.astype(np.float32) / 255.0
        n, h, w, c = x.shape
        f = h // 16
        return x.reshape(n, 16, f, 16, f, c).mean((2, 4)).reshape(n, -1)

    @classmethod
    def fit(cls, ds: Dataset, dims: int = 192, ridge: float = 1e-2, seed: int = 0) -> "LdaJudge":
        rng = np.random.default_rng(seed)
        views, labels = [ds.images], [ds.concept]
        for _ in range(2):  # shifted copies (up to 3 px) and a box-blurred copy
            dy, dx = rng.integers(-3, 4, 2)
            views.append(np.roll(ds.images, (dy, dx), axis=(1, 2)))
            labels.append(ds.concept)
        blur = ds.images.astype(np.float32)
        blur = (blur + np.roll(blur, 1, 1) + np.roll(blur, -1, 1) + np.roll(blur, 1, 2) + np.roll(blur, -1, 2)) / 5
        views.append(blur.astype(np.uint8))
        labels.append(ds.concept)
        x = cls.features(np.concatenate(views))
        y = np.concatenate(labels)
        mean = x.mean(0)
        x = x - mean
        k = int(y.max()) + 1
        counts = np.bincount(y, minlength=k).astype(np.float64)
        sums = np.zeros((k, x.shape[1]))
        np.add.at(sums, y, x)
        centroids = sums / np.maximum(counts, 1)[:, None]
        within = x - centroids[y]
        sw = within.T @ within / len(x)
        sb = (centroids * counts[:, None]).T @ centroids / len(x)
        sw += ridge * np.trace(sw) / len(sw) * np.eye(len(sw))
        # generalised eigenproblem Sb v = l Sw v via whitening with Sw^-1/2
        ew, ev = np.linalg.eigh(sw)
        wht = ev / np.sqrt(ew)
        eb, vb = np.linalg.eigh(wht.T @ sb @ wht)
        proj = wht @ vb[:, ::-1][:, :dims]
        return cls(mean.astype(np.float32), proj.astype(np.float32))

    def embed(self, images: np.ndarray) -> np.ndarray:
        z = (self.features(images) - self.mean) @ self.proj
        return z / np.linalg.norm(z, axis=1, keepdims=True).clip(1e-8)
