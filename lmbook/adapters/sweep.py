"""LoRA's knobs on the task of :mod:`lmbook.adapters.compare`, one seed each:
``python -m lmbook.adapters.sweep`` writes ``records/sweeps.json``.

- rank: r in ``SETUP["ranks"]`` with alpha = 2r (constant alpha/r) and with rsLoRA (alpha/sqrt(r),
  alpha = 16);
- targets: attention only (``c_attn``, ``attn.c_proj``) vs attention + MLP;
- learning rate: LoRA and full fine-tuning over the same factor-of-3 grid offsets.

The methods table gives the seed-to-seed spread to read these against.
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path
from typing import Any

__all__ = ["RECORD", "SETUP", "main"]

RECORD = Path(__file__).with_name("records") / "sweeps.json"

SETUP: dict[str, Any] = {
    "ranks": [1, 2, 4, 8, 16, 32],
    "rank_lr": 3e-3,
    "targets": {"attention": ["c_attn", "attn.c_proj"], "attention+mlp": None},
    "lr": {"lora": [1e-3, 3e-3, 1e-2, 3e-2], "full": [1e-4, 3e-4, 1e-3, 3e-3]},
    "seed": 0,
}


def _trial(method: str, lr: float, options: dict[str, Any]) -> dict[str, Any]:
    from lmbook.adapters.compare import SETUP as BASE
    from lmbook.adapters.compare import run_trial

    setup = copy.deepcopy(BASE)
    setup["options"][method] = {**setup["options"].get(method, {}), **options}
    return run_trial(method, lr, SETUP["seed"], setup, test=True, measure=False)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="LoRA rank / alpha / target / lr sweeps")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    import lmbook
    from lmbook.runtime import environment

    lmbook.setup(verbose=False)
    began = time.time()
    record: dict[str, Any] = {"setup": SETUP, **environment(), "rank": [], "targets": [], "lr": []}
    for r in SETUP["ranks"]:
        for rslora in (False, True):
            alpha = 16 if rslora else 2 * r
            options = {"r": r, "lora_alpha": alpha, "use_rslora": rslora}
            row = _trial("lora", SETUP["rank_lr"], options)
            record["rank"].append({"r": r, "alpha": alpha, "rslora": rslora, **row})
            print(f"r={r} alpha={alpha} rslora={rslora}: test {row['test']:.4f}", flush=True)
    for name, targets in SETUP["targets"].items():
        options = {} if targets is None else {"target_modules": targets}
        row = _trial("lora", SETUP["rank_lr"], options)
        record["targets"].append({"targets": name, **row})
        print(f"targets={name}: test {row['test']:.4f}", flush=True)
    for method, lrs in SETUP["lr"].items():
        for lr in lrs:
            row = _trial(method, lr, {})
            record["lr"].append(row)
            print(f"{method} lr={lr:g}: test {row['test']:.4f}", flush=True)
    record["wall_seconds"] = round(time.time() - began, 1)
    if not args.no_write:
        RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {RECORD}")
    return record


if __name__ == "__main__":
    main()
