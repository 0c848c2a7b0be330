"""Loss functions from scratch (section 4.2), each equal to the PyTorch / transformers one.

- :func:`log_softmax`: log-softmax by the log-sum-exp trick, == ``torch.log_softmax``.
- :func:`cross_entropy_loss`: cross-entropy with class weights, label smoothing (Szegedy et al.
  2016) and an ignored label, == ``torch.nn.functional.cross_entropy``.
- :func:`focal_loss`: the focal loss of Lin et al. (2017) for softmax outputs.
- :func:`lm_loss`: the causal language-model loss, labels shifted by one and padding ignored,
  == the ``loss`` a ``transformers`` model returns for ``labels=``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor

__all__ = ["cross_entropy_loss", "focal_loss", "lm_loss", "log_softmax"]


def log_softmax(logits: Tensor, dim: int = -1) -> Tensor:
    """``z - logsumexp(z)``, with the maximum subtracted first so that ``exp`` never overflows."""
    m = logits.amax(dim=dim, keepdim=True).detach()  # a constant shift: it changes no gradient
    shifted = logits - m
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def _weights(target: Tensor, weight: Tensor | None, ignore_index: int) -> tuple[Tensor, Tensor]:
    """Per-example weight ``w[y]`` (0 where ignored) and the target with ignored entries at 0."""
    import torch

    keep = target != ignore_index
    safe = torch.where(keep, target, 0)
    w = torch.ones_like(safe, dtype=torch.float32) if weight is None else weight[safe]
    return w * keep, safe


def cross_entropy_loss(
    logits: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    label_smoothing: float = 0.0,
    ignore_index: int = -100,
) -> Tensor:
    """Mean cross-entropy of ``logits`` ``(N, K)`` against class ids ``target`` ``(N,)``.

    The target distribution is ``(1 - ε)·onehot(y) + ε/K`` (``ε = label_smoothing``). With class
    weights ``w`` the loss of example ``i`` is ``-(1-ε) w[y_i] log p[y_i] - ε/K Σ_c w[c] log p[c]``
    and the mean divides by ``Σ_i w[y_i]``, exactly PyTorch's convention.
    """
    logp = log_softmax(logits, dim=-1)
    w_y, safe = _weights(target, weight, ignore_index)
    nll = -logp.gather(1, safe[:, None])[:, 0] * w_y
    if label_smoothing:
        wc = 1.0 if weight is None else weight
        smooth = -(logp * wc).sum(dim=-1) / logits.shape[-1] * (w_y > 0)
        nll = (1 - label_smoothing) * nll + label_smoothing * smooth
    return nll.sum() / w_y.sum()


def focal_loss(
    logits: Tensor,
    target: Tensor,
    gamma: float = 2.0,
    weight: Tensor | None = None,
    ignore_index: int = -100,
) -> Tensor:
    """Mean of ``-w[y] (1 - p_y)^γ log p_y``, divided by ``Σ w[y]`` (``γ = 0`` is weighted CE).

    The factor ``(1 - p_y)^γ`` shrinks the loss of examples the model already gets right with
    high probability, so the many easy examples of a frequent class stop dominating the sum.
    """
    logp = log_softmax(logits, dim=-1)
    w_y, safe = _weights(target, weight, ignore_index)
    logp_y = logp.gather(1, safe[:, None])[:, 0]
    loss = -((1 - logp_y.exp()) ** gamma) * logp_y * w_y
    return loss.sum() / w_y.sum()


def lm_loss(logits: Tensor, labels: Tensor, ignore_index: int = -100) -> Tensor:
    """Causal LM loss: position ``t`` predicts label ``t + 1``; labels equal to ``ignore_index``
    (padding) count for nothing; the mean is over all predicted tokens of the batch."""
    shifted = logits[:, :-1].reshape(-1, logits.shape[-1])
    return cross_entropy_loss(shifted, labels[:, 1:].reshape(-1), ignore_index=ignore_index)
