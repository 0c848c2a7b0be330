"""Hidden checks of book/ch05/5-3-application-cases.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-5-3-1
assert abs(early - 0.27221556194944585) <= 1e-4 * 0.27221556194944585 + 1e-8
assert abs(late - 1.0355433166160082) <= 1e-4 * 1.0355433166160082 + 1e-8

# %% ex-5-3-2
assert set(extra) == {
    "base_model.model.classifier.modules_to_save.default.bias",
    "base_model.model.classifier.modules_to_save.default.weight",
} and all(
    extra[k] == v
    for k, v in {
        "base_model.model.classifier.modules_to_save.default.weight": 896,
        "base_model.model.classifier.modules_to_save.default.bias": 7,
    }.items()
)
assert lora_n == 55296
assert (
    set(recorded_ner)
    == {
        "case",
        "checkpoint_bytes",
        "final_loss",
        "method",
        "metric",
        "peak_bytes",
        "total",
        "train_seconds",
        "trainable",
        "value",
    }
    and all(
        recorded_ner[k] == v
        for k, v in {
            "case": "ner",
            "method": "lora",
            "trainable": 56199,
            "total": 1259278,
            "metric": "test entity F1",
            "checkpoint_bytes": 229900,
            "peak_bytes": 78057904,
        }.items()
    )
    and all(
        abs(recorded_ner[k] - v) <= 1e-4 * abs(v) + 1e-8
        for k, v in {
            "final_loss": 0.0815,
            "train_seconds": 39.0,
            "value": 0.46577571179546784,
        }.items()
    )
)
