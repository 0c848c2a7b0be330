"""Hidden checks of book/ch06/6-2-text-classification.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-6-2-1
_merge = np.arange(len(HELP_MODULES))
_merge[HELP_MODULES.index("sdraw")] = HELP_MODULES.index("simpress")
_kept = sorted(set(_merge.tolist()))
assert (
    abs(merged_f1 - skm.f1_score(_merge[y_test], _merge[pred_tfidf], labels=_kept, average="macro"))
    < 1e-6
), "macro-F1 over the 6 classes after mapping Draw to Impress in labels and predictions"
assert (
    abs(
        merged_class_f1
        - skm.f1_score(
            _merge[y_test],
            _merge[pred_tfidf],
            labels=[HELP_MODULES.index("simpress")],
            average=None,
        )[0]
    )
    < 1e-6
), "F1 of the merged Impress+Draw class"

# %% ex-6-2-2
_scores = label_logprobs(
    gpt, gpt_tok, zero_shot_prompts(data["test"]["text"][::40]), list(HELP_LABEL_WORDS), "mean"
)
_pred = _scores.argmax(-1).numpy()
assert (np.asarray(pred_mean) == _pred).mean() > 0.98, "argmax of the per-token mean scores"
assert abs(share_hong - np.mean(_pred == HELP_LABEL_WORDS.index("宏"))) < 0.01, "share of 宏"
assert (
    abs(f1_mean - skm.f1_score(y_test[::40], _pred, labels=list(range(7)), average="macro")) < 0.01
), "macro-F1 over the 7 classes on the subset"
