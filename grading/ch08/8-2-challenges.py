"""Hidden checks of book/ch08/8-2-challenges.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-8-2-1
import unicodedata

expected = span_scores(
    gold, [find_pii(unicodedata.normalize("NFKC", t), RULES) for t, _ in sample], RULES
)
assert all(abs(recall_nfkc[k] - expected[k]["recall"]) < 1e-9 for k in RULES), (
    "normalise each text with NFKC, then find_pii(text, RULES) and span_scores on the same sample"
)
assert recall_nfkc["PHONE"] == 1.0 and recall_nfkc["ID"] == 1.0, (
    "NFKC maps full-width digits to ASCII: every phone and ID number is found"
)
assert recall_nfkc["EMAIL"] < 1.0, "NFKC does not turn (at) into @"

# %% ex-8-2-2
n_q = sum(p.numel() for p in models["Qwen2.5-7B"].parameters())
assert abs(flops_qwen / (6 * n_q * 18e12) - 1) < 1e-6, "C = 6 N D with N from the meta model"
assert abs(tokens_per_param - 18e12 / n_q) < 1e-6 * tokens_per_param, "D / N"
assert abs(gpu_hours_qwen / (6 * n_q * 18e12 / (0.4 * 989e12) / 3600) - 1) < 1e-6, (
    "GPU hours = C / (0.4 * 989e12 FLOP/s) / 3600"
)
