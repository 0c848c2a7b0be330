"""Hidden checks of book/ch07/7-2-gans-for-language.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-7-2-1
_p = torch.softmax(torch.tensor([1.0, 0.0, -1.0, 2.0], dtype=torch.float64) / 0.5, -1).numpy()
assert np.allclose(probs_T, _p, atol=1e-6), "probs_T = softmax(z / T) with T = 0.5"
assert np.abs(np.asarray(freq_T) - _p).max() < 0.01, "sample argmax(z / T + g), not argmax(z + g)"

# %% ex-7-2-2
_p = torch.softmax(torch.tensor([1.0, 0.0, -1.0, 2.0], dtype=torch.float64), -1)
_f = torch.tensor([0.0, 1.0, 3.0, 0.5], dtype=torch.float64)
_s = ((torch.eye(4, dtype=torch.float64) - _p) ** 2).sum(-1)
assert abs(b_star - float((_p * _f * _s).sum() / (_p * _s).sum())) < 1e-6, "b* = E[f s] / E[s]"
assert var_by_b["optimal"] <= var_by_b["mean"] + 1e-12 <= var_by_b["zero"] + 1e-12
assert var_by_b["optimal"] < var_by_b["zero"], "the optimal baseline lowers the variance"
