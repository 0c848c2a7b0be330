"""Hidden checks of book/ch07/7-3-gan-improvements.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-7-3-1
assert abs(lower_ex - (fake_v.mean().item() - real_v.mean().item())) < 1e-5, "E_p f - E_q f, f = -x"
assert lower_ex <= w1 + 1e-6, "a 1-Lipschitz critic gives a lower bound of W1"
assert abs(lower_ex - w1) < 0.01, "here the mean difference is W1 itself"

# %% ex-7-3-2
seed_everything(0)
_plain = make_mlp(2, 1, 64)
_bound = math.prod(
    torch.linalg.svdvals(m.weight)[0].item() for m in _plain if isinstance(m, nn.Linear)
)
assert abs(bound_ex - _bound) < 1e-4 * _bound, "product of the three largest singular values"
assert measured_ex <= bound_ex, "the measured slope never exceeds the bound"
assert measured_ex < bound_ex / 2, "the bound is loose"
