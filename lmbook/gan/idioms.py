"""Four-character idioms as a small real task for text GANs (section 7.2).

- :func:`load_idioms`: the idioms of jieba's dictionary (``jieba/dict.txt``, MIT: lines
  ``word freq tag``, tag ``i``), four Chinese characters each, all among the 1,000 most common
  idiom characters (a small vocabulary keeps training within a notebook's budget), split
  80/10/10 into train, validation and test by a hash of the idiom (fixed, independent of the
  file's order);
- :class:`IdiomGenerator`: a character GRU over the four positions, trained by maximum likelihood
  (:func:`train_mle`) and sampled at a temperature, or with the straight-through Gumbel-softmax;
- :func:`train_gan`: adversarial fine-tuning of an MLE-pretrained generator (as SeqGAN does)
  against :class:`IdiomDiscriminator`, by Gumbel-softmax (``"gumbel"``) or by REINFORCE with a
  moving-average baseline (``"reinforce"``, the discriminator's probability as the reward);
- :func:`sample_measures` and :func:`judge_accuracy`: share of samples that are real idioms (seen
  in training / only in the held-out test split), distinct share, and the accuracy of a fresh
  logistic-regression judge trained on held-out real idioms vs generated ones (0.5 = cannot tell).

``python -m lmbook.gan.idioms`` records MLE at several temperatures and both GANs for several
seeds into ``lmbook/assets/records/idiom_gan.json``; :func:`compare` is one seed of it.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import time
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lmbook.gan.text import MovingBaseline, gumbel_softmax, reinforce_loss

__all__ = [
    "CHARACTERS",
    "GAN_METHODS",
    "IDIOM_CONFIG",
    "IDIOM_RECORD",
    "IdiomDiscriminator",
    "IdiomGenerator",
    "IdiomVocab",
    "compare",
    "judge_accuracy",
    "load_idiom_record",
    "load_idioms",
    "main",
    "sample_measures",
    "train_gan",
    "train_mle",
]

CHARACTERS = 1000  # idioms of the 1,000 most common idiom characters (about half of them)
GAN_METHODS: tuple[str, ...] = ("gumbel", "reinforce")
IDIOM_RECORD = Path(__file__).resolve().parent.parent / "assets" / "records" / "idiom_gan.json"
IDIOM_CONFIG: dict[str, Any] = {
    "embed": 32,
    "hidden": 64,
    "mle_epochs": 8,
    "mle_lr": 1e-2,
    "batch_size": 256,
    "d_pretrain": 200,
    "gan_steps": 100,
    "gan_batch": 128,
    "gan_lr_g": 1e-3,
    "gan_lr_d": 1e-2,
    "tau": 1.0,
    "temperatures": [0.7, 0.85, 1.0],
    "n_samples": 2000,
}


def _is_han(word: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in word)


@cache
def _idiom_splits() -> dict[str, tuple[str, ...]]:
    import jieba

    path = Path(jieba.__file__).with_name("dict.txt")
    words: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for line in f:
            word, _, tag = line.split()
            if tag == "i" and len(word) == 4 and _is_han(word):
                words.add(word)
    counts = Counter(c for w in words for c in w)
    ranked = sorted(counts, key=lambda c: (-counts[c], c))  # ties broken by the character
    common = set(ranked[:CHARACTERS])
    splits: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    for word in sorted(w for w in words if set(w) <= common):
        bucket = hashlib.md5(word.encode("utf-8")).digest()[0] % 10
        splits["test" if bucket == 0 else "validation" if bucket == 1 else "train"].append(word)
    return {k: tuple(v) for k, v in splits.items()}


def load_idioms() -> dict[str, list[str]]:
    """Four-character idioms of jieba's dictionary written with its :data:`CHARACTERS` most
    common idiom characters: ``{"train", "validation", "test"}`` lists."""
    return {k: list(v) for k, v in _idiom_splits().items()}


class IdiomVocab:
    """The characters of the training idioms; id 0 is ``<unk>`` (characters seen only in
    held-out idioms), the generator's begin token is one past the last character."""

    def __init__(self, words: list[str]) -> None:
        self.chars = ["<unk>", *sorted({c for w in words for c in w})]
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, words: list[str]) -> torch.Tensor:
        """``(len(words), 4)`` ids."""
        return torch.tensor([[self.index.get(c, 0) for c in w] for w in words], dtype=torch.long)

    def decode(self, ids: torch.Tensor) -> list[str]:
        """Strings of the id rows (``<unk>`` decodes to ``□``)."""
        return ["".join(self.chars[i] if i else "□" for i in row) for row in ids.tolist()]


