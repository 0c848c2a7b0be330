"""ELECTRA-style replaced-token detection against masked-LM pretraining at equal compute.

The generator/discriminator idea that does work for language models (Clark et al. 2020): a
small masked LM (the generator) fills the masked positions with sampled characters, and the
encoder being pretrained (the discriminator) tells for *every* position whether its character
is the original or a replacement. The generator is trained by maximum likelihood, not to fool
the discriminator, so no gradient has to pass through the sampled characters.

:func:`pretrain` trains either method from scratch on People's Daily (``lmbook.data``), with
the shipped character tokenizer and tiny ``transformers`` ELECTRA encoders of identical shape;
:func:`step_flops` counts one training step's floating-point operations with
``torch.utils.flop_counter`` so that both methods get the same compute; :func:`probe_accuracy`
scores a frozen encoder by a logistic-regression probe on review sentiment (mean-pooled states).

``python -m lmbook.gan.electra`` records several seeds of both methods at equal pretraining
FLOPs into ``lmbook/assets/records/electra.json``; section 7.2 shows the record and re-runs the
short ``smoke`` row live.
"""

from __future__ import annotations

import argparse
import json
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import torch
import torch.nn.functional as F

if TYPE_CHECKING:  # pragma: no cover
    from transformers import ElectraForMaskedLM, ElectraForPreTraining

__all__ = [
    "CONFIG",
    "RECORD",
    "Method",
    "bag_of_chars_accuracy",
    "build_models",
    "load_record",
    "main",
    "mask_tokens",
    "pretrain",
    "probe_accuracy",
    "replaced_token_labels",
    "step_flops",
]

Method = Literal["mlm", "electra"]
RECORD = Path(__file__).resolve().parent.parent / "assets" / "records" / "electra.json"

# hidden 64 x 2 layers for the encoder both methods pretrain; the ELECTRA generator is a
# quarter as wide (Clark et al. found 1/4-1/2 of the discriminator's size best).
CONFIG: dict[str, Any] = {
    "hidden": 64,
    "layers": 2,
    "heads": 2,
    "intermediate": 256,
    "generator_hidden": 16,
    "generator_heads": 1,
    "generator_intermediate": 64,
    "max_len": 64,
    "batch_size": 32,
    "mask_prob": 0.15,
    "rtd_weight": 50.0,
    "lr": 2e-3,
    "warmup": 50,
    "probe_train": 2000,
    "probe_C": 1.0,
}


def _electra_config(vocab: int, hidden: int, heads: int, intermediate: int, cfg: dict[str, Any]):
    from transformers import ElectraConfig

    return ElectraConfig(
        vocab_size=vocab,
        embedding_size=cfg["hidden"],
        hidden_size=hidden,
        num_hidden_layers=cfg["layers"],
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=cfg["max_len"],
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        pad_token_id=0,
    )


def build_models(
    method: Method, seed: int, cfg: dict[str, Any] = CONFIG
) -> tuple[ElectraForMaskedLM | ElectraForPreTraining, ElectraForMaskedLM | None]:
    """The model(s) ``method`` trains: ``(encoder_model, generator_or_None)``.

    ``mlm``: an ``ElectraForMaskedLM`` of the discriminator's shape. ``electra``: an
    ``ElectraForPreTraining`` discriminator and a small ``ElectraForMaskedLM`` generator that
    shares its token and position embeddings (as in Clark et al. 2020).
    """
    from transformers import ElectraForMaskedLM, ElectraForPreTraining

    vocab = len(_tokenizer())
    torch.manual_seed(seed)
    big = _electra_config(vocab, cfg["hidden"], cfg["heads"], cfg["intermediate"], cfg)
    if method == "mlm":
        return ElectraForMaskedLM(big), None
    if method != "electra":
        raise ValueError(f"method must be 'mlm' or 'electra', got {method!r}")
    disc = ElectraForPreTraining(big)
    small = _electra_config(
        vocab, cfg["generator_hidden"], cfg["generator_heads"], cfg["generator_intermediate"], cfg
    )
    gen = ElectraForMaskedLM(small)
    gen.electra.embeddings = disc.electra.embeddings
    gen.generator_lm_head.weight = disc.electra.embeddings.word_embeddings.weight
    return disc, gen


@cache
def _tokenizer():
    from lmbook.tokenization import load_tokenizer

    return load_tokenizer("char")


@cache
def _corpus(max_len: int) -> torch.Tensor:
    """People's Daily train split as ``[CLS] … [SEP]`` id rows of ``max_len`` (padded with 0)."""
    from lmbook.data import load_lm_text

    texts = list(load_lm_text()["train"]["text"])
    enc = _tokenizer()(texts, truncation=True, max_length=max_len, padding="max_length")
    ids = torch.tensor(enc["input_ids"])
    return ids[(ids != 0).sum(1) >= 8]  # drop headings shorter than 6 characters


