"""The from-scratch LoRA (lmbook.nn.lora) is peft's LoRA: same outputs, gradients, updates."""

from __future__ import annotations

import copy

import pytest
import torch

from lmbook.adapters.peft_bridge import copy_lora_from_peft
from lmbook.nn import (
    LoRALinear,
    add_lora,
    lora_parameters,
    matches_target,
    merge_lora,
    unload_lora,
)

peft = pytest.importorskip("peft")


@pytest.fixture(scope="module")
def base():
    from lmbook.seeding import seed_everything
    from lmbook.zoo import load

    seed_everything(0)
    model, _ = load("gpt-zh-tiny")
    return model.eval()


def _pair(base, r=4, alpha=8.0, rslora=False):
    from lmbook.zoo.adapters import LORA_TARGETS, lora_config

    config = lora_config(base, "causal-lm", r=r, lora_alpha=alpha)
    config.use_rslora = rslora
    ref = peft.get_peft_model(copy.deepcopy(base), config)
    ours = add_lora(copy.deepcopy(base), LORA_TARGETS["gpt2"], r=r, alpha=alpha, rslora=rslora)
    assert copy_lora_from_peft(ref, ours) == 2 * 3 * 4  # A and B of 4 layers in 3 blocks
    return ref, ours


def _ids():
    return torch.randint(5, 4000, (2, 16), generator=torch.Generator().manual_seed(1))


def test_b_zero_means_base_model(base) -> None:
    _, ours = _pair(base)
    x = _ids()
    assert torch.equal(ours(x).logits, base(x).logits)
    for name, p in lora_parameters(ours):
        assert (p == 0).all() == name.endswith("lora_B")


@pytest.mark.parametrize("rslora", [False, True])
def test_outputs_and_gradients_bit_identical(base, rslora) -> None:
    ref, ours = _pair(base, rslora=rslora)
    with torch.no_grad():  # non-zero B in both, so the update matters
        for (_, p), (_, q) in zip(lora_parameters(ours), _peft_factors(ref), strict=True):
            p.normal_(0, 0.05, generator=torch.Generator().manual_seed(p.numel()))
            q.copy_(p)
    x = _ids()
    a, b = ours(x, labels=x), ref(x, labels=x)
    assert torch.equal(a.logits, b.logits)
    a.loss.backward()
    b.loss.backward()
    for (_, p), (_, q) in zip(lora_parameters(ours), _peft_factors(ref), strict=True):
        assert torch.equal(p.grad, q.grad)


def _peft_factors(ref):
    return [(n, p) for n, p in ref.named_parameters() if "lora_" in n]


def test_training_steps_agree_and_merge_unload(base) -> None:
    ref, ours = _pair(base)
    opts = [
        torch.optim.AdamW([p for _, p in ps], lr=1e-2)
        for ps in (list(lora_parameters(ours)), _peft_factors(ref))
    ]
    for step in range(5):
        x = torch.randint(5, 4000, (2, 16), generator=torch.Generator().manual_seed(step))
        for model, opt in zip((ours, ref), opts, strict=True):
            model(x, labels=x).loss.backward()
            opt.step()
            opt.zero_grad()
    for (_, p), (_, q) in zip(lora_parameters(ours), _peft_factors(ref), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
    x = _ids()
    before = ours(x).logits
    merged = merge_lora(copy.deepcopy(ours))
    assert not any(isinstance(m, LoRALinear) for m in merged.modules())
    torch.testing.assert_close(merged(x).logits, before, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(
        merged(x).logits, ref.merge_and_unload()(x).logits, rtol=1e-5, atol=1e-5
    )
    restored = unload_lora(ours)
    for (n, p), (_, q) in zip(
        restored.state_dict().items(), base.state_dict().items(), strict=True
    ):
        assert torch.equal(p, q), n


def test_errors_say_what_to_do(base) -> None:
    with pytest.raises(ValueError, match="matches"):
        add_lora(copy.deepcopy(base), ["no_such_layer"])
    with pytest.raises(ValueError, match="positive"):
        LoRALinear(torch.nn.Linear(4, 4), r=0)
    with pytest.raises(TypeError, match=r"nn\.Linear"):
        LoRALinear(torch.nn.Embedding(4, 4))


def test_target_rule_is_peft_suffix_rule() -> None:
    """One rule for LoRA and the calculator: the full name is, or ends with, ``.target``."""
    from peft import LoraConfig
    from peft.tuners.tuners_utils import check_target_module_exists

    names = ["h.0.attn.c_proj", "h.0.mlp.c_proj", "h.0.attn.xc_proj", "c_proj", "h.0.attn"]
    config = LoraConfig(target_modules=["c_proj"])
    for name in names:
        assert matches_target(name, ["c_proj"]) == bool(check_target_module_exists(config, name))
    assert [n for n in names if matches_target(n, ["attn.c_proj"])] == ["h.0.attn.c_proj"]
