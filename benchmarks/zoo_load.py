"""How long loading a shipped model takes, offline, in a fresh Python process.

    python benchmarks/zoo_load.py

For each shipped model and head, a new interpreter imports ``torch`` and ``transformers`` (timed
apart: every notebook pays that once anyway), then times ``lmbook.zoo.load`` (median of the
first call in 5 fresh processes). ``HF_HUB_OFFLINE=1`` makes any network access an error.
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
print(json.dumps({{"imports": t1 - t0, "load": t2 - t1}}))
"""
CASES = [
    ("gpt-zh-tiny", "causal-lm", {}),
    ("gpt-zh-tiny", "sequence-classification", {"num_labels": 2}),
    ("bert-zh-tiny", "masked-lm", {}),
    ("bert-zh-tiny", "sequence-classification", {"num_labels": 2}),
    ("bert-zh-tiny", "token-classification", {"num_labels": 7}),
]


def measure(name: str, task: str, labels: dict, runs: int = 5) -> dict[str, float]:
    """Median import and load seconds over ``runs`` fresh processes."""
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
    return {key: statistics.median(s[key] for s in samples) for key in ("imports", "load")}


def main() -> None:
    """Print one line per model and head."""
    print(f"{'model':14s} {'task':25s} {'import torch+transformers':>26s} {'lmbook.zoo.load':>16s}")
    for name, task, labels in CASES:
        t = measure(name, task, labels)
        print(f"{name:14s} {task:25s} {t['imports']:25.2f}s {t['load']:15.3f}s")


if __name__ == "__main__":
    main()
