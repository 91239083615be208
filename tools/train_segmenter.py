"""Train the learned shaft segmenter on follicle's own renders and export it to ONNX.

    pip install -e ".[train]"   # torch (CPU wheel: see docs/segmenter.md) and onnx
    nice -n 19 python tools/train_segmenter.py --scenes 3000 --minutes 40

Steps: (1) render ``--scenes`` randomised training scenes (tools/segmenter_scenes.py) into
``--cache`` (an .npz, reused when present); (2) train a tiny U-Net with soft-target
binary cross-entropy plus Dice, on random flips and quarter turns of the crops, one
thread, for ``--minutes`` of wall time or ``--epochs``; (3) export to
``src/follicle/data/segmenter.onnx`` (dynamic image size) and print a JSON summary for
the model card. Fixed seed: the same scenes and the same initial weights every run
(training on a loaded machine is not bit-reproducible in wall-time mode).
No real image is read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "src" / "follicle" / "data" / "segmenter.onnx"
SEED = 20261204
SHARD = 50  # scenes per cache file


def _scene(seed: int):
    from segmenter_scenes import training_scene

    return training_scene(seed)


def build_dataset(n: int, cache: Path, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` scenes, rendered in shards of SHARD scenes kept in ``cache`` (a
    folder): an interrupted run resumes, and training can start on the shards there."""
    cache.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for first in range(0, n, SHARD):
            path = cache / f"scenes-{first:05d}.npz"
            if path.exists():
                continue
            seeds = [SEED * 1000 + k for k in range(first, min(first + SHARD, n))]
            pairs = list(pool.map(_scene, seeds, chunksize=4)) if pool else map(_scene, seeds)
            pairs = list(pairs)
            np.savez_compressed(
                path,
                images=np.stack([p[0] for p in pairs]),
                targets=np.stack([p[1] for p in pairs]).astype(np.float16),
            )
            print(
                f"{first + len(seeds)} scenes, {time.perf_counter() - start:.0f} s", file=sys.stderr
            )
    finally:
        if pool:
            pool.shutdown()
    return load_dataset(n, cache)


