"""lmbook.linalg.lowrank: Eckart–Young on random matrices, factorisations, energy, counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmbook.linalg.lowrank import (
    energy_fraction,
    factorize,
    frobenius_error,
    low_rank_approx,
    lowrank_param_count,
    rank_for_energy,
    tail_energy,
    truncated_svd,
)


@pytest.fixture
def w() -> torch.Tensor:
    return torch.randn(30, 20, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


def test_truncated_svd_shapes_and_orthonormal_factors(w):
    u, s, vh = truncated_svd(w, 5)
    assert (u.shape, s.shape, vh.shape) == ((30, 5), (5,), (5, 20))
    torch.testing.assert_close(u.T @ u, torch.eye(5, dtype=w.dtype))
    torch.testing.assert_close(vh @ vh.T, torch.eye(5, dtype=w.dtype))
    assert bool((s[:-1] >= s[1:]).all())


def test_full_rank_reconstructs(w):
    torch.testing.assert_close(low_rank_approx(w, 20), w)


def test_eckart_young_error_equals_tail_energy(w):
    s = torch.linalg.svdvals(w)
    for k in (0, 1, 7, 19, 20):
        approx = low_rank_approx(w, k)
        assert int(torch.linalg.matrix_rank(approx)) == k
        assert frobenius_error(w, approx) == pytest.approx(tail_energy(s, k), rel=1e-10, abs=1e-10)


def test_truncated_svd_beats_other_rank_k_approximations(w):
    gen = torch.Generator().manual_seed(1)
    k = 5
    best = frobenius_error(w, low_rank_approx(w, k))
    for _ in range(20):
        # the best approximation within a random k-dimensional column space: Q Q^T W
        q, _ = torch.linalg.qr(torch.randn(30, k, generator=gen, dtype=w.dtype))
        assert frobenius_error(w, q @ q.T @ w) > best


def test_factorize_gives_the_truncated_svd(w):
    b, a = factorize(w, 4)
    assert b.shape == (30, 4) and a.shape == (4, 20)
    torch.testing.assert_close(b @ a, low_rank_approx(w, 4))


def test_numpy_input_is_accepted(w):
    torch.testing.assert_close(low_rank_approx(w.numpy(), 3), low_rank_approx(w, 3))
    int_matrix = low_rank_approx(np.eye(3, dtype=np.int64), 2)
    assert int_matrix.is_floating_point()


def test_energy_fraction_and_rank_for_energy():
    s = torch.tensor([3.0, 2.0, 1.0])  # energies 9, 4, 1 out of 14
    torch.testing.assert_close(
        energy_fraction(s), torch.tensor([9, 13, 14], dtype=torch.float64) / 14
    )
    assert rank_for_energy(s, 9 / 14) == 1
    assert rank_for_energy(s, 0.65) == 2
    assert rank_for_energy(s, 0.95) == 3
    assert rank_for_energy(s, 1.0) == 3


def test_lowrank_param_count():
    assert lowrank_param_count(4096, 4096, 8) == 65_536
    assert lowrank_param_count(3, 5, 2) == 2 * 3 + 2 * 5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: truncated_svd(torch.ones(2, 3), 3), "rank k"),
        (lambda: truncated_svd(torch.ones(2, 3, 4), 1), "2-D"),
        (lambda: frobenius_error(torch.ones(2, 3), torch.ones(3, 2)), "shapes differ"),
        (lambda: tail_energy(torch.ones(2, 2), 1), "1-D"),
        (lambda: tail_energy(torch.ones(2), 3), "k must be"),
        (lambda: energy_fraction(torch.zeros(3)), "zero matrix"),
        (lambda: rank_for_energy(torch.ones(3), 1.5), "fraction"),
        (lambda: lowrank_param_count(0, 4, 2), "positive"),
    ],
)
def test_errors_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()