class IdiomGenerator(nn.Module):
    """A character GRU language model over the four positions of an idiom."""

    def __init__(self, vocab_size: int, embed: int = 64, hidden: int = 128) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.embed = nn.Embedding(vocab_size + 1, embed)  # + the begin token
        self.gru = nn.GRU(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab_size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Teacher-forced next-character logits ``(batch, 4, vocab)`` for idioms ``ids``."""
        begin = torch.full_like(ids[:, :1], self.vocab_size)
        h, _ = self.gru(self.embed(torch.cat([begin, ids[:, :-1]], 1)))
        return self.out(h)

    def sample(
        self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Ancestral samples at ``temperature``: ``(ids (n, 4), log_probs (n,))``.

        ``log_probs`` is the sequence's log-probability under the temperature-1 model, with
        gradient (what REINFORCE needs); the ids carry none.
        """
        x = self.embed(torch.full((n, 1), self.vocab_size, dtype=torch.long))
        state, ids, logp = None, [], torch.zeros(n)
        for _ in range(4):
            h, state = self.gru(x, state)
            logits = self.out(h[:, -1])
            probs = (logits.detach() / temperature).softmax(-1)
            token = torch.multinomial(probs, 1, generator=generator)
            logp = logp + logits.log_softmax(-1).gather(1, token).squeeze(1)
            ids.append(token)
            x = self.embed(token)
        return torch.cat(ids, 1), logp

    def sample_gumbel(self, n: int, tau: float = 1.0) -> torch.Tensor:
        """Straight-through Gumbel-softmax samples ``(n, 4, vocab)``: one-hot forward, soft
        gradient backward; each position's one-hot is fed back through the embedding matrix."""
        x = self.embed(torch.full((n, 1), self.vocab_size, dtype=torch.long))
        state, out = None, []
        weight = self.embed.weight[: self.vocab_size]
        for _ in range(4):
            h, state = self.gru(x, state)
            y = gumbel_softmax(self.out(h[:, -1]), tau=tau, hard=True)
            out.append(y)
            x = (y @ weight)[:, None]
        return torch.stack(out, 1)


class IdiomDiscriminator(nn.Module):
    """Real-vs-generated logit for idioms given as one-hot (or soft) rows ``(batch, 4, vocab)``."""

    def __init__(self, vocab_size: int, embed: int = 64, hidden: int = 128) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.embed = nn.Linear(vocab_size, embed, bias=False)
        self.mlp = nn.Sequential(
            nn.Linear(4 * embed, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch,)``; ``x`` may be ids ``(batch, 4)`` or one-hot rows."""
        if x.dtype == torch.long:
            x = F.one_hot(x, self.vocab_size).float()
        return self.mlp(self.embed(x).flatten(1)).squeeze(1)


def train_mle(
    vocab: IdiomVocab, words: list[str], seed: int = 0, cfg: dict[str, Any] = IDIOM_CONFIG
) -> tuple[IdiomGenerator, list[float]]:
    """Train an :class:`IdiomGenerator` by maximum likelihood; returns it and per-epoch losses."""
    torch.manual_seed(seed)
    gen = IdiomGenerator(len(vocab), cfg["embed"], cfg["hidden"])
    opt = torch.optim.Adam(gen.parameters(), lr=cfg["mle_lr"])
    ids = vocab.encode(words)
    rng = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(cfg["mle_epochs"]):
        order, total = torch.randperm(len(ids), generator=rng), 0.0
        for i in range(0, len(ids), cfg["batch_size"]):
            batch = ids[order[i : i + cfg["batch_size"]]]
            loss = F.cross_entropy(gen(batch).flatten(0, 1), batch.flatten())
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        losses.append(total / len(ids))
    return gen, losses


def train_gan(
    pretrained: IdiomGenerator,
    vocab: IdiomVocab,
    words: list[str],
    method: str,
    seed: int = 0,
    cfg: dict[str, Any] = IDIOM_CONFIG,
) -> tuple[IdiomGenerator, dict[str, list[float]]]:
    """Fine-tune a copy of ``pretrained`` adversarially by ``method`` (``"gumbel"`` or
    ``"reinforce"``): ``d_pretrain`` discriminator-only steps, then ``gan_steps`` alternating
    ones. Returns it and the per-step discriminator loss and mean ``D(G(z))``."""
    if method not in GAN_METHODS:
        raise ValueError(f"method must be one of {GAN_METHODS}, got {method!r}")
    torch.manual_seed(seed)
    gen = copy.deepcopy(pretrained)
    disc = IdiomDiscriminator(len(vocab), cfg["embed"], cfg["hidden"])
    opt_g = torch.optim.Adam(gen.parameters(), lr=cfg["gan_lr_g"])
    opt_d = torch.optim.Adam(disc.parameters(), lr=cfg["gan_lr_d"])
    real_ids = vocab.encode(words)
    baseline = MovingBaseline()
    rng = torch.Generator().manual_seed(seed)
    history: dict[str, list[float]] = {"d_loss": [], "d_fake": []}
    n = cfg["gan_batch"]
    for step in range(cfg["d_pretrain"] + cfg["gan_steps"]):
        real = real_ids[torch.randint(len(real_ids), (n,), generator=rng)]
        if method == "gumbel":
            fake = gen.sample_gumbel(n, cfg["tau"])
            fake_in = fake.detach()
        else:
            fake, logp = gen.sample(n, 1.0, rng)
            fake_in = fake
        d_real, d_fake = disc(real), disc(fake_in)
        d_loss = F.binary_cross_entropy_with_logits(
            d_real, torch.ones(n)
        ) + F.binary_cross_entropy_with_logits(d_fake, torch.zeros(n))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        history["d_loss"].append(d_loss.item())
        history["d_fake"].append(torch.sigmoid(d_fake).mean().item())
        if step < cfg["d_pretrain"]:  # the discriminator first learns on the MLE samples
            continue
        if method == "gumbel":
            g_loss = F.softplus(-disc(fake)).mean()  # non-saturating: -log D(G(z))
        else:
            with torch.no_grad():
                reward = torch.sigmoid(disc(fake))
            g_loss = reinforce_loss(logp, reward, baseline.update(reward))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
    return gen, history


def sample_measures(samples: list[str], splits: dict[str, list[str]]) -> dict[str, float]:
    """Share of ``samples`` that are training idioms, that are held-out test idioms (real and
    novel), and distinct share (distinct samples / samples)."""
    train, test = set(splits["train"]), set(splits["test"])
    n = len(samples)
    return {
        "in_train": sum(s in train for s in samples) / n,
        "in_test": sum(s in test for s in samples) / n,
        "distinct": len(set(samples)) / n,
    }


_PAIRS = ((0, 1), (1, 2), (2, 3), (0, 2), (1, 3))


def _judge_features(words: list[str]) -> np.ndarray:
    """Seven yes/no features of an idiom ``abcd``: are ``ab``, ``bc``, ``cd``, ``ac``, ``bd``
    two-character words of jieba's dictionary, and are ``abc``, ``bcd`` three-character ones
    (what a reader notices first in a fake idiom; no four-character look-up, which would give
    real idioms away)."""
    from lmbook.text import dictionary_words

    two, three = dictionary_words(2), dictionary_words(3)
    return np.array(
        [
            [*(w[i] + w[j] in two for i, j in _PAIRS), w[0:3] in three, w[1:4] in three]
            for w in words
        ],
        dtype=float,
    )


def judge_accuracy(generated: list[str], splits: dict[str, list[str]], seed: int = 0) -> float:
    """Accuracy of a fresh judge on held-out data: logistic regression on dictionary features
    (:func:`_judge_features`), trained on validation idioms vs the first half of
    ``generated``, tested on test idioms vs the second half (balanced; 0.5 = indistinguishable).
    """
    from sklearn.linear_model import LogisticRegression

    real_fit, real_eval = splits["validation"], splits["test"]
    half = len(generated) // 2
    k = min(len(real_fit), len(real_eval), half)
    rng = np.random.default_rng(seed)
    fit = [real_fit[i] for i in rng.permutation(len(real_fit))[:k]] + generated[:k]
    evaluate = [real_eval[i] for i in rng.permutation(len(real_eval))[:k]] + generated[
        half : half + k
    ]
    y = np.r_[np.ones(k), np.zeros(k)]
    clf = LogisticRegression(C=1.0, max_iter=2000).fit(_judge_features(fit), y)
    return float((clf.predict(_judge_features(evaluate)) == y).mean())


def _measure(
    gen: IdiomGenerator, temperature: float, splits, vocab, seed: int, n: int
) -> dict[str, float]:
    with torch.no_grad():
        ids, _ = gen.sample(n, temperature, torch.Generator().manual_seed(1000 + seed))
    samples = vocab.decode(ids)
    return {
        **sample_measures(samples, splits),
        "judge": judge_accuracy(samples, splits, seed),
    }


def compare(
    seed: int = 0, cfg: dict[str, Any] = IDIOM_CONFIG, rows: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """One seed of the comparison: MLE at each temperature (rows ``mle_T<t>``), then both GANs
    (rows ``gumbel``, ``reinforce``, sampled at 1.0), each started from the same MLE generator.
    ``rows`` limits the rows computed (the MLE generator is always trained)."""
    splits = load_idioms()
    vocab = IdiomVocab(splits["train"])
    start = time.perf_counter()
    gen, mle_loss = train_mle(vocab, splits["train"], seed, cfg)
    wanted = [f"mle_T{t}" for t in cfg["temperatures"]] + list(GAN_METHODS)
    out, history = {}, {}
    for row in (r for r in wanted if rows is None or r in rows):
        if row.startswith("mle_T"):
            out[row] = _measure(gen, float(row[5:]), splits, vocab, seed, cfg["n_samples"])
        else:
            tuned, history[row] = train_gan(gen, vocab, splits["train"], row, seed, cfg)
            out[row] = _measure(tuned, 1.0, splits, vocab, seed, cfg["n_samples"])
    return {
        "seed": seed,
        "mle_loss": mle_loss,
        "rows": out,
        "d_fake_last20": {m: float(np.mean(h["d_fake"][-20:])) for m, h in history.items()},
        "wall_s": round(time.perf_counter() - start, 1),
    }


def load_idiom_record(path: Path = IDIOM_RECORD) -> dict[str, Any]:
    """The recorded multi-seed comparison written by ``python -m lmbook.gan.idioms``."""
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Record :func:`compare` for several seeds into :data:`IDIOM_RECORD`."""
    from lmbook.runtime import environment

    p = argparse.ArgumentParser(prog="python -m lmbook.gan.idioms", description=__doc__)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--out", type=Path, default=IDIOM_RECORD)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    start = time.perf_counter()
    splits = load_idioms()
    runs = [compare(s) for s in args.seeds]
    record = {
        "config": {**IDIOM_CONFIG, "seeds": args.seeds},
        **environment(),
        "split_sizes": {k: len(v) for k, v in splits.items()},
        "runs": runs,
        "wall_s": round(time.perf_counter() - start, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return record


if __name__ == "__main__":
    main()
