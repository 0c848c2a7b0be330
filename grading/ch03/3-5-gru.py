"""Hidden checks of book/ch03/3-5-gru.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-5-1
assert max_err < 1e-6
_gen = torch.Generator().manual_seed(11)
_gru = torch.nn.GRU(5, 7)
_w = {k: v.detach().clone() for k, v in _gru.state_dict().items()}
for _k in _w:
    _w[_k][7:14] *= -1  # the update-gate block, flipped
_xs = torch.randn(12, 3, 5, generator=_gen)
_h = torch.zeros(3, 7)
for _t in range(12):
    _h = gru_cell_chung(
        _xs[_t], _h, _w["weight_ih_l0"], _w["weight_hh_l0"], _w["bias_ih_l0"], _w["bias_hh_l0"]
    )
assert (_h - _gru(_xs)[1][0]).abs().max() < 1e-5, (
    "with the z block negated it must match torch.nn.GRU"
)

# %% ex-3-5-2
assert widths == {"rnn": 284, "gru": 152, "lstm": 128}
