"""Hidden checks of book/ch08/8-1-trends.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-8-1-1
assert abs(n_opt / 1.82e9 - 1) < 0.01, "approach 3 closed form at 1e21 FLOPs: N_opt ~ 1.82e9"
assert abs(d_opt / 9.14e10 - 1) < 0.01, "D_opt = C / (6 N_opt) ~ 9.14e10"
assert abs(tokens_per_param - 50.1) < 0.5, "tokens per parameter ~ 50"
assert abs(n_rule / (1e21 / 120) ** 0.5 - 1) < 1e-6, "rule of thumb: N = sqrt(C / 120)"

# %% ex-8-1-2
assert mha_bytes == 2 * 32 * 32 * 128 * 8192 * 2, "2 x layers x kv_heads x head_dim x seq x bytes"
assert gqa_bytes == 2 * 32 * 8 * 128 * 8192 * 2, "8 key/value heads"
assert abs(saving - 4) < 1e-9, "32 / 8 key/value heads"
assert llama_cache_bytes == 2 * 2 * 2 * 8 * 50 * 2 * 4, (
    "2 layers, 2 kv heads, head_dim 8, batch 2, fp32"
)
