"""lmbook.nn.mlp: the hand-written backward pass equals autograd and finite differences."""

from __future__ import annotations

import math

import pytest
import torch

from lmbook.nn import ACTIVATIONS, ManualMLP, init_weight, softmax_cross_entropy


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives_match_autograd(name: str) -> None:
    z = torch.linspace(-6, 6, 241, dtype=torch.float64, requires_grad=True)
    act = ACTIVATIONS[name]
    ref = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "gelu": torch.nn.functional.gelu,
    }[name]
    torch.testing.assert_close(act.f(z), ref(z))
    (grad,) = torch.autograd.grad(ref(z).sum(), z)
    torch.testing.assert_close(act.df(z.detach()), grad)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backward_matches_autograd(activation: str) -> None:
    g = torch.Generator().manual_seed(0)
    mlp = ManualMLP([7, 5, 4, 3], activation, generator=g, dtype=torch.float64)
    x = torch.randn(6, 7, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    loss, dlogits = softmax_cross_entropy(mlp.forward(x), y)
    mlp.backward(dlogits)
    net = mlp.to_torch()
    ref = torch.nn.functional.cross_entropy(net(x), y)
    torch.testing.assert_close(loss, ref)
    ref.backward()
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for i, lin in enumerate(linears):
        torch.testing.assert_close(mlp.grads[f"W{i}"], lin.weight.grad)
        torch.testing.assert_close(mlp.grads[f"b{i}"], lin.bias.grad)


def test_input_gradient_passes_gradcheck() -> None:
    g = torch.Generator().manual_seed(1)
    mlp = ManualMLP([4, 6, 2], "tanh", generator=g, dtype=torch.float64)

    class Manual(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):  # type: ignore[override]
            return mlp.forward(x)

        @staticmethod
        def backward(ctx, grad):  # type: ignore[override]
            return mlp.backward(grad)

    x = torch.randn(3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(Manual.apply, (x,))


@pytest.mark.parametrize("scheme", ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal"])
def test_init_draws_what_torch_draws(scheme: str) -> None:
    ours = init_weight(300, 200, scheme, torch.Generator().manual_seed(3))
    ref = torch.empty(200, 300)
    fn = {
        "xavier_uniform": torch.nn.init.xavier_uniform_,
        "xavier_normal": torch.nn.init.xavier_normal_,
        "he_uniform": lambda w, generator: torch.nn.init.kaiming_uniform_(
            w, nonlinearity="relu", generator=generator
        ),
        "he_normal": lambda w, generator: torch.nn.init.kaiming_normal_(
            w, nonlinearity="relu", generator=generator
        ),
    }[scheme]
    fn(ref, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(ours, ref)
    var = 2 / 500 if scheme.startswith("xavier") else 2 / 300
    assert math.isclose(ours.var().item(), var, rel_tol=0.05)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="activation"):
        ManualMLP([2, 2], "swish")
    with pytest.raises(ValueError, match="scheme"):
        init_weight(2, 2, "orthogonal")
    with pytest.raises(RuntimeError, match="forward"):
        ManualMLP([2, 2]).backward(torch.zeros(1, 2))
