"""Hidden checks of book/ch05/5-3-application-cases.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-5-3-1
assert late > 2 * early, "B 从 0 长大后，A 的梯度（正比于 B）才变大：后期的比值应明显更大"

# %% ex-5-3-2
assert lora_n == 55296, "三层 × 每层 LoRA（注意力与 MLP，不含池化层）"
assert sorted(extra.values()) == [7, 896] and all("classifier" in n for n in extra), extra
