"""Hidden checks of book/ch03/3-2-cnn.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-2-2
assert n_full == 20544, "64 * 64 * 5 + 64"
assert n_separable == 4544, "depthwise 64 * 5 + 64, pointwise 64 * 64 + 64"
assert 0 <= max_err < 1e-4, "the from-scratch separable convolution must match torch.nn"
