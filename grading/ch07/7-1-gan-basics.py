"""Hidden checks of book/ch07/7-1-gan-basics.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-7-1-1
_p = np.array([0.5, 0.3, 0.2, 0.0])
_q = np.array([0.1, 0.2, 0.3, 0.4])
assert np.allclose(d_star_ex, _p / (_p + _q)), "D* = p / (p + q)"
assert abs(js_ex - jensenshannon(_p, _q) ** 2) < 1e-9, "jensenshannon returns sqrt(JS): square it"
assert abs(value_ex - (-math.log(4) + 2 * js_ex)) < 1e-9, "V(D*, G) = -log 4 + 2 JS"

# %% ex-7-1-3
_mu = torch.tensor(4.0, requires_grad=True)
_out = disc_1d(_mu + 1.2 * z_1d)
_gs = torch.autograd.grad(g_loss_saturating(_out), _mu, retain_graph=True)[0].item()
_gn = torch.autograd.grad(g_loss_nonsaturating(_out), _mu)[0].item()
assert abs(grad_sat_far - _gs) < 1e-5 and abs(grad_ns_far - _gn) < 1e-5, "gradients w.r.t. mu at 4"
assert abs(ratio_far - abs(_gs / _gn)) < 1e-5, "ratio = |saturating| / |non-saturating|"
assert ratio_far < abs(g_mu_sat.item() / g_mu_ns.item()), "farther away, the ratio is smaller"
