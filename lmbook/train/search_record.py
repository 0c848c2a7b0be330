"""The recorded experiments of section 4.4: hyper-parameter searches and fitting curves.

    python -m lmbook.train.search_record [--repeats 8] [--trials 16]

The model is TF-IDF over character n-grams + logistic regression on the review corpus
(:class:`ReviewTask`), quick enough for hundreds of trials on one CPU thread. Grid, random and
Bayesian (TPE) search, all through ``optuna``'s samplers, search the same box with the same number
of trials (the grid puts 4 log-spaced values of ``C`` on the box's range) and are repeated with
different seeds; every trial is chosen by its validation accuracy alone. The
test accuracy of every trial is recorded too, but only to show how optimistic choosing on the
test split would be; a search reports the test score of the configuration validation chose.
Two curves show under- and over-fitting: a decision tree against its number of leaves (model
size) and the logistic regression against the size of its training set.

Writes ``lmbook/assets/records/search.json`` (config, hardware, versions, wall times, every
trial's scores). The notebook reads it with :func:`load_search_record` and re-runs a few trials
live with the same functions (liblinear and the samplers are deterministic given the seed).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "GRID",
    "RECORD",
    "ReviewTask",
    "data_size_curve",
    "load_search_record",
    "model_size_curve",
    "run_search",
]

RECORD = Path(__file__).resolve().parents[1] / "assets" / "records" / "search.json"
C_RANGE = (1e-2, 1e2)
# The grid: 4 x 2 x 2 = 16 points spanning the box that random and TPE search (C on a log scale:
# 0.01, 0.215, 4.64, 100), so that every sampler sees the same search space.
GRID: dict[str, list[Any]] = {
    "C": [float(c) for c in np.geomspace(*C_RANGE, 4)],
    "ngram_max": [1, 2],
    "sublinear_tf": [False, True],
}
TPE_STARTUP = 5  # random trials before TPE starts modelling (optuna's default is 10)
SAMPLERS = ("grid", "random", "tpe")


class ReviewTask:
    """Review sentiment with TF-IDF character n-grams and logistic regression (liblinear).

    Features are built once per ``(ngram_max, sublinear_tf)`` from the training texts and
    cached; scores of a configuration are cached too, so repeated grid points cost nothing.
    """

    def __init__(self) -> None:
        from lmbook.data import load_reviews

        data = load_reviews()
        self.texts = {split: list(data[split]["text"]) for split in data}
        self.labels = {split: np.asarray(data[split]["label"]) for split in data}
        self._features: dict[tuple[int, bool], dict[str, Any]] = {}
        self._scores: dict[tuple[float, int, bool], dict[str, float]] = {}

    def features(self, ngram_max: int, sublinear_tf: bool) -> dict[str, Any]:
        """Sparse TF-IDF matrices of every split (vocabulary and idf from the training split)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        key = (ngram_max, sublinear_tf)
        if key not in self._features:
            vec = TfidfVectorizer(
                analyzer="char", ngram_range=(1, ngram_max), sublinear_tf=sublinear_tf
            )
            vec.fit(self.texts["train"])
            self._features[key] = {s: vec.transform(t) for s, t in self.texts.items()}
        return self._features[key]

    def fit(self, C: float, ngram_max: int, sublinear_tf: bool, rows: Any = None) -> Any:
        """A fitted ``LogisticRegression`` (all training rows, or those indexed by ``rows``)."""
        from sklearn.linear_model import LogisticRegression

        x, y = self.features(ngram_max, sublinear_tf)["train"], self.labels["train"]
        if rows is not None:
            x, y = x[rows], y[rows]
        return LogisticRegression(C=C, solver="liblinear", random_state=0).fit(x, y)

    def score(self, C: float, ngram_max: int, sublinear_tf: bool) -> dict[str, float]:
        """Accuracy on the train, validation and test splits of one configuration."""
        key = (float(C), int(ngram_max), bool(sublinear_tf))
        if key not in self._scores:
            model = self.fit(*key)
            feats = self.features(ngram_max, sublinear_tf)
            self._scores[key] = {
                s: float(np.mean(model.predict(feats[s]) == self.labels[s]))
                for s in ("train", "validation", "test")
            }
        return self._scores[key]


