"""How long loading a shipped model takes, offline, in a fresh Python process.

    python benchmarks/zoo_load.py

For each shipped model and head, a new interpreter imports ``torch`` and ``transformers`` (timed
apart: every notebook pays that once anyway), then times the first ``lmbook.zoo.load`` call
(which includes ``transformers`` importing its code for the architecture, e.g. ``modeling_gpt2``)
and a second call in the same process (reading config, weights and tokenizer only). Medians of
5 fresh processes. ``HF_HUB_OFFLINE=1`` makes any network access an error.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

PROBE = """
import json, time
t0 = time.perf_counter()
import torch, transformers
t1 = time.perf_counter()
from lmbook.zoo import load
load({name!r}, {task!r}, **{labels!r})
t2 = time.perf_counter()
load({name!r}, {task!r}, **{labels!r})
t3 = time.perf_counter()
print(json.dumps({{"imports": t1 - t0, "first": t2 - t1, "again": t3 - t2}}))
"""
CASES = [
    ("gpt-zh-tiny", "causal-lm", {}),
    ("gpt-zh-tiny", "sequence-classification", {"num_labels": 2}),
    ("bert-zh-tiny", "masked-lm", {}),
    ("bert-zh-tiny", "sequence-classification", {"num_labels": 2}),
    ("bert-zh-tiny", "token-classification", {"num_labels": 7}),
]


def measure(name: str, task: str, labels: dict, runs: int = 5) -> dict[str, float]:
    """Median seconds (imports, first load, second load) over ``runs`` fresh processes."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    code = PROBE.format(name=name, task=task, labels=labels)
    samples = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout.splitlines()[-1]
        )
        for _ in range(runs)
    ]
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def main() -> None:
    """Print one line per model and head."""
    columns = ("import torch+transformers", "first load", "again")
    print(f"{'model':13s} {'task':24s} {columns[0]:>26s} {columns[1]:>11s} {columns[2]:>7s}")
    for name, task, labels in CASES:
        t = measure(name, task, labels)
        print(f"{name:13s} {task:24s} {t['imports']:25.2f}s {t['first']:10.2f}s {t['again']:6.3f}s")


if __name__ == "__main__":
    main()
