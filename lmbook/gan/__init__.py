"""GANs and what the generator/discriminator idea does for language (chapter 7).

- :mod:`~lmbook.gan.mixture`: the ring of 8 Gaussians, its measures (modes covered, share of
  high-quality samples) and the EM baseline (sections 7.1, 7.3);
- :mod:`~lmbook.gan.losses`: the discriminator's and the generator's losses (saturating and
  non-saturating), the optimal discriminator and the Jensen-Shannon identity (7.1);
- :mod:`~lmbook.gan.wgan`: the WGAN critic, the gradient penalty, spectral normalisation (7.3);
- :mod:`~lmbook.gan.record`: ``python -m lmbook.gan.record``, the recorded multi-seed comparison
  of the plain GAN, WGAN-GP and SN-GAN on the ring (7.3), and the training loop it runs;
- :mod:`~lmbook.gan.text`: Gumbel-softmax with the straight-through estimator, REINFORCE with a
  baseline (7.2);
- :mod:`~lmbook.gan.idioms`: four-character idioms from jieba's dictionary, an MLE generator,
  Gumbel-softmax and REINFORCE GANs, and an independent judge (7.2);
- :mod:`~lmbook.gan.electra`: ELECTRA-style replaced-token detection vs masked-LM pretraining at
  equal FLOPs, ``python -m lmbook.gan.electra`` (7.2).

Every public name is exported here and imported on first use, so ``import lmbook.gan`` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["electra", "idioms", "losses", "mixture", "record", "text", "wgan"],
    submod_attrs={
        "losses": [
            "d_loss",
            "g_loss_nonsaturating",
            "g_loss_saturating",
            "gan_value",
            "js_divergence",
            "optimal_discriminator",
        ],
        "mixture": ["RING", "fit_em", "mode_stats", "ring_centers", "sample_ring"],
        "record": [
            "METHODS",
            "VARIANTS",
            "GAN2DConfig",
            "GAN2DRun",
            "em_baseline",
            "load_gan2d_record",
            "make_mlp",
            "run_comparison",
            "train_gan2d",
        ],
        "text": ["MovingBaseline", "gumbel_noise", "gumbel_softmax", "reinforce_loss"],
        "idioms": [
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
            "sample_measures",
            "train_gan",
            "train_mle",
        ],
        "electra": [
            "CONFIG",
            "RECORD",
            "bag_of_chars_accuracy",
            "build_models",
            "load_record",
            "mask_tokens",
            "pretrain",
            "probe_accuracy",
            "replaced_token_labels",
            "step_flops",
        ],
        "wgan": ["SNLinear", "critic_loss", "gradient_penalty", "power_iteration", "wgan_g_loss"],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.gan import electra, idioms, losses, mixture, record, text, wgan
    from lmbook.gan.electra import (
        CONFIG,
        RECORD,
        bag_of_chars_accuracy,
        build_models,
        load_record,
        mask_tokens,
        pretrain,
        probe_accuracy,
        replaced_token_labels,
        step_flops,
    )
    from lmbook.gan.idioms import (
        CHARACTERS,
        GAN_METHODS,
        IDIOM_CONFIG,
        IDIOM_RECORD,
        IdiomDiscriminator,
        IdiomGenerator,
        IdiomVocab,
        compare,
        judge_accuracy,
        load_idiom_record,
        load_idioms,
        sample_measures,
        train_gan,
        train_mle,
    )
    from lmbook.gan.losses import (
        d_loss,
        g_loss_nonsaturating,
        g_loss_saturating,
        gan_value,
        js_divergence,
        optimal_discriminator,
    )
    from lmbook.gan.mixture import RING, fit_em, mode_stats, ring_centers, sample_ring
    from lmbook.gan.record import (
        METHODS,
        VARIANTS,
        GAN2DConfig,
        GAN2DRun,
        em_baseline,
        load_gan2d_record,
        make_mlp,
        run_comparison,
        train_gan2d,
    )
    from lmbook.gan.text import MovingBaseline, gumbel_noise, gumbel_softmax, reinforce_loss
    from lmbook.gan.wgan import (
        SNLinear,
        critic_loss,
        gradient_penalty,
        power_iteration,
        wgan_g_loss,
    )
