"""Hidden checks of book/ch03/3-4-lstm.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-4-2
assert n_lstm == 3364
assert rnn_hidden == 51
