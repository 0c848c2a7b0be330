"""Hidden checks of book/ch05/5-2-methods-and-practice.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-5-2-2
assert by_hand == 18432

# %% ex-5-2-3
assert set(err) == {"NF4", "均匀 4 位"} and all(
    abs(err[k] - v) <= 1e-4 * abs(v) + 1e-8
    for k, v in {"NF4": 0.0027766504790633917, "均匀 4 位": 0.0014093725476413965}.items()
)

# %% ex-5-2-1
assert set(first_grads) == {"both_zero", "a_zero"}
assert first_grads["both_zero"] == (0.0, 0.0)
assert first_grads["a_zero"][0] > 1e-3 and first_grads["a_zero"][1] == 0.0
