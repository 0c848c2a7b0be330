"""Hidden checks of book/ch06/6-3-sentiment-analysis.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-6-3-1
_words = ("但", "不过", "可是", "然而", "却")
_mask = np.array([any(w in t for w in _words) for t in test_text])
assert (contrast_mask == _mask).all(), "a review is in the slice iff it contains one of the words"
assert abs(acc_contrast_lr - float(np.mean(lr_pred[_mask] == y_test[_mask]))) < 1e-9, (
    "LR slice accuracy"
)
assert abs(acc_contrast_bert - float(np.mean(bert_pred[_mask] == y_test[_mask]))) < 1e-9, (
    "BERT slice accuracy"
)
assert acc_contrast_lr < acc_lr and acc_contrast_bert < acc_bert, (
    "both models are worse on the slice"
)

# %% ex-6-3-2
_before = float(p_bert.max(1).mean() - (p_bert.argmax(1) == y_test).mean())
assert abs(ece_mass_before - _before) < 1e-9, (
    "before scaling every bin is overconfident: ECE = conf - acc"
)
_p = softmax(test_logits / T, axis=1)
_conf, _ok = _p.max(1), (_p.argmax(1) == y_test)
_bins = np.array_split(np.argsort(_conf, kind="stable"), 10)
_ece = sum(len(k) / len(_conf) * abs(_ok[k].mean() - _conf[k].mean()) for k in _bins)
assert abs(ece_mass_after - _ece) < 1e-9, "equal-mass ECE after temperature scaling"
