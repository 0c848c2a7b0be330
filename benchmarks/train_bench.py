"""Benchmark ``lmbook.train`` against a bare PyTorch loop and ``transformers.Trainer`` on a CPU.

Workload: a GPT-2 built from config (2 layers, d=128, ~1.2M parameters, most of them the 6k
character embeddings), People's Daily text from ``lmbook.data`` cut into 64-token blocks with the
shipped character tokenizer, batches of 8, AdamW (fused, as Trainer's default), warmup + cosine,
clipping at 1.0, weight decay 0.01 off norms and biases, one thread.

1. Steady state, in this process: the three loops run the same model (same initial weights),
   the same batches and optimizer, interleaved, several repeats; each run's time per step is the
   median of step-to-step intervals after warm-up, and each ratio is the median over repeats.
2. End to end, a fresh process per run (interleaved): what a notebook cell costs - imports, data,
   model, ~200 optimizer steps and one evaluation - for ``lmbook.train`` and for ``Trainer``.

Times are CPU seconds (user + system) of the process doing the work: with one thread and no
I/O wait this equals wall-clock time on an idle machine, and unlike wall-clock time it does not
swing by tens of percent when other jobs share the two cores. Wall-clock ratios are printed too.
The script re-runs itself with glibc's malloc thresholds pinned (``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_``), the same for every loop: otherwise glibc returns the big activation
buffers to the OS at random and the next step page-faults them back, which swings any loop's
step time by up to 30% from run to run (``--system-malloc`` keeps the defaults).
Progress bars are off in both trainers (they only print). The last line reads
``overhead_vs_bare_loop=<r> steady_vs_hf_trainer=<r> speedup_vs_hf_trainer=<r>`` (CPU time).
``--quick`` is a smoke run.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

SEQ = 64
BATCH = 8
LR = 1e-3
WARMUP = 20
CELL_STEPS = 200
SEED = 0
PINNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "2147483647"}


def prepare(n_train: int, n_val: int) -> tuple[list[dict], list[dict], int]:
    """Blocks of SEQ token ids (input_ids = labels) from the People's Daily LM splits."""
    import torch

    from lmbook.data import load_lm_text
    from lmbook.tokenization import load_tokenizer

    tok = load_tokenizer("char")
    text = load_lm_text()

    def blocks(split: str, n: int) -> list[dict]:
        ids: list[int] = []
        for start in range(0, len(text[split]), 512):
            batch = text[split][start : start + 512]["text"]
            for row in tok(batch, add_special_tokens=False)["input_ids"]:
                ids.extend([*row, tok.sep_token_id])
            if len(ids) >= n * SEQ:
                break
        t = torch.tensor(ids[: n * SEQ]).reshape(n, SEQ)
        return [{"input_ids": x, "labels": x} for x in t]

    return blocks("train", n_train), blocks("validation", n_val), len(tok)