def run_search(task: ReviewTask, sampler: str, n_trials: int, seed: int) -> list[dict[str, Any]]:
    """One search with ``optuna``: every trial's parameters, validation and test accuracy.

    ``sampler``: ``"grid"`` (:data:`GRID` in an order shuffled by ``seed``), ``"random"`` or
    ``"tpe"`` (random for :data:`TPE_STARTUP` trials, then TPE), maximising validation accuracy.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    samplers = {
        "grid": lambda: optuna.samplers.GridSampler(GRID, seed=seed),
        "random": lambda: optuna.samplers.RandomSampler(seed=seed),
        "tpe": lambda: optuna.samplers.TPESampler(seed=seed, n_startup_trials=TPE_STARTUP),
    }
    if sampler not in samplers:
        raise ValueError(f"sampler {sampler!r} is not one of {SAMPLERS}.")

    def objective(trial: optuna.Trial) -> float:
        params = {
            "C": trial.suggest_float("C", *C_RANGE, log=True),
            "ngram_max": trial.suggest_categorical("ngram_max", GRID["ngram_max"]),
            "sublinear_tf": trial.suggest_categorical("sublinear_tf", GRID["sublinear_tf"]),
        }
        return task.score(**params)["validation"]

    study = optuna.create_study(direction="maximize", sampler=samplers[sampler]())
    study.optimize(objective, n_trials=n_trials)
    # the test accuracy of every trial is recorded only to show what choosing on it would do
    return [
        {"params": t.params, "validation": t.value, "test": task.score(**t.params)["test"]}
        for t in study.trials
    ]


def model_size_curve(
    task: ReviewTask, leaves: list[int], max_features: int = 3000
) -> list[dict[str, Any]]:
    """Train and validation accuracy of a decision tree against its number of leaves.

    The tree reads TF-IDF character 1-2-grams (the ``max_features`` most frequent); more leaves
    is a bigger model, and past some size it fits the training set's noise.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.tree import DecisionTreeClassifier

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), max_features=max_features)
    x_train = vec.fit_transform(task.texts["train"])
    x_val = vec.transform(task.texts["validation"])
    rows = []
    for n in leaves:
        tree = DecisionTreeClassifier(max_leaf_nodes=n, random_state=0)
        tree.fit(x_train, task.labels["train"])
        rows.append(
            {
                "leaves": n,
                "train": float(tree.score(x_train, task.labels["train"])),
                "validation": float(tree.score(x_val, task.labels["validation"])),
            }
        )
    return rows


def data_size_curve(
    task: ReviewTask, fractions: list[float], repeats: int, C: float = 1.0
) -> list[dict[str, Any]]:
    """Train and validation accuracy of the logistic regression against the training set size.

    Character 1-2-grams (``sublinear_tf``; the vocabulary is the full training split's, built
    without labels); each size is a random subset, drawn ``repeats`` times with seeds 0, 1, ...
    """
    feats, n_train = task.features(2, True), len(task.labels["train"])
    rows = []
    for frac in fractions:
        for seed in range(repeats):
            idx = np.random.default_rng(seed).permutation(n_train)[: round(frac * n_train)]
            model = task.fit(C, 2, True, rows=idx)
            rows.append(
                {
                    "fraction": frac,
                    "seed": seed,
                    "n": len(idx),
                    "train": float(model.score(feats["train"][idx], task.labels["train"][idx])),
                    "validation": float(
                        model.score(feats["validation"], task.labels["validation"])
                    ),
                }
            )
    return rows


def baselines(task: ReviewTask) -> dict[str, dict[str, float]]:
    """Validation and test accuracy of the majority class, naive Bayes and the default LR."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    y = task.labels
    majority = int(np.bincount(y["train"]).argmax())
    counts = CountVectorizer(analyzer="char", ngram_range=(1, 2)).fit(task.texts["train"])
    nb = MultinomialNB().fit(counts.transform(task.texts["train"]), y["train"])
    out = {"majority": {}, "naive_bayes": {}}
    for s in ("validation", "test"):
        out["majority"][s] = float(np.mean(y[s] == majority))
        out["naive_bayes"][s] = float(nb.score(counts.transform(task.texts[s]), y[s]))
    default = task.score(C=1.0, ngram_max=2, sublinear_tf=False)
    out["logreg_default"] = {s: default[s] for s in ("validation", "test")}
    return out


def load_search_record() -> dict[str, Any]:
    """The record written by ``python -m lmbook.train.search_record``."""
    return json.loads(RECORD.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> None:
    """Run every search and curve and write :data:`RECORD`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--trials", type=int, default=16)
    args = parser.parse_args(argv)
    import threadpoolctl
    import torch

    from lmbook.runtime import environment

    threadpoolctl.threadpool_limits(1)
    torch.set_num_threads(1)  # nothing here uses torch; this makes the recorded thread count true
    start = time.perf_counter()
    task = ReviewTask()
    record: dict[str, Any] = {
        "config": {
            "repeats": args.repeats,
            "trials": args.trials,
            "grid": GRID,
            "C_range": list(C_RANGE),
            "tpe_startup_trials": TPE_STARTUP,
            "model": "TF-IDF char n-grams (1..ngram_max) + LogisticRegression(liblinear)",
            "objective": "validation accuracy",
        },
        **environment(("numpy", "scipy", "scikit-learn", "optuna")),
        "baselines": baselines(task),
        "searches": {},
        "wall_s": {},
    }
    for sampler in SAMPLERS:
        t0 = time.perf_counter()
        runs = []
        for seed in range(args.repeats):
            trials = run_search(task, sampler, args.trials, seed)
            best = max(trials, key=lambda t: t["validation"])  # first of equals: optuna's rule
            runs.append(
                {
                    "seed": seed,
                    "trials": trials,
                    "best_params": best["params"],
                    "best_validation": best["validation"],
                    "test_of_best": task.score(**best["params"])["test"],
                }
            )
        record["searches"][sampler] = runs
        record["wall_s"][sampler] = round(time.perf_counter() - t0, 1)
        print(sampler, record["wall_s"][sampler], flush=True)
    t0 = time.perf_counter()
    record["model_size"] = model_size_curve(task, [2**k for k in range(1, 12)])
    record["wall_s"]["model_size"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    fractions = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    record["data_size"] = data_size_curve(task, fractions, repeats=3)
    record["wall_s"]["data_size"] = round(time.perf_counter() - t0, 1)
    record["wall_s"]["total"] = round(time.perf_counter() - start, 1)
    RECORD.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("total", record["wall_s"]["total"], flush=True)


if __name__ == "__main__":
    main()
