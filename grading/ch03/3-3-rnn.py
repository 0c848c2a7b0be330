"""Hidden checks of book/ch03/3-3-rnn.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-3-2
assert 0 <= max_abs_diff < 1e-5, "the from-scratch ReLU RNN must match torch.nn.RNN"
assert n_params == 2200, "no biases: 20*(10+20) + 2 * 20*(20+20)"
