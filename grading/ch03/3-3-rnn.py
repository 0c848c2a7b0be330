"""Hidden checks of book/ch03/3-3-rnn.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-3-2
assert abs(max_abs_diff - 0.0) <= 1e-4 * 0.0 + 1e-8
assert n_params == 2200
