"""Replaced-token detection vs masked LM (lmbook.gan.electra) and its record."""

import torch

from lmbook.gan import build_models, load_record, mask_tokens, replaced_token_labels


def test_mask_tokens_only_ordinary_positions():
    ids = torch.tensor([[2, *range(5, 105), 3, 0, 0]] * 20)
    masked, chosen = mask_tokens(ids, 0.15, 4, torch.Generator().manual_seed(0))
    assert not chosen[ids < 5].any()
    assert abs(chosen.float().sum() / (ids >= 5).sum() - 0.15) < 0.02
    assert torch.equal(masked[chosen], torch.full((int(chosen.sum()),), 4))
    assert torch.equal(masked[~chosen], ids[~chosen])


def test_replaced_token_labels():
    original = torch.tensor([[2, 10, 11, 12, 3, 0]])
    corrupted = torch.tensor([[2, 10, 99, 12, 3, 0]])
    labels = replaced_token_labels(original, corrupted, (original != 0).long())
    assert labels.tolist() == [[0, 0, 1, 0, 0, -1]]


def test_electra_generator_shares_embeddings():
    disc, gen = build_models("electra", 0)
    assert gen.electra.embeddings is disc.electra.embeddings
    assert gen.generator_lm_head.weight is disc.electra.embeddings.word_embeddings.weight
    mlm, none = build_models("mlm", 0)
    assert none is None
    n_enc = sum(p.numel() for p in mlm.electra.parameters())
    assert n_enc == sum(p.numel() for p in disc.electra.parameters())


def test_record_is_at_equal_flops():
    rec = load_record()
    f, s = rec["step_flops"], rec["steps"]
    assert abs(f["mlm"] * s["mlm"] - f["electra"] * s["electra"]) <= f["electra"]
    assert {r["method"] for r in rec["runs"]} == {"mlm", "electra"}
    assert len(rec["runs"]) == 2 * len(rec["config"]["seeds"])
