"""Few-shot prompting of a causal language model on review sentiment (section 6.1).

``k`` labelled training reviews ("demonstrations") are written in front of the test review, each
as ``review。评价:正面 [SEP]``, and the model scores the label words after the test review with
:func:`lmbook.zoo.label_logprobs` (the in-context learning of GPT-3, Brown et al., 2020). No
weight changes. Which demonstrations are drawn matters, so every ``k`` is run with several seeds;
each run is also calibrated with its own content-free prompt (the same demonstrations, an empty
review; Zhao et al., 2021). ``python -m lmbook.zoo.fewshot`` records every run's predictions in
``lmbook/assets/records/few_shot.json``; section 6.1 reads it and re-runs part of one run live.

    demos = sample_demos(k=2, seed=0)
    prompt = few_shot_prompt(tok, demos, "东西很好,物流也快")
    run = few_shot_run(model, tok, k=2, seed=0, n_test=100)
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = [
    "RECORD",
    "SETUP",
    "few_shot_prompt",
    "few_shot_run",
    "load_record",
    "main",
    "sample_demos",
    "test_indices",
]

RECORD = Path(__file__).resolve().parent.parent / "assets" / "records" / "few_shot.json"

SETUP: dict[str, Any] = {
    "model": "gpt-zh-tiny",
    "template": "{text}。评价:",
    "labels": ["负面", "正面"],  # label 0, label 1
    "demo_tokens": 16,  # each demonstration review is cut to this many tokens
    "query_tokens": 24,  # and the test review to this many: k = 4 still fits in 128 positions
    "shots": [0, 1, 2, 4],
    "seeds": [0, 1, 2, 3, 4],
    "n_test": 600,  # test reviews, in the order of test_indices()
}


def test_indices(n: int | None = None) -> list[int]:
    """Indices of the review test split in a fixed random order (seed 0), the first ``n``.

    The split is stored sorted by class and hash, so a prefix would not be a fair sample."""
    import numpy as np

    from lmbook.data import load_reviews

    order = np.random.default_rng(0).permutation(len(load_reviews()["test"]))
    return order[:n].tolist()


def sample_demos(k: int, seed: int) -> list[tuple[str, int]]:
    """``k`` (review, label) pairs drawn without replacement from the training split."""
    import numpy as np

    from lmbook.data import load_reviews

    train = load_reviews()["train"]
    picks = np.random.default_rng(seed).choice(len(train), size=k, replace=False)
    return [(train[int(i)]["text"], int(train[int(i)]["label"])) for i in picks]


def few_shot_prompt(
    tokenizer: PreTrainedTokenizerBase,
    demos: Sequence[tuple[str, int]],
    text: str,
    setup: dict[str, Any] = SETUP,
) -> list[int]:
    """Token ids ``[BOS] demo_1。评价:w_1 [SEP] ... text。评价:`` (reviews cut to length)."""
    tail = tokenizer(setup["template"].format(text=""), add_special_tokens=False)["input_ids"]

    def body(review: str, room: int) -> list[int]:
        return tokenizer(review, add_special_tokens=False)["input_ids"][:room]

    ids = [tokenizer.cls_token_id]
    for review, label in demos:
        word = tokenizer(setup["labels"][label], add_special_tokens=False)["input_ids"]
        ids += [*body(review, setup["demo_tokens"]), *tail, *word, tokenizer.sep_token_id]
    return [*ids, *body(text, setup["query_tokens"]), *tail]


def few_shot_run(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    k: int,
    seed: int,
    n_test: int | None = None,
    setup: dict[str, Any] = SETUP,
) -> dict[str, Any]:
    """Predictions (0/1) for the first ``n_test`` reviews of :func:`test_indices` with ``k``
    demonstrations drawn with ``seed``: ``raw`` (the likelier label word) and ``calibrated``
    (minus the scores after the content-free prompt, the same demonstrations and no review)."""
    from lmbook.data import load_reviews
    from lmbook.zoo.scoring import label_logprobs

    test = load_reviews()["test"]
    rows = test_indices(n_test if n_test is not None else setup["n_test"])
    demos = sample_demos(k, seed)
    prompts = [few_shot_prompt(tokenizer, demos, test[i]["text"], setup) for i in rows]
    scores = label_logprobs(model, tokenizer, prompts, setup["labels"])
    free = label_logprobs(
        model, tokenizer, [few_shot_prompt(tokenizer, demos, "", setup)], setup["labels"]
    )
    return {
        "k": k,
        "seed": seed,
        "demo_labels": [y for _, y in demos],
        "raw": scores.argmax(-1).tolist(),
        "calibrated": (scores - free).argmax(-1).tolist(),
    }


def load_record(path: Path = RECORD) -> dict[str, Any]:
    """The shipped record of ``python -m lmbook.zoo.fewshot``."""
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every ``k`` of ``SETUP`` (``k = 0`` once, the others with every seed); write a record."""
    import torch

    from lmbook.data import load_reviews
    from lmbook.runtime import environment
    from lmbook.zoo.loader import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RECORD)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    model, tokenizer = load(SETUP["model"])
    test = load_reviews()["test"]
    start, runs = time.perf_counter(), []
    for k in SETUP["shots"]:
        for seed in SETUP["seeds"] if k else SETUP["seeds"][:1]:
            t0 = time.perf_counter()
            runs.append(few_shot_run(model, tokenizer, k, seed))
            runs[-1]["wall_s"] = round(time.perf_counter() - t0, 1)
            print(k, seed, runs[-1]["wall_s"], flush=True)
    record = {
        "config": SETUP,
        **environment(),
        "wall_s": round(time.perf_counter() - start, 1),
        "labels": [int(test[i]["label"]) for i in test_indices(SETUP["n_test"])],
        "runs": runs,
    }
    args.out.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return record


if __name__ == "__main__":
    main()
