"""Hidden checks of book/ch03/3-6-self-attention.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-6-2
_pe = sinusoidal_encoding(128, 64).double()
_R = torch.as_tensor(R, dtype=torch.float64)
assert (_pe[5:].T - _R @ _pe[:-5].T).abs().max() < 1e-5, "R must map PE_p to PE_(p+5)"
assert torch.allclose(_R @ _R.T, torch.eye(64, dtype=torch.float64), atol=1e-6), "R is a rotation"
assert 0 <= max_err < 1e-5, "the error comes only from float32 storage"

# %% ex-3-6-3
assert d == 768
assert n_small == 7087872, "12 d^2 + 13 d"
assert n_gpt2_small == 124439808, "12 blocks + token and position embeddings + ln_f (2d)"
