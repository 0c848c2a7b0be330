"""Idioms, the idiom generator and the independent judge (lmbook.gan.idioms)."""

import torch

from lmbook.gan import (
    IdiomDiscriminator,
    IdiomGenerator,
    IdiomVocab,
    judge_accuracy,
    load_idioms,
    sample_measures,
)


def test_splits_are_fixed_disjoint_idioms():
    s = load_idioms()
    assert {k: len(v) for k, v in s.items()} == {"train": 9489, "validation": 1217, "test": 1190}
    assert not set(s["train"]) & set(s["test"]) and not set(s["train"]) & set(s["validation"])
    assert all(
        len(w) == 4 and all("\u4e00" <= c <= "\u9fff" for c in w) for v in s.values() for w in v
    )
    assert "一丝不苟" in s["validation"] and "一丝不挂" in s["train"]


def test_vocab_round_trip_and_unknown():
    v = IdiomVocab(["一心一意", "三心二意"])
    assert len(v) == 6
    assert v.decode(v.encode(["一心二意"])) == ["一心二意"]
    assert v.decode(v.encode(["十全十美"])) == ["□□□□"]


def test_generator_shapes_and_log_probs():
    torch.manual_seed(0)
    gen = IdiomGenerator(10, embed=8, hidden=16)
    ids, logp = gen.sample(5, 1.0, torch.Generator().manual_seed(0))
    assert ids.shape == (5, 4) and int(ids.max()) < 10
    ref = gen(ids).log_softmax(-1).gather(2, ids[..., None]).squeeze(2).sum(1)
    torch.testing.assert_close(logp, ref)
    soft = gen.sample_gumbel(3)
    assert soft.shape == (3, 4, 10) and torch.equal(soft.detach().sum(-1), torch.ones(3, 4))
    disc = IdiomDiscriminator(10, embed=8, hidden=16)
    torch.testing.assert_close(disc(ids), disc(torch.nn.functional.one_hot(ids, 10).float()))


def test_measures_and_judge():
    s = load_idioms()
    m = sample_measures([s["train"][0], s["train"][0], s["test"][0], "甲乙丙丁"], s)
    assert m == {"in_train": 0.5, "in_test": 0.25, "distinct": 0.75}
    # held-out real vs real training idioms: the judge cannot tell them apart
    assert abs(judge_accuracy(s["train"][:2400], s) - 0.5) < 0.08
    # real vs characters shuffled across idioms: it can
    g = torch.Generator().manual_seed(0)
    chars = [c for w in s["train"][:2400] for c in w]
    perm = torch.randperm(len(chars), generator=g).tolist()
    shuffled = ["".join(chars[j] for j in perm[i : i + 4]) for i in range(0, len(perm), 4)]
    assert judge_accuracy(shuffled, s) > 0.75
