"""Hidden checks of book/ch03/3-1-neural-networks.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-1-2
assert abs(tail_factor["xavier_normal"] - 0.5) < 0.03, "Xavier + GELU: the std halves per layer"
assert 0.65 < tail_factor["he_normal"] < 0.95, "He + GELU: shrinks too, about 1/sqrt(2) per layer"
assert tail_factor["he_normal"] > tail_factor["xavier_normal"] + 0.1, "He shrinks more slowly"

# %% ex-3-1-3
assert 0 < max_rel_error < 1e-6, "central differences in float64 agree to about 1e-9"