def load_dataset(n: int, cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``n`` scenes from the shards in ``cache``, in seed order."""
    shards = [np.load(p) for p in sorted(cache.glob("scenes-*.npz"))]
    images = np.concatenate([s["images"] for s in shards])[:n]
    targets = np.concatenate([s["targets"] for s in shards])[:n]
    return images, targets


def tiny_unet(base: int = 8):
    import torch
    from torch import nn

    def block(cin, cout):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )

    class TinyUNet(nn.Module):
        def __init__(self):
            super().__init__()
            c = [base, base * 2, base * 4, base * 6, base * 8]
            self.down = nn.ModuleList([block(3, c[0])] + [block(c[i], c[i + 1]) for i in range(4)])
            self.pool = nn.MaxPool2d(2)
            self.up = nn.ModuleList(
                [nn.ConvTranspose2d(c[i + 1], c[i], 2, stride=2) for i in range(4)]
            )
            self.merge = nn.ModuleList([block(2 * c[i], c[i]) for i in range(4)])
            self.head = nn.Conv2d(c[0], 1, 1)

        def forward(self, x):
            skips = []
            for i, layer in enumerate(self.down):
                x = layer(x if i == 0 else self.pool(x))
                skips.append(x)
            x = skips.pop()
            for i in reversed(range(4)):
                x = self.merge[i](torch.cat([self.up[i](x), skips[i]], dim=1))
            return self.head(x)

    return TinyUNet()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=3000)
    parser.add_argument("--val", type=int, default=200, help="last N scenes held for validation")
    parser.add_argument("--minutes", type=float, default=40.0, help="training wall-time budget")
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=128, help="random training crop (px)")
    parser.add_argument("--render-only", action="store_true", help="only build the cache")
    parser.add_argument(
        "--use-cache", action="store_true", help="train on the shards already rendered"
    )
    parser.add_argument("--base", type=int, default=8, help="channels of the first level")
    parser.add_argument("--workers", type=int, default=1, help="processes rendering scenes")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/follicle-segmenter-scenes"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    import torch
    import torch.nn.functional as F  # noqa: N812

    from follicle.measure.segmenter import normalise

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    if args.use_cache:
        images, targets = load_dataset(args.scenes, args.cache)
    else:
        images, targets = build_dataset(args.scenes, args.cache, args.workers)
    if args.render_only:
        return 0
    x_all = np.concatenate([normalise(im) for im in images])
    y_all = targets.astype(np.float32)[:, None]
    n_train = len(x_all) - args.val
    x_val, y_val = torch.from_numpy(x_all[n_train:]), torch.from_numpy(y_all[n_train:])
    model = tiny_unet(args.base)
    params = sum(p.numel() for p in model.parameters())
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    budget_s = args.minutes * 60
    steps_per_epoch = n_train // args.batch
    max_lr = 3e-3

    def set_lr(progress: float) -> None:
        # Short warm-up, then cosine decay over the wall-time budget (or the epochs).
        lr = max_lr * min(1.0, progress / 0.03) * 0.5 * (1 + np.cos(np.pi * min(progress, 1.0)))
        for group in optimiser.param_groups:
            group["lr"] = max(lr, max_lr * 0.01)

    def loss_fn(logits, target):
        bce = F.binary_cross_entropy_with_logits(logits, target)
        p = torch.sigmoid(logits)
        dice = 1 - (2 * (p * target).sum() + 1) / (p.sum() + target.sum() + 1)
        return bce + dice

    def validate() -> dict:
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(x_val[i : i + 32]) for i in range(0, len(x_val), 32)])
        model.train()
        pred, truth = logits > 0, y_val > 0.5
        tp = float((pred & truth).sum())
        iou = tp / max(float((pred | truth).sum()), 1.0)
        return {"val_loss": float(loss_fn(logits, y_val)), "val_iou": iou}

    start = time.perf_counter()
    history = []
    epoch = 0
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(n_train)
        losses = []
        for b in range(steps_per_epoch):
            idx = order[b * args.batch : (b + 1) * args.batch]
            r0, c0 = rng.integers(0, x_all.shape[2] - args.crop + 1, 2)
            window = (idx, slice(None), slice(r0, r0 + args.crop), slice(c0, c0 + args.crop))
            x, y = torch.from_numpy(x_all[window]), torch.from_numpy(y_all[window])
            k = int(rng.integers(4))  # random quarter turn and flip
            x, y = torch.rot90(x, k, (2, 3)), torch.rot90(y, k, (2, 3))
            if rng.random() < 0.5:
                x, y = x.flip(3), y.flip(3)
            progress = max(
                (time.perf_counter() - start) / budget_s,
                ((epoch - 1) * steps_per_epoch + b) / (args.epochs * steps_per_epoch),
            )
            set_lr(progress)
            loss = loss_fn(model(x), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(float(loss))
            if time.perf_counter() - start > budget_s:
                break
        row = {"epoch": epoch, "train_loss": float(np.mean(losses)), **validate()}
        row["minutes"] = (time.perf_counter() - start) / 60
        history.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        torch.save(model.state_dict(), "/tmp/follicle-segmenter.pt")
        if time.perf_counter() - start > budget_s:
            break

    model.eval()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(1, 3, 128, 160)
    torch.onnx.export(
        model,
        (dummy,),
        str(args.out),
        input_names=["image"],
        output_names=["shaft_logit"],
        dynamic_axes={"image": {2: "rows", 3: "cols"}, "shaft_logit": {2: "rows", 3: "cols"}},
        opset_version=17,
        dynamo=False,
    )
    summary = {
        "seed": SEED,
        "scenes": len(images),
        "validation_scenes": args.val,
        "parameters": params,
        "base_channels": args.base,
        "epochs": epoch,
        "crop_px": args.crop,
        "batch": args.batch,
        "history": history,
        "training_minutes": (time.perf_counter() - start) / 60,
        "onnx_bytes": args.out.stat().st_size,
        "last": history[-1] if history else None,
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
