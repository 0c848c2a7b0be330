# %% ex-4-3-1
torch.manual_seed(0)
_net = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
_x, _y = torch.randn(64, 5), torch.randn(64, 1)
_opt = torch.optim.Adagrad(_net.parameters(), lr=0.1, eps=1e-10)
_rows = []
for _ in range(20):
    _opt.zero_grad()
    torch.nn.functional.mse_loss(_net(_x), _y).backward()
    _opt.step()
    _rows.append(torch.cat([p.detach().flatten() for p in _net.parameters()]))
_ref = torch.stack(_rows)
assert torch.allclose(adagrad_trace, _ref, rtol=1e-5, atol=1e-6), (
    "adagrad_trace differs from torch.optim.Adagrad(lr=0.1, eps=1e-10) on the same net and data"
)

# %% ex-4-3-2
assert t_max == 13, f"t_max should be 13 for beta1=0.9, beta2=0.99, got {t_max}"
assert abs(ratio_max - 2.1311) < 1e-3, f"ratio_max should be about 2.131, got {ratio_max}"
