"""Hidden checks of book/ch01/1-1-history.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-1-1-1
assert separable_in_hidden, "in the hidden layer's coordinates XOR is linearly separable"
assert abs(hidden).max() <= 1.0, "tanh activations lie in [-1, 1]"

# %% ex-1-1-2
import itertools  # noqa: E402 (the student may not have imported it)

assert parity3_status == 2, "3-bit parity is not linearly separable: linprog reports infeasible"
_x = np.array(list(itertools.product([0, 1], repeat=3)), dtype=float)
_rows = np.where(_x.sum(1) % 2 == 1, 1, -1)[:, None] * np.hstack([_x, np.ones((8, 1))])
_lam = np.asarray(certificate, dtype=float)
assert (_lam >= 0).all() and _lam.sum() > 0, "λ ≥ 0 and λ ≠ 0"
assert abs(_lam @ _rows).max() < 1e-9 * max(1.0, _lam.sum()), "λᵀA = 0 (points in product order)"
