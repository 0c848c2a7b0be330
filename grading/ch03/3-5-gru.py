"""Hidden checks of book/ch03/3-5-gru.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-5-1
assert abs(max_err - 5.960464477539063e-08) <= 1e-4 * 5.960464477539063e-08 + 1e-8

# %% ex-3-5-2
assert set(widths) == {"gru", "lstm", "rnn"} and all(
    widths[k] == v for k, v in {"rnn": 284, "gru": 152, "lstm": 128}.items()
)
