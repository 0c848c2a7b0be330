"""Hidden checks of book/ch01/1-2-definition-and-types.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-1-2-1
assert n_12_layers == 2_986_368, "V d + P d + 12 (12 d^2 + 13 d) + 2 d with V=4613, P=128, d=128"
assert abs(non_embedding_share - 0.7968) < 1e-3, "non-embedding share of the 12-layer model"

# %% ex-1-2-2
assert cross_params == 32_768, "2 layers x 4 matrices x 64 x 64, no biases"
