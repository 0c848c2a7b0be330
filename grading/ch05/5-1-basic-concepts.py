"""Hidden checks of book/ch05/5-1-basic-concepts.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-5-1-1
assert full_by_hand == 16 * sum(p.numel() for p in big.parameters()), "16 bytes per parameter"
assert lora_by_hand == 13543940096, "2(P + P_t) + 2 P_t + 12 P_t with P_t = 4,194,304"
assert e_full.weights + e_full.gradients + e_full.optimizer == full_by_hand
assert e_lora.weights + e_lora.gradients + e_lora.optimizer == lora_by_hand

# %% ex-5-1-2
for s_len in (32, 64, 128):
    expected = estimate(cfg, "full", batch=B, seq=s_len).activations
    assert abs(measured[s_len] - expected) / measured[s_len] < 0.02, (
        f"s = {s_len}: measured {measured[s_len]} bytes, the formula gives {expected} for batch {B}"
    )
assert measured[128] / measured[64] > 2 and measured[64] / measured[32] > 2, (
    "the s^2 attention term makes each doubling a little more than twice"
)

# %% ex-5-1-3
assert saved_by["prompt"] < saved_by["full"], "frozen linear layers do not save their inputs"
assert abs(saved_by["lora"] - saved_by["full"]) / saved_by["full"] < 0.05, (
    "LoRA's A needs the same inputs as full fine-tuning"
)
for method in ("full", "lora", "prompt"):
    expected = estimate(cfg, method, batch=8, seq=64).activations
    assert abs(saved_by[method] - expected) / saved_by[method] < 0.03, (
        f"{method}: measure with the 8 x 64 batch x of section 5.1.2"
    )
