"""Tool use in miniature (section 8.3): the shipped GPT learns to call a calculator.

Two copies of ``gpt-zh-tiny`` are fine-tuned on the same two-digit arithmetic problems
(:func:`arithmetic_problems`), with the same steps, batch and learning rate; only the target
differs. ``"direct"`` learns ``问:12+35=?答:`` -> ``47``; ``"tool"`` learns ``问:12+35=?答:`` ->
``<calc>12+35</calc>``, and its output is handed to :func:`run_call`, which parses the call and
evaluates it with :func:`calculate`: an ``ast`` walk that allows integers, ``+ - *`` and
parentheses and nothing else (no ``eval``). The answer is correct when it equals the true value
(:func:`tool_use_run` measures both on held-out problems).

``python -m lmbook.zoo.toolcall`` records both formats at several numbers of steps into
``lmbook/assets/records/toolcall.json`` (setup, hardware, versions, wall time); section 8.3
shows the record and re-runs its smallest row live.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import operator
import random
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = [
    "CALL",
    "MAX_CALL",
    "RECORD",
    "SETUP",
    "arithmetic_problems",
    "calculate",
    "load_record",
    "main",
    "prompt",
    "run_call",
    "target",
    "tool_use_run",
]

RECORD = Path(__file__).resolve().parent.parent / "assets" / "records" / "toolcall.json"

SETUP: dict[str, Any] = {
    "model": "gpt-zh-tiny (full fine-tuning, AdamW, constant learning rate)",
    "train_problems": 400,
    "test_problems": 200,
    "operands": [10, 99],
    "operators": "+-*",
    "batch_size": 32,
    "lr": 1e-3,
    "steps": [20, 40, 80, 160],
    "seed": 0,
}

CALL = re.compile(r"<calc>(.*?)</calc>")
MAX_CALL = 100  # characters: two-digit arithmetic needs far fewer

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def calculate(expression: str) -> int:
    """The value of an integer expression of ``+ - *`` and parentheses; anything else raises.

    ``ast.parse`` builds the syntax tree, and only integer constants, those three binary
    operators and unary minus are evaluated: names, calls, attributes, powers and strings raise
    ``ValueError``, so model output can never run code; so does an expression longer than
    ``MAX_CALL`` characters, which bounds the size of the result and the depth of the tree.
    """
    if len(expression) > MAX_CALL:
        raise ValueError(f"longer than {MAX_CALL} characters: {expression[:20]!r}…")

    def value(node: ast.AST) -> int:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        raise ValueError(f"not allowed in a calculator call: {ast.dump(node)}")

    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as err:
        raise ValueError(f"not an expression: {expression!r}") from err
    return value(tree.body)


def run_call(output: str) -> str | None:
    """The calculator's result for the first ``<calc>…</calc>`` in ``output``; ``None`` if there
    is no call or it cannot be evaluated."""
    match = CALL.search(output)
    if match is None:
        return None
    try:
        return str(calculate(match.group(1)))
    except ValueError:
        return None


def arithmetic_problems(n: int, seed: int = 0, exclude: Sequence[str] = ()) -> list[str]:
    """``n`` distinct problems ``"a?b"`` (two-digit operands, ``?`` one of ``+ - *``), none in
    ``exclude``."""
    rng, low_high = random.Random(seed), SETUP["operands"]
    seen, problems = set(exclude), []
    while len(problems) < n:
        a, b = rng.randint(*low_high), rng.randint(*low_high)
        problem = f"{a}{rng.choice(SETUP['operators'])}{b}"
        if problem not in seen:
            seen.add(problem)
            problems.append(problem)
    return problems


def prompt(problem: str) -> str:
    """The question both formats see: ``问:12+35=?答:``."""
    return f"问:{problem}=?答:"


def target(problem: str, fmt: str) -> str:
    """What the model is tuned to write: the value (``"direct"``) or the call (``"tool"``)."""
    if fmt == "direct":
        return str(calculate(problem))
    if fmt == "tool":
        return f"<calc>{problem}</calc>"
    raise ValueError(f"fmt={fmt!r}: use 'direct' or 'tool'")


def _finetune(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    pairs: Sequence[tuple[str, str]],
    steps: int,
) -> PreTrainedModel:
    """A fine-tuned copy of ``model``: loss on the target tokens and the end token only."""
    import torch

    tuned = copy.deepcopy(model).train()
    opt = torch.optim.AdamW(tuned.parameters(), lr=SETUP["lr"])
    gen = torch.Generator().manual_seed(SETUP["seed"])
    rows = []
    for question, answer in pairs:
        head = [tokenizer.cls_token_id] + tokenizer(question, add_special_tokens=False)["input_ids"]
        tail = tokenizer(answer, add_special_tokens=False)["input_ids"] + [tokenizer.sep_token_id]
        rows.append((head, tail))
    size = SETUP["batch_size"]
    for _ in range(steps):
        batch = [rows[i] for i in torch.randint(len(rows), (size,), generator=gen).tolist()]
        width = max(len(h) + len(t) for h, t in batch)
        ids = torch.full((size, width), tokenizer.pad_token_id)
        labels = torch.full((size, width), -100)
        mask = torch.zeros(size, width, dtype=torch.long)
        for r, (head, tail) in enumerate(batch):
            ids[r, : len(head) + len(tail)] = torch.tensor(head + tail)
            labels[r, len(head) : len(head) + len(tail)] = torch.tensor(tail)
            mask[r, : len(head) + len(tail)] = 1
        loss = tuned(input_ids=ids, attention_mask=mask, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return tuned.eval()


def _greedy(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    questions: Sequence[str],
    max_new_tokens: int = 20,
) -> list[str]:
    """Greedy continuations, batched by prompt length (so nothing is padded), cut at the end
    token."""
    import torch

    heads = [
        [tokenizer.cls_token_id] + tokenizer(q, add_special_tokens=False)["input_ids"]
        for q in questions
    ]
    out: list[str] = [""] * len(heads)
    for length in sorted({len(h) for h in heads}):
        idx = [i for i, h in enumerate(heads) if len(h) == length]
        ids = torch.tensor([heads[i] for i in idx])
        with torch.no_grad():
            gen = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                eos_token_id=tokenizer.sep_token_id,
                pad_token_id=tokenizer.pad_token_id,
            )
        for i, row in zip(idx, gen[:, length:].tolist(), strict=True):
            if tokenizer.sep_token_id in row:
                row = row[: row.index(tokenizer.sep_token_id)]
            out[i] = tokenizer.decode(row).replace(" ", "")
    return out


def tool_use_run(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    fmt: str,
    steps: int,
    n_test: int | None = None,
) -> dict[str, Any]:
    """Fine-tune a copy of ``model`` for ``steps`` on the ``fmt`` targets and score held-out
    problems: ``accuracy`` (final answer equals the true value), for ``"tool"`` also
    ``call_rate`` (outputs with a call that evaluates), and the first outputs as ``examples``."""
    train = arithmetic_problems(SETUP["train_problems"], SETUP["seed"])
    test = arithmetic_problems(SETUP["test_problems"], SETUP["seed"] + 1, exclude=train)
    test = test[:n_test] if n_test is not None else test
    tuned = _finetune(model, tokenizer, [(prompt(p), target(p, fmt)) for p in train], steps)
    outputs = _greedy(tuned, tokenizer, [prompt(p) for p in test])
    answers = [run_call(o) if fmt == "tool" else o for o in outputs]
    truth = [str(calculate(p)) for p in test]
    row: dict[str, Any] = {
        "fmt": fmt,
        "steps": steps,
        "n_test": len(test),
        "accuracy": sum(a == t for a, t in zip(answers, truth, strict=True)) / len(test),
        "examples": [[p, o] for p, o in zip(test[:5], outputs[:5], strict=True)],
    }
    if fmt == "tool":
        row["call_rate"] = sum(a is not None for a in answers) / len(test)
    return row


def load_record(path: Path = RECORD) -> dict[str, Any]:
    """The shipped record of ``python -m lmbook.zoo.toolcall``."""
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both formats at every number of steps in ``SETUP`` and write the record."""
    import torch

    from lmbook.runtime import environment
    from lmbook.zoo.loader import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RECORD)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    model, tokenizer = load("gpt-zh-tiny")
    start, rows = time.perf_counter(), []
    for steps in SETUP["steps"]:
        for fmt in ("direct", "tool"):
            t0 = time.perf_counter()
            rows.append(tool_use_run(model, tokenizer, fmt, steps))
            rows[-1]["wall_s"] = round(time.perf_counter() - t0, 1)
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    record = {
        "config": SETUP,
        **environment(),
        "wall_s": round(time.perf_counter() - start, 1),
        "rows": rows,
    }
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record


if __name__ == "__main__":
    main()
