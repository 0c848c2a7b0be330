"""Hidden checks of book/ch03/3-4-lstm.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-4-2
assert n_lstm == 9690, "4 * (40 * (16 + 40) + 2 * 40) + 40 * 10 + 10"
assert rnn_hidden == 85, "85 hidden units: 9615 parameters, the closest to 9690"
