"""Tests of lmbook.text.information against scipy / sklearn / torch and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.special import rel_entr
from scipy.stats import entropy as scipy_entropy
from sklearn.metrics import mutual_info_score

from lmbook.text.information import (
    adjacent_pairs,
    cross_entropy,
    discover_words,
    entropy,
    kl_divergence,
    mutual_information,
    pmi_table,
)


def _dists(seed: int, n: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))
    p[0] = 0.0  # a zero in p exercises 0 log 0 = 0
    return p / p.sum(), q


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_entropy_cross_entropy_and_kl_match_scipy(seed: int) -> None:
    p, q = _dists(seed)
    assert math.isclose(entropy(p), scipy_entropy(p, base=2), rel_tol=1e-12)
    assert math.isclose(entropy(p, base=math.e), scipy_entropy(p), rel_tol=1e-12)
    assert math.isclose(kl_divergence(p, q), scipy_entropy(p, q, base=2), rel_tol=1e-12)
    assert math.isclose(kl_divergence(p, q, base=math.e), rel_entr(p, q).sum(), rel_tol=1e-12)
    # H(p, q) = H(p) + KL(p || q)
    assert math.isclose(cross_entropy(p, q), entropy(p) + kl_divergence(p, q), rel_tol=1e-12)


def test_kl_matches_torch_kl_div_with_its_argument_order() -> None:
    p, q = _dists(3)
    # kl_div(input, target) = sum target * (log target - input): input is log q, target is p
    torch_kl = torch.nn.functional.kl_div(
        torch.tensor(np.log(q)), torch.tensor(p), reduction="sum"
    ).item()
    assert math.isclose(kl_divergence(p, q, base=math.e), torch_kl, rel_tol=1e-12)


def test_kl_is_asymmetric_nonnegative_and_infinite_off_support() -> None:
    p, q = _dists(4)
    assert kl_divergence(p, q) > 0 and kl_divergence(q, p) > 0
    assert not math.isclose(kl_divergence(p, q), kl_divergence(q, p))
    assert kl_divergence(p, p) == 0.0
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == 1.0


def test_entropy_of_uniform_and_point_mass() -> None:
    assert math.isclose(entropy(np.full(8, 1 / 8)), 3.0)
    assert entropy([0.0, 1.0, 0.0]) == 0.0


def test_distribution_checks() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        entropy([3, 1])
    with pytest.raises(ValueError, match="sum to 1"):
        entropy([1.5, -0.5])
    with pytest.raises(ValueError, match="same outcomes"):
        kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])


@pytest.mark.parametrize("seed", [0, 1])
def test_mutual_information_matches_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, 2000)
    y = (x + rng.integers(0, 3, 2000)) % 6  # dependent on x
    mi = mutual_information(x, y)
    assert math.isclose(mi, mutual_info_score(x, y) / math.log(2), rel_tol=1e-10)
    assert mi > 0.5
    chars_x, chars_y = np.array(list("甲乙甲丙")), np.array(list("乙甲乙甲"))
    assert math.isclose(
        mutual_information(chars_x, chars_y, base=math.e), mutual_info_score(chars_x, chars_y)
    )


def test_pmi_table_by_hand_and_its_mean_is_mi() -> None:
    x, y = adjacent_pairs(["甲乙甲乙", "甲丙"])
    assert "".join(x) == "甲乙甲甲" and "".join(y) == "乙甲乙丙"
    table = pmi_table(x, y)
    row = table[(table["x"] == "甲") & (table["y"] == "乙")].iloc[0]
    # p(甲,乙) = 2/4, p(x=甲) = 3/4, p(y=乙) = 2/4
    assert row["count"] == 2 and math.isclose(row["pmi"], math.log2(0.5 / (0.75 * 0.5)))
    expected_mi = (table["count"] / table["count"].sum() * table["pmi"]).sum()
    assert math.isclose(mutual_information(x, y), expected_mi, rel_tol=1e-12)
    assert list(pmi_table(x, y, min_count=2)["y"]) == ["乙"]


def test_discover_words_scores_by_hand() -> None:
    table = discover_words(["甲乙丙", "丙甲乙"], max_len=3, min_count=2)
    assert table["word"].tolist() == ["甲乙"]
    row = table.iloc[0]
    assert row["count"] == 2 and row["length"] == 2
    assert math.isclose(row["pmi"], math.log2(2 * 6 / (2 * 2)))  # 6 characters in all
    assert row["left_entropy"] == 1.0 and row["right_entropy"] == 1.0  # {boundary, 丙} each side
    assert math.isclose(row["score"], math.log2(3))


def test_discover_words_recovers_a_hidden_lexicon() -> None:
    rng = np.random.default_rng(0)
    chars = [chr(0x4E00 + i) for i in rng.permutation(400)[:75]]
    lexicon = ["".join(chars[i : i + 3]) for i in range(0, 45, 3)]  # 15 three-char words
    lexicon += ["".join(chars[i : i + 2]) for i in range(45, 75, 2)]  # 15 two-char words
    texts = ["".join(rng.choice(lexicon, size=8)) for _ in range(1500)]
    table = discover_words([*texts, "abc, 12"], max_len=4, min_count=5)
    assert set(table["word"][: len(lexicon)]) == set(lexicon)
    assert table["word"].str.fullmatch(r"[\u4e00-\u9fff]+").all()  # Han characters only
    inside = table.set_index("word").loc[lexicon[0][:2]]  # first two chars of a 3-char word
    assert inside["right_entropy"] == 0.0 and inside["score"] == 0.0


def test_discover_words_errors() -> None:
    with pytest.raises(ValueError, match="max_len"):
        discover_words(["甲乙"], max_len=1)
    with pytest.raises(ValueError, match="non-empty"):
        discover_words(["", ""])


def test_single_characters_take_the_fast_path_with_the_same_result() -> None:
    from lmbook.text import mutual_information, pmi_table

    rng = np.random.default_rng(0)
    x = rng.choice(list("天地玄黄宇宙洪荒"), 500)
    y = np.where(rng.random(500) < 0.5, x, rng.choice(list("日月盈昃"), 500))
    assert x.dtype == np.dtype("<U1")
    as_objects = x.astype(object), y.astype(object)
    assert mutual_information(x, y) == pytest.approx(mutual_information(*as_objects), rel=1e-12)
    fast, slow = pmi_table(x, y), pmi_table(*as_objects)
    assert list(fast["x"] + fast["y"]) == list(slow["x"] + slow["y"])
    np.testing.assert_allclose(fast["pmi"], slow["pmi"], rtol=1e-12)
