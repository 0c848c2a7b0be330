"""Hidden checks of book/ch03/3-2-cnn.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-2-2
assert n_full == 20544
assert n_separable == 4544
assert abs(max_err - 2.384185791015625e-07) <= 1e-4 * 2.384185791015625e-07 + 1e-8
