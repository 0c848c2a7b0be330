"""lmbook.nn.recurrent and lmbook.nn.charlm: from-scratch recurrent layers equal torch.nn's."""

from __future__ import annotations

import math

import pytest
import torch

from lmbook.nn import (
    GRU,
    LSTM,
    RNN,
    CharLM,
    bits_per_character,
    recurrent_param_count,
    sentence_batches,
    state_jacobian_norms,
)

PAIRS = [(RNN, torch.nn.RNN), (LSTM, torch.nn.LSTM), (GRU, torch.nn.GRU)]


@pytest.mark.parametrize(("ours", "ref"), PAIRS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_layers_equal_torch(ours: type, ref: type, batch_first: bool) -> None:
    torch.manual_seed(0)
    theirs = ref(5, 7, num_layers=2, batch_first=batch_first)
    mine = ours(5, 7, num_layers=2, batch_first=batch_first)
    mine.load_state_dict(theirs.state_dict())
    x = torch.randn(3, 11, 5) if batch_first else torch.randn(11, 3, 5)
    out_ref, state_ref = theirs(x)
    out, state = mine(x)
    torch.testing.assert_close(out, out_ref)
    torch.testing.assert_close(state, state_ref)
    assert sum(p.numel() for p in theirs.parameters()) == recurrent_param_count(mine.kind, 5, 7, 2)


def test_cho_gru_differs_from_torch() -> None:
    torch.manual_seed(1)
    ref = torch.nn.GRU(4, 6)
    cho = GRU(4, 6, variant="cho")
    cho.load_state_dict(ref.state_dict())
    x = torch.randn(9, 2, 4)
    assert (cho(x)[0] - ref(x)[0]).abs().max() > 1e-3


def test_jacobian_norms_match_autograd_jacobian() -> None:
    torch.manual_seed(2)
    model = RNN(3, 4)
    x = torch.randn(6, 2, 3)
    norms = state_jacobian_norms(model, x)
    expected = torch.zeros(6)
    for b in range(2):
        model(x[:, b : b + 1])
        states = model.states
        rows = [torch.autograd.grad(states[-1][0, j], states, retain_graph=True) for j in range(4)]
        for t in range(6):
            jac = torch.stack([r[t][0] for r in rows])  # dh_T/dh_t, [4, 4]
            expected[5 - t] += jac.norm() / 2
    torch.testing.assert_close(norms, expected)
    assert norms[0].item() == pytest.approx(2.0)  # dh_T/dh_T = I_4: Frobenius norm 2


def test_char_lm_scores_like_ngram_convention() -> None:
    vocab = ["</s>", "<unk>", "a", "b"]
    torch.manual_seed(3)
    model = CharLM(vocab, "gru", embed_dim=4, hidden_size=5)
    for p in model.head.parameters():
        torch.nn.init.zeros_(p)  # uniform prediction over 4 symbols: 2 bits per character
    assert bits_per_character(model, ["ab", "ba", "abc"]) == pytest.approx(2.0)
    ((x, y),) = sentence_batches(model, ["ab"], 4)
    assert x.tolist() == [[4, 2, 3]] and y.tolist() == [[2, 3, 0]]
    assert math.isfinite(bits_per_character(model, ["a"]))
