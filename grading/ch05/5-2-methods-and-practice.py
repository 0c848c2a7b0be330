"""Hidden checks of book/ch05/5-2-methods-and-practice.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-5-2-1
assert first_grads["both_zero"] == (0.0, 0.0), "A = B = 0：两个梯度都应为 0"
assert first_grads["a_zero"][0] > 1e-3 and first_grads["a_zero"][1] == 0.0, (
    "A = 0、B 随机：第一步只有 A 有梯度"
)

# %% ex-5-2-2
assert by_hand == 18432, "L·r·((h + 3h) + (h + h))"
assert abs(ratio - 0.375) < 1e-9, "6rh / 16rh"

# %% ex-5-2-3
assert err["均匀 4 位"] < 0.7 * err["NF4"], "均匀分布的数据上，等距码值的误差应明显更小"
assert 1e-3 < err["NF4"] < 5e-3 and 5e-4 < err["均匀 4 位"] < 3e-3, err
