# %% ex-4-4-1
_ref_weighted = skm.f1_score(flat_gold, flat_pred, labels=tag_labels, average="weighted")
assert abs(f1_weighted - _ref_weighted) < 1e-9, f"weighted F1 should be {_ref_weighted:.6f}"
_ref_macro = skm.f1_score(flat_gold, flat_pred, labels=tag_labels, average="macro")
assert abs(f1_macro - _ref_macro) < 1e-9, f"macro F1 should be {_ref_macro:.6f}"

# %% ex-4-4-2
_nb, _lr = pred_nb["validation"] == yv, pred_lr["validation"] == yv
assert (b, c) == (int((_nb & ~_lr).sum()), int((~_nb & _lr).sum())), (
    "b counts only-NB-right, c only-LR-right"
)
assert abs(p_value - stats.binomtest(b, b + c, 0.5).pvalue) < 1e-12, "exact two-sided binomial p"
