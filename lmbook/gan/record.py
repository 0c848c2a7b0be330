"""The recorded comparison of section 7.3: plain GAN, WGAN-GP and SN-GAN on the ring of 8.

    python -m lmbook.gan.record [--seeds 5] [--steps 2000] [--variant-seeds 3]

Each method trains the same tiny MLPs (2-d noise, two hidden layers of 64 ReLU units) on the
same fixed training set of the ring (:func:`~lmbook.gan.mixture.sample_ring`, seed 0), batch
256, and is measured every ``eval_every`` steps on 2500 generated samples (modes covered, share
of high-quality samples). The loop is the one of ``docs/train.md`` (the discriminator, or critic,
then the generator, each with its own Adam, the NaN guard, one :class:`~lmbook.train.History`
per model). Writes ``lmbook/assets/records/gan2d.json`` (config, hardware, versions, wall times,
every run's measurements and the EM baseline); the notebook re-runs one seed with
:func:`train_gan2d` and compares.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn

from lmbook.gan.losses import d_loss, g_loss_nonsaturating, g_loss_saturating
from lmbook.gan.mixture import RING, fit_em, mode_stats, sample_ring
from lmbook.gan.wgan import SNLinear, critic_loss, gradient_penalty, wgan_g_loss

__all__ = [
    "METHODS",
    "RECORD",
    "VARIANTS",
    "GAN2DConfig",
    "GAN2DRun",
    "em_baseline",
    "load_gan2d_record",
    "make_mlp",
    "run_comparison",
    "train_gan2d",
]

RECORD = Path(__file__).resolve().parents[1] / "assets" / "records" / "gan2d.json"
N_TRAIN, N_EVAL = 8192, 2500


@dataclass
class GAN2DConfig:
    """One GAN on the ring: the objective, the critic steps and the two learning rates."""

    method: str = "gan"  # "gan" | "wgan-gp" | "sn-gan"
    g_loss: str = "nonsaturating"  # for "gan" and "sn-gan": or "saturating"
    steps: int = 2000  # generator steps
    n_critic: int = 1  # discriminator (critic) steps per generator step
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)
    # lambda of the gradient penalty ("wgan-gp"): 0.1 as in the authors' 2-D toy code
    # (gan_toy.py, with n_critic=5, Adam betas (0.5, 0.9)); the paper's default is 10
    gp_weight: float = 0.1
    batch_size: int = 256
    hidden: int = 64
    z_dim: int = 2
    eval_every: int = 250


# The settings each method is recorded with; the last two are the variants that show what the
# first ones need (the non-saturating loss; several critic steps per generator step).
METHODS: dict[str, GAN2DConfig] = {
    "gan": GAN2DConfig("gan"),
    "sn-gan": GAN2DConfig("sn-gan"),
    "wgan-gp": GAN2DConfig("wgan-gp", n_critic=5, betas=(0.5, 0.9)),
    "gan-saturating": GAN2DConfig("gan", g_loss="saturating"),
    "wgan-gp-1critic": GAN2DConfig("wgan-gp", n_critic=1, betas=(0.5, 0.9)),
}
VARIANTS = ("gan-saturating", "wgan-gp-1critic")  # recorded with fewer seeds


@dataclass
class GAN2DRun:
    """What a run leaves: the generator, both histories and the measurements over steps."""

    generator: nn.Module
    discriminator: nn.Module
    history_g: Any
    history_d: Any
    evals: list[dict[str, Any]] = field(default_factory=list)
    wall_s: float = 0.0


def make_mlp(n_in: int, n_out: int, hidden: int, spectral: bool = False) -> nn.Sequential:
    """``n_in -> hidden -> hidden -> n_out`` with ReLU; :class:`SNLinear` layers if ``spectral``."""
    layer = SNLinear if spectral else nn.Linear
    return nn.Sequential(
        layer(n_in, hidden), nn.ReLU(), layer(hidden, hidden), nn.ReLU(), layer(hidden, n_out)
    )


def _d_phase(cfg: GAN2DConfig, gen: nn.Module, disc: nn.Module, real, z, rng) -> torch.Tensor:
    fake = gen(z).detach()
    real_out, fake_out = disc(torch.cat([real, fake])).chunk(2)  # one pass for both halves
    if cfg.method == "wgan-gp":
        gp = gradient_penalty(disc, real, fake, generator=rng)
        return critic_loss(real_out, fake_out) + cfg.gp_weight * gp
    return d_loss(real_out, fake_out)


def _g_phase(cfg: GAN2DConfig, gen: nn.Module, disc: nn.Module, z) -> torch.Tensor:
    out = disc(gen(z))
    if cfg.method == "wgan-gp":
        return wgan_g_loss(out)
    return g_loss_saturating(out) if cfg.g_loss == "saturating" else g_loss_nonsaturating(out)


def train_gan2d(cfg: GAN2DConfig, seed: int = 0, data: torch.Tensor | None = None) -> GAN2DRun:
    """Train one GAN of ``cfg`` with ``seed`` on ``data`` (default: the ring's training set)."""
    from lmbook.seeding import seed_everything
    from lmbook.train import History
    from lmbook.train.guards import check_finite

    if cfg.method not in ("gan", "sn-gan", "wgan-gp"):
        raise ValueError(f"method={cfg.method!r} is not one of 'gan', 'sn-gan', 'wgan-gp'")
    data = torch.from_numpy(sample_ring(N_TRAIN, seed=0)) if data is None else data
    seed_everything(seed)
    gen = make_mlp(cfg.z_dim, 2, cfg.hidden)
    disc = make_mlp(2, 1, cfg.hidden, spectral=cfg.method == "sn-gan")
    gan = nn.ModuleDict({"generator": gen, "discriminator": disc})
    opt_g = torch.optim.Adam(gen.parameters(), lr=cfg.lr_g, betas=cfg.betas)
    opt_d = torch.optim.Adam(disc.parameters(), lr=cfg.lr_d, betas=cfg.betas)
    rng = torch.Generator().manual_seed(seed)
    z_eval = torch.randn(N_EVAL, cfg.z_dim, generator=torch.Generator().manual_seed(10_000 + seed))
    run = GAN2DRun(gen, disc, History(), History())
    start = time.perf_counter()
    for step in range(1, cfg.steps + 1):
        phases = []
        for _ in range(cfg.n_critic):
            real = data[torch.randint(len(data), (cfg.batch_size,), generator=rng)]
            z = torch.randn(cfg.batch_size, cfg.z_dim, generator=rng)
            phases.append((partial(_d_phase, cfg, gen, disc, real, z, rng), opt_d, run.history_d))
        z = torch.randn(cfg.batch_size, cfg.z_dim, generator=rng)
        phases.append((partial(_g_phase, cfg, gen, disc, z), opt_g, run.history_g))
        for loss_fn, opt, hist in phases:
            gan.zero_grad(set_to_none=True)
            loss = loss_fn()
            loss.backward()
            if check_finite(gan, loss, step=step, rerun=loss_fn):
                opt.step()
            hist.step.append(step)
            hist.loss.append(loss.item())
        if step % cfg.eval_every == 0 or step == cfg.steps:
            with torch.no_grad():
                stats = mode_stats(gen(z_eval), **RING)
            run.evals.append({"step": step, **stats})
    run.wall_s = time.perf_counter() - start
    return run


def em_baseline(seeds: range | list[int]) -> list[dict[str, Any]]:
    """The EM-fitted Gaussian mixture on the same training set: measures of 2500 of its samples."""
    data = sample_ring(N_TRAIN, seed=0)
    out = []
    for seed in seeds:
        gm = fit_em(data, seed=seed)
        x, _ = gm.sample(N_EVAL)
        out.append({"seed": seed, **mode_stats(x, **RING)})
    return out


def run_comparison(seeds: int = 5, steps: int = 2000, variant_seeds: int = 3) -> dict[str, Any]:
    """Every setting of :data:`METHODS` (``seeds`` seeds, ``variant_seeds`` for the variants)
    and the EM baseline."""
    from lmbook.runtime import environment

    runs, configs = [], {}
    for name, base in METHODS.items():
        cfg = dataclasses.replace(base, steps=steps)
        configs[name] = dataclasses.asdict(cfg)
        for seed in range(variant_seeds if name in VARIANTS else seeds):
            r = train_gan2d(cfg, seed)
            runs.append({"method": name, "seed": seed, "wall_s": r.wall_s, "evals": r.evals})
            last = r.evals[-1]
            print(
                f"{name} seed {seed}: {last['modes']} modes, high quality "
                f"{last['high_quality']:.3f}, {r.wall_s:.1f} s",
                flush=True,
            )
    return {
        "config": {"ring": RING, "n_train": N_TRAIN, "n_eval": N_EVAL, "methods": configs},
        **environment(("torch", "scikit-learn")),
        "runs": runs,
        "em": em_baseline(range(seeds)),
    }


def load_gan2d_record(path: Path = RECORD) -> dict[str, Any]:
    """The stored record of :func:`run_comparison`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> None:
    """Run the comparison and write :data:`RECORD`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--variant-seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RECORD)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    start = time.perf_counter()
    record = run_comparison(args.seeds, args.steps, args.variant_seeds)
    record["wall_s"] = time.perf_counter() - start
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {record['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
