"""Hidden checks of book/tour.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-tour-1
assert abs(ngram_reviews - 7.871551992865099) <= 1e-4 * 7.871551992865099 + 1e-8

# %% ex-tour-2
assert set(deltas) == {64, 8} and all(
    abs(deltas[k] - v) <= 1e-4 * abs(v) + 1e-8
    for k, v in {8: 0.006070464849472046, 64: 2.086162567138672e-07}.items()
)
