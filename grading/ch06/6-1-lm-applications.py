"""Hidden checks of book/ch06/6-1-lm-applications.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-6-1-1
_total = np.array([-lp.sum() for lp in gpt_lps])
assert abs(auc_total - sklearn.metrics.roc_auc_score(is_out, _total)) < 1e-9, (
    "auc_total: ROC AUC of the summed negative log-likelihood of each line"
)
assert abs(auc_length - sklearn.metrics.roc_auc_score(is_out, [len(t) for t in lines])) < 1e-9, (
    "auc_length: ROC AUC of the number of characters of each line"
)
assert auc_total < filter_auc["GPT 困惑度"] - 0.1, "the sum separates worse than the mean"
assert abs(auc_length - 0.5) < 0.1, "line length alone barely separates the two groups"

# %% ex-6-1-2
assert abs(threshold - np.quantile(gpt_nll[is_out == 0], 0.95)) < 1e-9, (
    "threshold: the 0.95 quantile of the in-domain per-token NLL"
)
assert abs(removed_out - np.mean(gpt_nll[is_out == 1] > threshold)) < 1e-9, (
    "removed_out: share of out-of-domain lines above the threshold"
)
assert removed_out < 0.5 < filter_auc["GPT 困惑度"] - 0.3, (
    "at 5% in-domain loss only a small share of the out-of-domain lines goes, despite AUC > 0.8"
)
