"""Validation: the loss on held-out data, the user's metrics, and early stopping on them.

A loss averaged over batches is weighted by each batch's sample count, so the result is a mean
per sample whatever the batch size (the last, smaller batch counts for what it holds), and it is
summed over all processes when distributed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lmbook.train.batches import batch_counts, default_loss, make_loader, to_device
from lmbook.train.config import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from lmbook.train.distributed import LocalRuntime
    from lmbook.train.precision import Precision
    from lmbook.train.run import LossFn, Run

__all__ = ["eval_loss", "evaluate", "validate"]


def eval_loss(
    model: Any,
    loader: Any,
    loss_fn: LossFn,
    runtime: LocalRuntime,
    precision: Precision,
    max_batches: int | None = None,
) -> float:
    """Batch losses averaged with their sample counts as weights, over all processes."""
    import torch

    device = runtime.device
    was_training = model.training
    model.eval()
    total = torch.zeros(2, dtype=torch.float64, device=device)
    with torch.no_grad():
        for i, batch in enumerate(loader):
            if max_batches is not None and i >= max_batches:
                break
            samples, _ = batch_counts(batch)
            with precision.autocast(device.type):
                loss = loss_fn(model, to_device(batch, device))
            total[0] += loss.detach().double() * samples
            total[1] += samples
    model.train(was_training)
    loss_sum, count = runtime.reduce_sum(total).tolist()
    if count == 0:
        raise ConfigError("the validation data yielded no batch; give a non-empty dataset.")
    return loss_sum / count


def evaluate(
    model: torch.nn.Module,
    data: Any,
    *,
    batch_size: int = 32,
    loss_fn: LossFn | None = None,
    collate_fn: Any = None,
    device: str | None = None,
    precision: str = "auto",
    max_batches: int | None = None,
) -> float:
    """Loss of ``model`` on a dataset or DataLoader: batch losses weighted by batch size."""
    from torch.utils.data import DataLoader

    from lmbook.device import pick_device
    from lmbook.train.distributed import LocalRuntime
    from lmbook.train.precision import resolve_precision

    runtime = LocalRuntime(pick_device(device))
    prec = resolve_precision(precision, runtime.device)
    if isinstance(data, DataLoader):
        loader = data
    else:
        loader = make_loader(data, batch_size, shuffle=False, seed=0, collate_fn=collate_fn)
    model = model.to(runtime.device)
    return eval_loss(model, loader, loss_fn or default_loss, runtime, prec, max_batches)


def validate(run: Run) -> bool:
    """Validation loss and metrics of a run into its history; True when early stopping fires."""
    import torch

    cfg, h = run.config, run.history
    loss = eval_loss(
        run.forward_model, run.val_loader, run.loss_fn, run.runtime, run.precision, cfg.eval_batches
    )
    h.val_step.append(run.step)
    h.val_loss.append(loss)
    results = {"loss": loss}
    if run.metrics is not None:
        run.base.eval()
        with torch.no_grad():
            extra = run.metrics(run.base)
        run.base.train()
        for key, value in extra.items():
            h.val_metrics.setdefault(key, []).append(float(value))
            results[key] = float(value)
    if run.early is None:
        return False
    if cfg.early_stop_metric not in results:
        raise ConfigError(
            f"early_stop_metric={cfg.early_stop_metric!r} is not among the validation results "
            f"{sorted(results)}; use one of them."
        )
    if not run.early.update(results[cfg.early_stop_metric], run.step):
        return False
    h.stop_reason = (
        f"early stop at step {run.step}: val {cfg.early_stop_metric} has not improved for "
        f"{run.early.patience} evaluations (best {run.early.best:.4g} at step "
        f"{run.early.best_step})"
    )
    return True
