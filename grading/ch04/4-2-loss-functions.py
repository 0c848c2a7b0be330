"""Hidden checks of book/ch04/4-2-loss-functions.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-4-2-1
assert abs(p_best - (1 - 0.2 + 0.2 / 7)) < 1e-4, "p_y = 1 - eps + eps / K"
assert abs(gap_best - math.log((1 - 0.2 + 0.2 / 7) / (0.2 / 7))) < 1e-3, (
    "gap = log(p_y / (eps / K))"
)

# %% ex-4-2-2
assert abs(ppl - math.exp(out.loss.item())) < 1e-6 * ppl, "perplexity = exp(loss)"
assert abs(bits_per_token - out.loss.item() / math.log(2)) < 1e-6, "bits = nats / ln 2"
assert abs(ratio - math.exp(-0.05)) < 1e-6, "ratio = exp(-0.05)"
