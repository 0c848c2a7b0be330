"""Hidden checks of book/ch01/1-3-core-features.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-1-3-1
assert set(best_size.values()) == {164480}, "at every recorded budget the 1 x 32 model is best"
assert abs(min(best_size) - 1.25e11) < 1e6 and abs(max(best_size) - 2e12) < 1e6, "budgets in FLOPs"

# %% ex-1-3-3
expected = {2: 1.158, 3: 2.727, 4: 4.016, 5: 4.776}
assert all(abs(ngram_gap[k] - v) < 2e-3 for k, v in expected.items()), "test minus train bits/char"
assert all(ngram_gap[k] < ngram_gap[k + 1] for k in (2, 3, 4)), "the gap grows with the order"
