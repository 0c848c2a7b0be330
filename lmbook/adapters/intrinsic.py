"""Intrinsic dimension of fine-tuning (Li et al. 2018; Aghajanyan et al. 2021): train only
``z`` in ``theta = theta_0 + P z``, with ``P`` a fixed random ``D x d`` projection, and find the
smallest ``d`` that reaches 90 % of full fine-tuning (``d90``).

A dense ``P`` for the 1.2M-parameter shipped BERT and d = 1000 would hold 1.2 billion numbers
(4.8 GB); the Fastfood transform (Le et al. 2013) used by both papers is a structured random
matrix applied in ``O(D log d)`` time with ``O(D)`` memory: ``P z = stack_b (H G_b Pi_b H B_b z)``
with ``H`` the Walsh-Hadamard matrix, ``B_b`` random signs, ``Pi_b`` a random permutation and
``G_b`` Gaussian scales, one block of size ``n = 2^ceil(log2 d)`` at a time.

Every run, the full fine-tuning baseline included, is trained by :func:`lmbook.train.train` as
section 5.3's sentiment case is (same examples, steps, warm-up + cosine schedule, clipping), so the
baseline is the chapter's own full fine-tuning. This is Li et al.'s *direct* intrinsic dimension
(DID); Aghajanyan et al.'s SAID adds one trained scale per layer, not implemented here.

``python -m lmbook.adapters.intrinsic`` runs the sweep on review sentiment and writes
``records/intrinsic.json``; section 5.1 shows it and re-runs a short run (``SETUP["live"]``).
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
    # the training of section 5.3's sentiment case (lmbook.adapters.cases.SETUP): the same
    # examples, steps, batches, warm-up + cosine schedule and clipping (lmbook.train's defaults)
    "train_examples": 1000,
    "steps": 200,
    "batch_size": 16,
    "warmup_steps": 20,
    "max_len": 64,
    "dims": [10, 100, 300, 1000, 3000],  # a coarse grid: the sweep must fit a shared 2-core CPU
    "lr": 0.05,  # peak lr of AdamW on z (no weight decay on a vector); P columns have unit norm
    "full_lr": 1e-3,
    "seed": 0,
    "live": {"d": 10, "steps": 30},  # the short run section 5.1 repeats live
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


class _Subspace(torch.nn.Module):
    """``model`` with its parameters replaced by ``theta_0 + P z``: only ``z`` is trainable."""

    def __init__(self, model: torch.nn.Module, d: int, seed: int) -> None:
        super().__init__()
        self.model = model.requires_grad_(False)
        self.names = [n for n, _ in model.named_parameters()]
        self.sizes = [p.numel() for _, p in model.named_parameters()]
        self.proj = FastfoodProjection(d, sum(self.sizes), seed=seed)
        self.z = torch.nn.Parameter(torch.zeros(d))

    def _params(self) -> dict[str, torch.Tensor]:
        theta0 = dict(self.model.named_parameters())
        flat = self.proj(self.z).split(self.sizes)
        return {n: theta0[n] + f.view_as(theta0[n]) for n, f in zip(self.names, flat, strict=True)}

    def forward(self, **batch: Any) -> Any:
        from torch.func import functional_call

        return functional_call(self.model, self._params(), args=(), kwargs=batch)

    @torch.no_grad()
    def bake(self) -> torch.nn.Module:
        """Write ``theta_0 + P z`` into the model's own parameters and return the model."""
        for (_, p), (_, q) in zip(
            self.model.named_parameters(), self._params().items(), strict=True
        ):
            p.copy_(q)
        return self.model


def subspace_trial(
    d: int | None, setup: dict[str, Any] = SETUP, steps: int | None = None, score: bool = True
) -> dict[str, Any]:
    """Train in a random ``d``-dimensional subspace (``d=None``: full fine-tuning, exactly as
        section 5.3's sentiment case) with :func:`lmbook.train.train`; return the test accuracy and
        the training seconds. ``steps`` overrides ``setup["steps"]``; ``score=False`` skips the test
    set (a short live check compares the training loss)."""
    from lmbook.seeding import seed_everything
    from lmbook.train import TrainConfig, train
    from lmbook.zoo import load
    from lmbook.zoo.tasks import pad_collate, sentiment_examples, sentiment_score

    seed_everything(setup["seed"])
    model, tok = load(setup["model"], "sequence-classification", num_labels=2)
    rows = sentiment_examples(tok, "train", setup["train_examples"], setup["max_len"])
    trained = model if d is None else _Subspace(model, d, seed=setup["seed"] + 1)
    config = TrainConfig(
        lr=setup["full_lr"] if d is None else setup["lr"],
        batch_size=setup["batch_size"],
        max_steps=steps or setup["steps"],
        warmup_steps=setup["warmup_steps"],
        seed=setup["seed"],
        progress=False,
        verbose=False,
        record_grads=False,
    )
    history = train(trained, config, rows, collate_fn=pad_collate(tok))
    if d is not None:
        model = trained.bake()
    return {
        "d": d,
        "steps": config.max_steps,
        "test": sentiment_score(model, tok, "test", setup["max_len"]) if score else None,
        "final_loss": round(float(sum(history.loss[-10:]) / len(history.loss[-10:])), 4),
        "train_seconds": round(history.wall_s[-1], 1),
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="intrinsic dimension sweep (section 5.1)")
    parser.add_argument("--dims", type=int, nargs="*", default=SETUP["dims"])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    import lmbook
    from lmbook.runtime import environment

    lmbook.setup(verbose=False)
    began = time.time()
    full = subspace_trial(None)
    print(f"full fine-tuning: test {full['test']:.4f} ({full['train_seconds']} s)", flush=True)
    rows = []
    for d in args.dims:
        rows.append(subspace_trial(d))
        print(f"d={d:5d}: test {rows[-1]['test']:.4f} ({rows[-1]['train_seconds']} s)", flush=True)
    live = subspace_trial(SETUP["live"]["d"], steps=SETUP["live"]["steps"], score=False)
    reach = [r["d"] for r in rows if r["test"] >= 0.9 * full["test"]]
    record = {
        "setup": SETUP,
        "full": full,
        "subspace": rows,
        "live": live,
        "d90": min(reach) if reach else None,
        **environment(),
        "wall_seconds": round(time.time() - began, 1),
    }
    if not args.no_write:
        RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {RECORD}")
    return record


if __name__ == "__main__":
    main()
