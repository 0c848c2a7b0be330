"""Hidden checks of book/appendix/a-1-frameworks.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-a-1-1
assert abs(loss_np - loss_t.item()) < 1e-6, "loss_np is the cross-entropy of the initial MLP"
assert np.max(np.abs(grad_w1_np - grads_t["0.weight"].numpy())) < 1e-7, (
    "grad_w1_np matches PyTorch's autograd gradient of the first layer"
)

# %% ex-a-1-2
assert np.max(np.abs(per_example[:, 0] + per_example[:, 1])) < 1e-6, (
    "with two classes the two bias gradients of a sample are opposite"
)
assert np.max(np.abs(per_example)) <= 1.0 + 1e-6, (
    "each row is softmax(z) - onehot(y), within [-1, 1]"
)
