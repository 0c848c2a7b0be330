"""Intrinsic dimension of fine-tuning (Li et al. 2018; Aghajanyan et al. 2021): train only
``z`` in ``theta = theta_0 + P z``, with ``P`` a fixed random ``D x d`` projection, and find the
smallest ``d`` that reaches 90 % of full fine-tuning (``d90``).

A dense ``P`` for the 1.2M-parameter shipped BERT and d = 1000 would hold 1.2 billion numbers
(4.8 GB); the Fastfood transform (Le et al. 2013) used by both papers is a structured random
matrix applied in ``O(D log d)`` time with ``O(D)`` memory: ``P z = stack_b (H G_b Pi_b H B_b z)``
with ``H`` the Walsh-Hadamard matrix, ``B_b`` random signs, ``Pi_b`` a random permutation and
``G_b`` Gaussian scales, one block of size ``n = 2^ceil(log2 d)`` at a time.

``python -m lmbook.adapters.intrinsic`` runs the sweep on review sentiment and writes
``records/intrinsic.json``; section 5.1 shows it and re-runs one point.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import torch

__all__ = ["RECORD", "SETUP", "FastfoodProjection", "fwht", "main", "subspace_trial"]

RECORD = Path(__file__).with_name("records") / "intrinsic.json"

SETUP: dict[str, Any] = {
    "model": "bert-zh-tiny",
    "task": "review sentiment (sequence classification)",
    "train_examples": 1000,
    "steps": 150,
    "batch_size": 16,
    "max_len": 64,
    "dims": [10, 30, 100, 300, 1000, 3000],
    "lr": 0.05,  # Adam on z; P columns have unit norm
    "full_lr": 1e-3,
    "seed": 0,
}


def fwht(x: torch.Tensor) -> torch.Tensor:
    """Unnormalised fast Walsh-Hadamard transform along the last dimension (a power of 2)."""
    n = x.shape[-1]
    if n & (n - 1):
        raise ValueError(f"the last dimension must be a power of 2, got {n}")
    shape = x.shape
    h = 1
    while h < n:
        x = x.reshape(*shape[:-1], n // (2 * h), 2, h)
        a, b = x[..., 0, :], x[..., 1, :]
        x = torch.stack((a + b, a - b), dim=-2)
        h *= 2
    return x.reshape(shape)


class FastfoodProjection(torch.nn.Module):
    """A fixed random map R^d -> R^D with columns of (about) unit norm, never stored densely."""

    def __init__(self, d: int, D: int, seed: int = 0) -> None:
        super().__init__()
        self.d, self.D = d, D
        self.n = 1 << max(0, math.ceil(math.log2(d)))
        blocks = math.ceil(D / self.n)
        g = torch.Generator().manual_seed(seed)
        self.register_buffer("signs", torch.randint(0, 2, (blocks, self.n), generator=g) * 2.0 - 1)
        self.register_buffer("perm", torch.argsort(torch.rand(blocks, self.n, generator=g), dim=1))
        self.register_buffer("gauss", torch.randn(blocks, self.n, generator=g))
        # ||H G Pi H B z|| = n ||G|| ||z|| / sqrt(n) per block: divide so that ||P z|| ~ ||z||
        self.scale = 1.0 / (self.n * math.sqrt(blocks))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = torch.nn.functional.pad(z, (0, self.n - self.d)).expand_as(self.signs) * self.signs
        x = fwht(x)
        x = torch.gather(x, 1, self.perm) * self.gauss
        x = fwht(x) * self.scale
        return x.reshape(-1)[: self.D]


def _data(tok: Any, setup: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    from lmbook.zoo.tasks import pad_collate, sentiment_examples

    return sentiment_examples(tok, "train", setup["train_examples"], setup["max_len"]), pad_collate(
        tok
    )


def subspace_trial(d: int | None, setup: dict[str, Any] = SETUP) -> dict[str, Any]:
    """Train in a random ``d``-dimensional subspace (``d=None``: full fine-tuning); return the
    test accuracy and the training seconds."""
    from torch.func import functional_call

    from lmbook.seeding import seed_everything
    from lmbook.zoo import load
    from lmbook.zoo.tasks import sentiment_score

    seed_everything(setup["seed"])
    model, tok = load(setup["model"], "sequence-classification", num_labels=2)
    rows, collate = _data(tok, setup)
    gen = torch.Generator().manual_seed(setup["seed"])
    order = torch.cat(
        [
            torch.randperm(len(rows), generator=gen)
            for _ in range(math.ceil(setup["steps"] * setup["batch_size"] / len(rows)))
        ]
    )
    start = time.time()
    model.train()
    if d is None:
        params = list(model.parameters())
        opt = torch.optim.AdamW(params, lr=setup["full_lr"])
    else:
        names = [n for n, _ in model.named_parameters()]
        theta0 = {n: p.detach().clone() for n, p in model.named_parameters()}
        sizes = [theta0[n].numel() for n in names]
        proj = FastfoodProjection(d, sum(sizes), seed=setup["seed"] + 1)
        z = torch.zeros(d, requires_grad=True)
        opt = torch.optim.Adam([z], lr=setup["lr"])
    losses = []
    for step in range(setup["steps"]):
        idx = order[step * setup["batch_size"] : (step + 1) * setup["batch_size"]]
        batch = collate([rows[i] for i in idx])
        if d is None:
            loss = model(**batch).loss
        else:
            flat = proj(z).split(sizes)
            params = {n: theta0[n] + f.view_as(theta0[n]) for n, f in zip(names, flat, strict=True)}
            loss = functional_call(model, params, args=(), kwargs=dict(batch)).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    seconds = time.time() - start
    if d is not None:
        with torch.no_grad():
            flat = proj(z).split(sizes)
            for (n, p), f in zip(model.named_parameters(), flat, strict=True):
                p.copy_(theta0[n] + f.view_as(p))
    return {
        "d": d,
        "test": sentiment_score(model, tok, "test", setup["max_len"]),
        "final_loss": round(sum(losses[-10:]) / len(losses[-10:]), 4),
        "train_seconds": round(seconds, 1),
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="intrinsic dimension sweep (section 5.1)")
    parser.add_argument("--dims", type=int, nargs="*", default=SETUP["dims"])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    import lmbook

    lmbook.setup(verbose=False)
    began = time.time()
    full = subspace_trial(None)
    print(f"full fine-tuning: test {full['test']:.4f} ({full['train_seconds']} s)", flush=True)
    rows = []
    for d in args.dims:
        rows.append(subspace_trial(d))
        print(f"d={d:5d}: test {rows[-1]['test']:.4f} ({rows[-1]['train_seconds']} s)", flush=True)
    reach = [r["d"] for r in rows if r["test"] >= 0.9 * full["test"]]
    record = {
        "setup": SETUP,
        "full": full,
        "subspace": rows,
        "d90": min(reach) if reach else None,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "wall_seconds": round(time.time() - began, 1),
    }
    if not args.no_write:
        RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {RECORD}")
    return record


if __name__ == "__main__":
    main()