def build_model(vocab: int):
    """The GPT-2 of the benchmark, initialised from SEED."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.utils import logging

    logging.set_verbosity_error()
    torch.manual_seed(SEED)
    cfg = GPT2Config(
        vocab_size=vocab,
        n_positions=SEQ,
        n_embd=128,
        n_layer=2,
        n_head=4,
        bos_token_id=2,
        eos_token_id=3,
    )
    return GPT2LMHeadModel(cfg)


def lmbook_config(steps: int, **kw):
    from lmbook.train import TrainConfig

    return TrainConfig(
        lr=LR,
        batch_size=BATCH,
        max_steps=steps,
        warmup_steps=min(WARMUP, steps // 4),
        weight_decay=0.01,
        max_grad_norm=1.0,
        seed=SEED,
        progress=False,
        **kw,
    )


def hf_arguments(steps: int, out_dir: str):
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=out_dir,
        max_steps=steps,
        per_device_train_batch_size=BATCH,
        per_device_eval_batch_size=BATCH,
        learning_rate=LR,
        warmup_steps=min(WARMUP, steps // 4),
        lr_scheduler_type="cosine",
        weight_decay=0.01,
        max_grad_norm=1.0,
        logging_steps=50,
        save_strategy="no",
        eval_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        dataloader_num_workers=0,
        seed=SEED,
    )


# -- steady state, in process ------------------------------------------------------------------


def stamp() -> tuple[float, float]:
    """(wall-clock, CPU) seconds now."""
    return time.perf_counter(), time.process_time()


def bare_loop(model, rows: list[dict], steps: int) -> list[tuple[float, float]]:
    """The same work written out by hand: returns the time at the end of each step."""
    import torch
    from torch.utils.data import DataLoader

    from lmbook.train import WarmupSchedule

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=LR, fused=True)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, WarmupSchedule("cosine", min(WARMUP, steps // 4), steps)
    )
    loader = DataLoader(
        rows,
        batch_size=BATCH,
        shuffle=True,
        drop_last=True,
        generator=torch.Generator().manual_seed(SEED),
    )
    model.train()
    stamps, losses = [], []
    while len(stamps) < steps:
        for batch in loader:
            loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            losses.append(loss.item())
            stamps.append(stamp())
            if len(stamps) == steps:
                break
    return stamps


def lmbook_loop(model, rows: list[dict], steps: int) -> list[tuple[float, float]]:
    from lmbook.train import train

    stamps: list[tuple[float, float]] = []
    train(
        model,
        lmbook_config(steps, verbose=False),
        rows,
        callbacks=[lambda info: stamps.append(stamp())],
    )
    return stamps


def hf_loop(model, rows: list[dict], steps: int) -> list[tuple[float, float]]:
    from transformers import PrinterCallback, Trainer, TrainerCallback

    stamps: list[tuple[float, float]] = []

    class Stamp(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            stamps.append(stamp())

    with tempfile.TemporaryDirectory() as out:
        trainer = Trainer(
            model=model, args=hf_arguments(steps, out), train_dataset=rows, callbacks=[Stamp()]
        )
        trainer.remove_callback(PrinterCallback)  # it prints the final metrics dict
        trainer.train()
    return stamps


def step_time(stamps: list[tuple[float, float]], warmup: int) -> tuple[float, float]:
    """Median (wall, CPU) interval between consecutive step ends, after ``warmup`` steps."""
    kept = stamps[warmup:]
    return tuple(
        statistics.median(b[i] - a[i] for a, b in itertools.pairwise(kept)) for i in (0, 1)
    )


def steady_state(repeats: int, steps: int, warmup: int) -> dict[str, list[tuple[float, float]]]:
    import torch

    torch.set_num_threads(1)
    rows, _, vocab = prepare(BATCH * steps, 8)
    loops = {"bare": bare_loop, "lmbook": lmbook_loop, "hf": hf_loop}
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in loops}
    for r in range(repeats):
        order = list(loops) if r % 2 == 0 else list(reversed(loops))
        for name in order:
            results[name].append(step_time(loops[name](build_model(vocab), rows, steps), warmup))
        row = ", ".join(
            f"{k} {1000 * v[-1][1]:.1f} ms cpu ({1000 * v[-1][0]:.1f} wall)"
            for k, v in results.items()
        )
        print(f"  steady repeat {r + 1}/{repeats}: {row}", flush=True)
    return results


# -- end to end, one process per cell -------------------------------------------------------------


def cell(kind: str, steps: int) -> None:
    """One notebook cell: imports, data, model, training, one evaluation (run in a subprocess)."""
    import torch

    torch.set_num_threads(1)
    if kind == "lmbook":
        from lmbook.train import train

        rows, val, vocab = prepare(BATCH * steps, 64)
        history = train(build_model(vocab), lmbook_config(steps), rows, val)
        print(f"lmbook val_loss={history.val_loss[-1]:.4f}")
    else:
        from transformers import Trainer

        rows, val, vocab = prepare(BATCH * steps, 64)
        with tempfile.TemporaryDirectory() as out:
            trainer = Trainer(
                model=build_model(vocab),
                args=hf_arguments(steps, out),
                train_dataset=rows,
                eval_dataset=val,
            )
            trainer.train()
            print(f"hf val_loss={trainer.evaluate()['eval_loss']:.4f}")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def end_to_end(repeats: int, steps: int) -> dict[str, list[tuple[float, float]]]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    results: dict[str, list[tuple[float, float]]] = {"lmbook": [], "hf": []}
    for r in range(repeats):
        order = ["lmbook", "hf"] if r % 2 == 0 else ["hf", "lmbook"]
        for kind in order:
            t0, c0 = time.perf_counter(), children_cpu()
            out = subprocess.run(
                [sys.executable, __file__, "--cell", kind, "--cell-steps", str(steps)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            wall, cpu = time.perf_counter() - t0, children_cpu() - c0
            if out.returncode != 0:
                raise RuntimeError(f"the {kind} cell failed:\n{out.stderr[-3000:]}")
            results[kind].append((wall, cpu))
            last = out.stdout.strip().splitlines()[-1]
            print(
                f"  cell {r + 1}/{repeats} {kind}: {cpu:.1f} s cpu ({wall:.1f} wall; {last})",
                flush=True,
            )
    return results


def median_ratio(num: list[tuple[float, float]], den: list[tuple[float, float]], i: int) -> float:
    """Median over repeats of num/den, on wall (i=0) or CPU (i=1) time."""
    return statistics.median(a[i] / b[i] for a, b in zip(num, den, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (seconds, not minutes)")
    parser.add_argument(
        "--system-malloc", action="store_true", help="keep glibc's malloc defaults (noisier)"
    )
    parser.add_argument("--cell", choices=["lmbook", "hf"], help=argparse.SUPPRESS)
    parser.add_argument("--cell-steps", type=int, default=CELL_STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    pinned = all(os.environ.get(k) == v for k, v in PINNED_MALLOC.items())
    if not (args.system_malloc or pinned or args.cell):
        env = {**os.environ, **PINNED_MALLOC, "OMP_NUM_THREADS": "1"}
        os.execve(sys.executable, [sys.executable, __file__, *sys.argv[1:]], env)
    if args.cell:
        cell(args.cell, args.cell_steps)
        return
    repeats, steps, warmup = (1, 12, 3) if args.quick else (5, 40, 5)
    cell_repeats, cell_steps = (1, 20) if args.quick else (3, CELL_STEPS)
    malloc = "glibc defaults" if args.system_malloc else "pinned glibc thresholds"
    print(f"steady state: {repeats} repeats x {steps} steps per loop, median after {warmup}")
    print(f"malloc: {malloc}; threads: 1; times in CPU seconds unless marked wall")
    steady = steady_state(repeats, steps, warmup)
    print(f"end to end: {cell_repeats} repeats x 1 process per trainer, {cell_steps} steps")
    e2e = end_to_end(cell_repeats, cell_steps)
    ratios = [
        (
            median_ratio(steady["lmbook"], steady["bare"], i),
            median_ratio(steady["hf"], steady["lmbook"], i),
            median_ratio(e2e["hf"], e2e["lmbook"], i),
        )
        for i in (0, 1)
    ]
    for label, i in (("cpu", 1), ("wall", 0)):
        steps_ms = ", ".join(
            f"{k} {1000 * statistics.median(v[i] for v in runs):.1f}" for k, runs in steady.items()
        )
        cells = ", ".join(
            f"{k} {statistics.median(v[i] for v in runs):.1f}" for k, runs in e2e.items()
        )
        print(f"{label}: median ms/step {steps_ms}; median s/cell {cells}")
    wall = ratios[0]
    print(
        f"wall-clock ratios (noisy here): overhead {wall[0]:.3f}, steady vs hf {wall[1]:.3f}, "
        f"speedup vs hf {wall[2]:.3f}"
    )
    overhead, vs_hf, speedup = ratios[1]
    print(
        f"overhead_vs_bare_loop={overhead:.3f} steady_vs_hf_trainer={vs_hf:.3f} "
        f"speedup_vs_hf_trainer={speedup:.3f}"
    )


if __name__ == "__main__":
    main()
