"""lmbook.viz.tokens: byte-level pieces merged back into Chinese characters; attention merged."""

from __future__ import annotations

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from lmbook.viz.tokens import Token, group_tokens, merge_groups, token_payload


@pytest.mark.parametrize("wrap", [False, True])
def test_byte_pieces_merge_into_characters(byte_bpe: Tokenizer, wrap: bool) -> None:
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=byte_bpe) if wrap else byte_bpe
    text = "中文模型今天很好"
    ids = byte_bpe.encode(text).ids
    pieces = [byte_bpe.id_to_token(i) for i in ids]
    assert "".join(pieces) != text  # raw byte-level pieces read as mojibake
    groups = group_tokens(tokenizer, ids)
    assert "".join(g.text for g in groups) == text
    assert all("\ufffd" not in g.text for g in groups)
    assert [p for g in groups for p in g.pieces] == pieces
    assert [i for g in groups for i in g.ids] == ids
    assert any(len(g.ids) > 1 for g in groups)  # some character was split across tokens
    assert "中" in [g.text for g in groups]


def test_without_merging_every_token_stays_alone(byte_bpe: Tokenizer) -> None:
    ids = byte_bpe.encode("中文").ids
    groups = group_tokens(byte_bpe, ids, merge_bytes=False)
    assert [g.ids for g in groups] == [(i,) for i in ids]


def test_character_tokenizer_is_left_alone() -> None:
    tok = Tokenizer(models.WordLevel({"[UNK]": 0, "今": 1, "天": 2, "好": 3}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    ids = tok.encode("今天好").ids
    groups = group_tokens(tok, ids)
    assert [g.ids for g in groups] == [(1,), (2,), (3,)]


def test_merge_groups_means_queries_and_sums_keys() -> None:
    weights = np.array([[1.0, 0.0, 0.0], [0.4, 0.6, 0.0], [0.2, 0.3, 0.5]])
    groups = [Token("中", ("a", "b"), (1, 2)), Token("文", ("c",), (3,))]
    merged = merge_groups(weights, groups, groups)
    # row "中" = mean of rows 0 and 1; column "中" = sum of columns 0 and 1
    expected = np.array([[(1.0 + 0.4 + 0.0 + 0.6) / 2, 0.0], [0.2 + 0.3, 0.5]])
    np.testing.assert_allclose(merged, expected)
    np.testing.assert_allclose(merged.sum(-1), 1.0)
    with pytest.raises(ValueError, match="does not match"):
        merge_groups(weights[:2], groups, groups)


def test_token_payload_keeps_text_pieces_and_ids() -> None:
    payload = token_payload([Token("中", ("ä¸", "Ń"), (5, 6))])
    assert payload == [{"t": "中", "p": ["ä¸", "Ń"], "i": [5, 6]}]
