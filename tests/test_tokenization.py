"""Tests of lmbook.tokenization: shipped tokenizers, specials, round trips, reproducibility."""

from __future__ import annotations

import hashlib
import json
import socket
from collections import Counter

import pytest

from lmbook import tokenization as tk
from lmbook.data import load_lm_text, normalize

SAMPLE = "中共中央总书记、国家主席江泽民发表１９９８年新年讲话 Hello ＡＩ！"


@pytest.fixture(scope="module", params=tk.TOKENIZER_KINDS)
def shipped(request):
    return request.param, tk.load_tokenizer(request.param)


@pytest.fixture(scope="module")
def texts():
    return tk.training_texts()


def _meta(kind: str) -> dict:
    return json.loads((tk.TOKENIZER_DIR / kind / "meta.json").read_text())


def test_specials_and_cls_sep(shipped):
    _, tok = shipped
    assert tok.convert_ids_to_tokens(range(5)) == tk.SPECIAL_TOKENS
    assert (tok.bos_token, tok.eos_token, tok.pad_token_id) == ("[CLS]", "[SEP]", 0)
    single = tok("你好")
    assert set(single) == {"input_ids", "attention_mask"}
    bare = tok("你好", add_special_tokens=False)["input_ids"]
    assert single["input_ids"] == [tok.cls_token_id, *bare, tok.sep_token_id]
    pair = tok("你好", "再见", return_token_type_ids=True)
    assert pair["input_ids"].count(tok.sep_token_id) == 2
    assert pair["token_type_ids"][-1] == 1 and pair["token_type_ids"][0] == 0


def test_round_trip_and_nfkc(shipped):
    _, tok = shipped
    ids = tok(SAMPLE)["input_ids"]
    assert tok.unk_token_id not in ids
    assert tok.decode(ids, skip_special_tokens=True) == normalize(SAMPLE)
    held_out = list(load_lm_text()["test"]["text"][:300])
    encoded = tok(held_out, add_special_tokens=False)["input_ids"]
    known = [(t, x) for t, x in zip(held_out, encoded, strict=True) if tok.unk_token_id not in x]
    assert len(known) > 250
    assert all(tok.decode(x) == t for t, x in known)


def test_char_is_one_token_per_character():
    tok = tk.load_tokenizer("char")
    assert tok.tokenize("江泽民 说") == ["江", "泽", "民", "▁", "说"]
    assert tok.tokenize("１２") == ["1", "2"]
    assert tok.tokenize("龘") == ["[UNK]"]


def test_bpe_tokens_are_readable_chinese():
    tok = tk.load_tokenizer("bpe")
    tokens = tok.tokenize("中华人民共和国主席江泽民")
    assert len(tokens) < 6 and "".join(tokens) == "中华人民共和国主席江泽民"
    assert {"人民", "中国", "经济"} <= set(tok.get_vocab())
    held_out = list(load_lm_text()["test"]["text"][:300])
    bpe_density = tk.tokens_per_character(tok, held_out)
    char_density = tk.tokens_per_character(tk.load_tokenizer("char"), held_out)
    assert bpe_density < 0.8 < char_density <= 1.0


@pytest.mark.parametrize("kind", tk.TOKENIZER_KINDS)
def test_shipped_files_match_their_record(kind, texts):
    meta = _meta(kind)
    tokenizer_json = (tk.TOKENIZER_DIR / kind / "tokenizer.json").read_bytes()
    assert hashlib.sha256(tokenizer_json).hexdigest() == meta["tokenizer_json_sha256"]
    assert meta["training_data_sha256"] == tk.texts_digest(texts)
    assert meta["vocab_size"] == len(tk.load_tokenizer(kind))
    assert meta["requested_vocab_size"] == tk.SHIPPED_VOCAB_SIZES[kind]


def test_char_retrain_equals_shipped(texts):
    shipped = tk.load_tokenizer("char")
    retrained = tk.train_tokenizer(texts, "char", tk.SHIPPED_VOCAB_SIZES["char"])
    assert retrained.backend_tokenizer.to_str() == shipped.backend_tokenizer.to_str()
    counts = Counter("".join(texts).replace(" ", "▁"))
    expected = {c for c, n in counts.items() if n >= 2} | set(tk.SPECIAL_TOKENS)
    assert set(shipped.get_vocab()) == expected


def test_bpe_training_ignores_input_order(texts):
    subset = texts[::20]
    first = tk.train_tokenizer(subset, "bpe", 3000)
    second = tk.train_tokenizer(subset[::-1], "bpe", 3000)
    assert len(first) == 3000
    assert first.backend_tokenizer.to_str() == second.backend_tokenizer.to_str()


def test_loading_needs_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access during load_tokenizer")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    for kind in tk.TOKENIZER_KINDS:
        assert len(tk.load_tokenizer(kind)) == _meta(kind)["vocab_size"]


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="kind must be one of"):
        tk.load_tokenizer("bytes")
    with pytest.raises(ValueError, match="vocab_size must exceed"):
        tk.train_tokenizer(["你好"], "char", 5)
    with pytest.raises(ValueError, match="larger vocab_size"):
        tk.train_tokenizer(["你好", "你们好"] * 2, "bpe", 8)
