"""LoRA's knobs on the task of :mod:`lmbook.adapters.compare`, one seed each:
``python -m lmbook.adapters.sweep`` writes ``records/sweeps.json``.

- rank: r in ``SETUP["ranks"]`` in three arms: alpha = 2r (constant alpha/r), rsLoRA
  (alpha/sqrt(r) with the fixed alpha ``SETUP["fixed_alpha"]``) and, at
  ``SETUP["fixed_alpha_ranks"]``, plain LoRA with that fixed alpha (the scale alpha/r shrinks as r
  grows);
- targets: attention only (``c_attn``, ``attn.c_proj``) vs attention + MLP;
- learning rate: LoRA and full fine-tuning over the same factor-of-3 grid offsets, and prompt and
  prefix tuning at the larger rates such methods are run with.

A re-run reuses every row of the existing record (and the seed-0 trials of ``methods.json``) whose
trial settings are identical, and trains only the new trials. The methods table gives the
seed-to-seed spread to read these against.
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
PARTIAL = RECORD.with_suffix(".partial.json")  # trials of an interrupted run, by _key

SETUP: dict[str, Any] = {
    "ranks": [1, 2, 4, 8, 16, 32],
    "rank_lr": 3e-3,
    "fixed_alpha": 16,
    "fixed_alpha_ranks": [1, 4, 8, 16, 32],  # scale 16 ... 0.5 (a LoRA trial costs minutes here)
    "targets": {"attention": ["c_attn", "attn.c_proj"], "attention+mlp": None},
    "lr": {
        "lora": [1e-3, 3e-3, 1e-2, 3e-2],
        "full": [1e-4, 3e-4, 1e-3, 3e-3],
        "prompt": [3e-2, 1e-1, 3e-1],
        "prefix": [3e-2, 1e-1, 3e-1],
    },
    "seed": 0,
}

_MEASURED = ("adapter_bytes", "peak_bytes", "peak_by_category")  # methods.json only


def _key(method: str, lr: float, options: dict[str, Any]) -> str:
    """What decides a trial's result besides the compare setup (and the seed). At r = 1 rsLoRA's
    alpha/sqrt(r) is alpha/r: the same trial."""
    if options.get("use_rslora") and options.get("r") == 1:
        options = {**options, "use_rslora": False}
    return json.dumps([method, lr, options], sort_keys=True)


def _rank_options(r: int, arm: str) -> dict[str, Any]:
    alpha = 2 * r if arm == "alpha=2r" else SETUP["fixed_alpha"]
    return {"r": r, "lora_alpha": alpha, "use_rslora": arm == "rslora"}


def _target_options(targets: list[str] | None) -> dict[str, Any]:
    return {} if targets is None else {"target_modules": targets}


def _previous_trials(base: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Finished trials with the current seed and compare setup: the rows of the existing record
    and the seed-0 trials of the methods record, by :func:`_key`."""
    from lmbook.adapters.compare import RECORD as METHODS_RECORD

    done: dict[str, dict[str, Any]] = {}
    if METHODS_RECORD.exists():
        methods = json.loads(METHODS_RECORD.read_text(encoding="utf-8"))
        if methods["setup"] == base:
            for row in methods["trials"]:
                if row["seed"] == SETUP["seed"] and "test" in row:
                    kept = {k: v for k, v in row.items() if k not in _MEASURED}
                    done[_key(row["method"], row["lr"], {})] = kept
    if PARTIAL.exists():
        partial = json.loads(PARTIAL.read_text(encoding="utf-8"))
        if partial["seed"] == SETUP["seed"] and partial["compare_setup"] == base:
            done.update(partial["trials"])
    if not RECORD.exists():
        return done
    old = json.loads(RECORD.read_text(encoding="utf-8"))
    if old["setup"]["seed"] != SETUP["seed"] or old.get("compare_setup", base) != base:
        return done
    fields = ("r", "alpha", "rslora", "arm", "targets")
    for row in old["rank"]:
        options = {"r": row["r"], "lora_alpha": row["alpha"], "use_rslora": row["rslora"]}
        done[_key("lora", row["lr"], options)] = {k: v for k, v in row.items() if k not in fields}
    for row in old["targets"]:
        options = _target_options(old["setup"]["targets"][row["targets"]])
        done[_key("lora", row["lr"], options)] = {k: v for k, v in row.items() if k not in fields}
    for row in old["lr"]:
        done[_key(row["method"], row["lr"], {})] = row
    return done


def _trial(method: str, lr: float, options: dict[str, Any]) -> dict[str, Any]:
    from lmbook.adapters.compare import SETUP as BASE
    from lmbook.adapters.compare import run_trial

    setup = copy.deepcopy(BASE)
    setup["options"][method] = {**setup["options"].get(method, {}), **options}
    return run_trial(method, lr, SETUP["seed"], setup, test=True, measure=False)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="LoRA rank / alpha / target / lr sweeps")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="re-run every trial")
    args = parser.parse_args(argv)
    import lmbook
    from lmbook.adapters.compare import SETUP as BASE
    from lmbook.runtime import environment

    lmbook.setup(verbose=False)
    began = time.time()
    base = json.loads(json.dumps(BASE))
    done = {} if args.fresh else _previous_trials(base)
    ran: list[str] = []
    used: dict[str, dict[str, Any]] = {}

    def trial(method: str, lr: float, options: dict[str, Any]) -> dict[str, Any]:
        key = _key(method, lr, options)
        if key not in done:
            done[key] = _trial(method, lr, options)
            ran.append(key)
            state = {"seed": SETUP["seed"], "compare_setup": base, "trials": done}
            PARTIAL.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        used[key] = done[key]
        return done[key]

    record: dict[str, Any] = {
        "setup": SETUP,
        "compare_setup": base,
        **environment(),
        "rank": [],
        "targets": [],
        "lr": [],
    }
    fixed = f"alpha={SETUP['fixed_alpha']}"
    arms = (
        ("alpha=2r", SETUP["ranks"]),
        (fixed, SETUP["fixed_alpha_ranks"]),
        ("rslora", SETUP["ranks"]),
    )
    for arm, ranks in arms:
        for r in ranks:
            options = _rank_options(r, arm)
            row = trial("lora", SETUP["rank_lr"], options)
            alpha, rslora = options["lora_alpha"], options["use_rslora"]
            record["rank"].append({"arm": arm, "r": r, "alpha": alpha, "rslora": rslora, **row})
            print(f"{arm} r={r} alpha={alpha}: test {row['test']:.4f}", flush=True)
    for name, targets in SETUP["targets"].items():
        row = trial("lora", SETUP["rank_lr"], _target_options(targets))
        record["targets"].append({"targets": name, **row})
        print(f"targets={name}: test {row['test']:.4f}", flush=True)
    for method, lrs in SETUP["lr"].items():
        for lr in lrs:
            row = trial(method, lr, {})
            record["lr"].append(row)
            print(f"{method} lr={lr:g}: test {row['test']:.4f}", flush=True)
    record["trials_run_now"] = len(ran)
    record["wall_seconds"] = round(time.time() - began, 1)  # this run only
    record["wall_seconds_of_trials"] = round(sum(r["trial_seconds"] for r in used.values()), 1)
    if not args.no_write:
        RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        PARTIAL.unlink(missing_ok=True)
        print(f"wrote {RECORD}")
    return record


if __name__ == "__main__":
    main()