def mask_tokens(
    ids: torch.Tensor, mask_prob: float, mask_id: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Replace a ``mask_prob`` share of the ordinary tokens (ids >= 5) by ``mask_id``.

    Returns ``(masked_ids, chosen)`` with ``chosen`` the boolean mask of the chosen positions.
    All chosen positions become ``[MASK]`` (no 80/10/10 split, as in ELECTRA's generator input).
    """
    ordinary = ids >= 5
    chosen = (torch.rand(ids.shape, generator=generator) < mask_prob) & ordinary
    return ids.masked_fill(chosen, mask_id), chosen


def replaced_token_labels(
    original: torch.Tensor, corrupted: torch.Tensor, attention: torch.Tensor
) -> torch.Tensor:
    """ELECTRA's targets: 1 where the corrupted id differs from the original, 0 where it is the
    same (a sampled character equal to the original counts as original), -1 at padding."""
    labels = (corrupted != original).long()
    return labels.masked_fill(attention == 0, -1)


def _masked_lm_loss(
    model: ElectraForMaskedLM,
    masked: torch.Tensor,
    attention: torch.Tensor,
    chosen: torch.Tensor,
    ids: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy of an ``ElectraForMaskedLM`` at the chosen positions only (the vocabulary
    head runs there alone: over all positions it would cost more than the encoder)."""
    h = model.electra(input_ids=masked, attention_mask=attention).last_hidden_state[chosen]
    logits = model.generator_lm_head(model.generator_predictions(h))
    return F.cross_entropy(logits, ids[chosen]), logits


def _step_loss(
    method: Method,
    model: torch.nn.Module,
    gen: torch.nn.Module | None,
    ids: torch.Tensor,
    cfg: dict[str, Any],
    rng: torch.Generator,
) -> torch.Tensor:
    attention = (ids != 0).long()
    masked, chosen = mask_tokens(ids, cfg["mask_prob"], _tokenizer().mask_token_id, rng)
    if method == "mlm":
        return _masked_lm_loss(model, masked, attention, chosen, ids)[0]
    gen_loss, logits = _masked_lm_loss(gen, masked, attention, chosen, ids)
    with torch.no_grad():
        logits = logits.detach()
        u = torch.rand(logits.shape, generator=rng).clamp_(1e-10, 1.0)
        sampled = (logits - torch.log(-torch.log(u))).argmax(-1)  # Gumbel-max: a sample
    corrupted = ids.clone()
    corrupted[chosen] = sampled
    labels = replaced_token_labels(ids, corrupted, attention)
    logits_d = model(input_ids=corrupted, attention_mask=attention).logits
    keep = labels >= 0
    rtd = F.binary_cross_entropy_with_logits(logits_d[keep], labels[keep].float())
    return gen_loss + cfg["rtd_weight"] * rtd


def step_flops(method: Method, cfg: dict[str, Any] = CONFIG) -> int:
    """Floating-point operations of one training step (forward and backward), counted by
    ``torch.utils.flop_counter.FlopCounterMode`` on one batch of the corpus."""
    from torch.utils.flop_counter import FlopCounterMode

    model, gen = build_models(method, 0, cfg)
    ids = _corpus(cfg["max_len"])[: cfg["batch_size"]]
    rng = torch.Generator().manual_seed(0)
    with FlopCounterMode(display=False) as counter:
        _step_loss(method, model, gen, ids, cfg, rng).backward()
    return int(counter.get_total_flops())


def pretrain(
    method: Method,
    steps: int,
    seed: int = 0,
    cfg: dict[str, Any] = CONFIG,
    probe_at: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Pretrain ``method`` for ``steps`` steps from scratch; returns losses and probe scores.

    ``{"method", "steps", "seed", "loss": [per-step loss], "probe": {step: accuracy},
    "wall_s"}``; the probe (:func:`probe_accuracy`) runs after each step in ``probe_at``.
    """
    model, gen = build_models(method, seed, cfg)
    params = list(
        {id(p): p for m in (model, gen) if m is not None for p in m.parameters()}.values()
    )
    opt = torch.optim.AdamW(params, lr=cfg["lr"], weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / cfg["warmup"]) * max(0.0, 1 - s / steps)
    )
    corpus = _corpus(cfg["max_len"])
    rng = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    probe: dict[int, float] = {}
    start = time.perf_counter()
    for step in range(1, steps + 1):
        rows = torch.randint(len(corpus), (cfg["batch_size"],), generator=rng)
        loss = _step_loss(method, model, gen, corpus[rows], cfg, rng)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if step in probe_at:
            probe[step] = probe_accuracy(model.electra, cfg)
    return {
        "method": method,
        "steps": steps,
        "seed": seed,
        "loss": losses,
        "probe": probe,
        "wall_s": round(time.perf_counter() - start, 1),
    }


@cache
def _reviews(max_len: int, n_train: int) -> tuple[dict[str, torch.Tensor], ...]:
    from lmbook.data import load_reviews

    data = load_reviews()
    out = []
    for split, n in (("train", n_train), ("test", None)):
        texts = list(data[split]["text"])[:n]
        enc = _tokenizer()(
            texts, truncation=True, max_length=max_len, padding="max_length", return_tensors="pt"
        )
        out.append(
            {
                "input_ids": enc["input_ids"],
                "attention_mask": enc["attention_mask"],
                "label": torch.tensor(list(data[split]["label"])[:n]),
            }
        )
    return tuple(out)


@torch.no_grad()
def _features(encoder: torch.nn.Module, batch: dict[str, torch.Tensor]) -> np.ndarray:
    encoder.eval()
    feats = []
    for i in range(0, len(batch["input_ids"]), 256):
        ids, att = batch["input_ids"][i : i + 256], batch["attention_mask"][i : i + 256]
        h = encoder(input_ids=ids, attention_mask=att).last_hidden_state
        feats.append(((h * att[..., None]).sum(1) / att.sum(1, keepdim=True)).numpy())
    return np.concatenate(feats)


def probe_accuracy(encoder: torch.nn.Module, cfg: dict[str, Any] = CONFIG) -> float:
    """Review-sentiment test accuracy of a logistic regression on the frozen encoder's
    mean-pooled last hidden states (trained on the first ``probe_train`` training reviews)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    train, test = _reviews(cfg["max_len"], cfg["probe_train"])
    x_train = _features(encoder, train)
    scaler = StandardScaler().fit(x_train)
    clf = LogisticRegression(C=cfg["probe_C"], max_iter=2000)
    clf.fit(scaler.transform(x_train), train["label"].numpy())
    pred = clf.predict(scaler.transform(_features(encoder, test)))
    return float((pred == test["label"].numpy()).mean())


def bag_of_chars_accuracy(cfg: dict[str, Any] = CONFIG) -> float:
    """The strongest simple baseline on the same data: logistic regression on character counts
    of the same (truncated) reviews, no pretraining at all."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    train, test = _reviews(cfg["max_len"], cfg["probe_train"])
    vocab = len(_tokenizer())

    def counts(batch: dict[str, torch.Tensor]) -> csr_matrix:
        ids = batch["input_ids"].numpy()
        rows = np.repeat(np.arange(len(ids)), ids.shape[1])
        return csr_matrix((np.ones(ids.size), (rows, ids.ravel())), shape=(len(ids), vocab))

    clf = LogisticRegression(C=cfg["probe_C"], max_iter=2000).fit(counts(train), train["label"])
    return float((clf.predict(counts(test)) == test["label"].numpy()).mean())


def load_record(path: Path = RECORD) -> dict[str, Any]:
    """The recorded comparison written by ``python -m lmbook.gan.electra``."""
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Record MLM vs ELECTRA at equal FLOPs for several seeds into :data:`RECORD`."""
    from lmbook.runtime import environment

    p = argparse.ArgumentParser(prog="python -m lmbook.gan.electra", description=__doc__)
    p.add_argument("--mlm-steps", type=int, default=600)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--smoke-steps", type=int, default=30)
    p.add_argument("--out", type=Path, default=RECORD)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    start = time.perf_counter()
    flops = {m: step_flops(m) for m in ("mlm", "electra")}
    steps = {
        "mlm": args.mlm_steps,
        "electra": round(args.mlm_steps * flops["mlm"] / flops["electra"]),
    }
    checkpoints = {m: tuple(round(steps[m] * f) for f in (0.5, 1.0)) for m in steps}
    runs = []
    for seed in args.seeds:
        for m in ("mlm", "electra"):
            run = pretrain(m, steps[m], seed, probe_at=checkpoints[m])
            run["loss_last50"] = float(np.mean(run.pop("loss")[-50:]))
            runs.append(run)
            print(m, seed, run["probe"], run["wall_s"], flush=True)
    random_init = [probe_accuracy(build_models("mlm", s)[0].electra) for s in args.seeds]
    smoke = pretrain("electra", args.smoke_steps, 0, probe_at=(args.smoke_steps,))
    record = {
        "config": {**CONFIG, "mlm_steps": args.mlm_steps, "seeds": args.seeds},
        **environment(),
        "step_flops": flops,
        "steps": steps,
        "runs": runs,
        "random_init_probe": random_init,
        "bag_of_chars": bag_of_chars_accuracy(),
        "smoke": {
            "method": "electra",
            "steps": args.smoke_steps,
            "seed": 0,
            "loss": smoke["loss"],
            "probe": smoke["probe"][args.smoke_steps],
        },
        "wall_s": round(time.perf_counter() - start, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record


if __name__ == "__main__":
    main()
