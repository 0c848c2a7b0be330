"""Hidden checks of book/ch03/3-1-neural-networks.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-1-2
assert set(tail_factor) == {"he_normal", "xavier_normal"} and all(
    abs(tail_factor[k] - v) <= 1e-4 * abs(v) + 1e-8
    for k, v in {"xavier_normal": 0.5019044767651462, "he_normal": 0.7059123163196297}.items()
)

# %% ex-3-1-3
assert abs(max_rel_error - 6.72804376376066e-09) <= 1e-4 * 6.72804376376066e-09 + 1e-8
