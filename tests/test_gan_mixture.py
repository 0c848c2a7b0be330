"""The ring of Gaussians, its measures and the EM baseline."""

from __future__ import annotations

import numpy as np

from lmbook.gan import RING, fit_em, mode_stats, ring_centers, sample_ring


def test_ring_geometry_and_sampling():
    c = ring_centers()
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0)
    np.testing.assert_allclose(c[2], [0.0, 2.0], atol=1e-12)
    x = sample_ring(20_000, seed=1)
    assert x.dtype == np.float32 and x.shape == (20_000, 2)
    np.testing.assert_array_equal(x, sample_ring(20_000, seed=1))


def test_true_samples_score_as_the_normal_law_says():
    s = mode_stats(sample_ring(20_000, seed=0), **RING)
    assert s["modes"] == 8
    # P(||e|| < 3 std) for a 2-d standard normal is 1 - exp(-9/2)
    assert abs(s["high_quality"] - (1 - np.exp(-4.5))) < 0.003
    assert s["max_share"] < 0.135


def test_collapse_is_measured():
    x = sample_ring(4000, seed=0)
    near0 = np.linalg.norm(x - ring_centers()[0], axis=1) < 0.5
    collapsed = np.concatenate([x[near0]] * 8)
    s = mode_stats(collapsed, **RING)
    assert s["modes"] == 1 and s["captured"] == 1 and s["max_share"] == 1.0
    assert s["nearest_share"][0] == 1.0 and sum(s["nearest_share"]) == 1.0
    far = np.zeros((100, 2))  # the centre of the ring is far from every mode
    assert mode_stats(far, **RING)["high_quality"] == 0.0


def test_min_fraction_decides_coverage():
    x = np.repeat(ring_centers(), [93, 1, 1, 1, 1, 1, 1, 1], axis=0)  # 100 samples
    assert mode_stats(x, min_fraction=0.1)["modes"] == 1  # 1 < 0.1 * 100 / 8
    assert mode_stats(x, min_fraction=0.05)["modes"] == 8
    assert mode_stats(x)["captured"] == 8  # VEEGAN's count: one high-quality sample suffices


def test_spread_out_mass_is_not_dropped_mass():
    # every sample 5 std off its mean (radially outward): none is high quality, yet no mode
    # is dropped, and the nearest-mean shares say so
    c = ring_centers()
    x = np.repeat(c * (1 + 5 * 0.02 / 2), 10, axis=0)
    s = mode_stats(x, **RING)
    assert s["high_quality"] == 0.0 and s["modes"] == 0 and s["captured"] == 0
    np.testing.assert_allclose(s["nearest_share"], 1 / 8)


def test_em_recovers_the_ring():
    gm = fit_em(sample_ring(4000, seed=0), seed=0)
    means = gm.means_[np.argsort(np.arctan2(gm.means_[:, 1], gm.means_[:, 0]) % (2 * np.pi))]
    np.testing.assert_allclose(means, ring_centers(), atol=0.01)
    np.testing.assert_allclose(np.sqrt(gm.covariances_[:, [0, 1], [0, 1]]), 0.02, rtol=0.1)
