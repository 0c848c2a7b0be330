"""lmbook.data.prep: cleaning, near-duplicates and packing (section 4.1)."""

from __future__ import annotations

import torch

from lmbook.data import (
    char_shingles,
    clean_text,
    duplicate_clusters,
    jaccard,
    load_raw_peoples_daily,
    load_raw_reviews,
    near_duplicate_pairs,
    pack_sequences,
    packed_attention_mask,
    packed_labels,
)


def test_clean_text_decodes_normalises_and_drops_invisible() -> None:
    assert clean_text("好&#65292;很好&#183;<br/>真的") == "好,很好· 真的"
    assert clean_text("ＡＢ１\u3000二\u200b三\ue5e5四\x07") == "AB1 二三 四"
    assert clean_text("《三国》<三国>。") == "《三国》<三国>。"
    assert clean_text("a<br />b</p>c<a href='x'>d") == "a b c d"


def test_clean_text_decodes_hz_and_keeps_what_only_looks_like_a_tag() -> None:
    hz = "卫生间没有打扫干净".encode("hz").decode("ascii")
    assert "<" in hz and clean_text(f"差评: {hz}!") == "差评: 卫生间没有打扫干净!"
    assert clean_text("~{abc~}") == "~{abc~}"  # not valid HZ: left alone


def test_shingles_and_jaccard() -> None:
    assert char_shingles("abcdef", 3) == {"abc", "bcd", "cde", "def"}
    assert char_shingles("ab", 3) == {"ab"}
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3
    assert jaccard(set(), set()) == 1.0


def test_near_duplicates_are_found_and_verified() -> None:
    base = "这家酒店的服务非常好，房间干净，早餐丰富，下次还会再来入住。"
    texts = [base, base[:-1], "物流太慢了，包装也破了，很失望的一次购物经历。", base + "！"]
    pairs = near_duplicate_pairs(texts, threshold=0.8)
    assert pairs == [(0, 1), (0, 3), (1, 3)]
    shingles = [char_shingles(t) for t in texts]
    assert all(jaccard(shingles[i], shingles[j]) >= 0.8 for i, j in pairs)
    assert duplicate_clusters(len(texts), pairs) == [0, 0, 2, 0]
    assert duplicate_clusters(4, [(2, 3), (1, 2)]) == [0, 1, 1, 1]


def test_raw_reviews_are_the_unprocessed_lines() -> None:
    raw = load_raw_reviews()
    assert len(raw) == 16548 + 18576 - 1  # one line of the files is blank
    assert {label for _, label in raw} == {0, 1}
    assert any("&#" in text for text, _ in raw)


def test_raw_peoples_daily_drops_tags_and_keeps_full_width() -> None:
    raw = load_raw_peoples_daily()
    assert len(raw) == 19484
    assert not any("/n" in line for line in raw[:100])
    assert any("１" in line for line in raw)  # NFKC has not been applied


def test_packing_keeps_tokens_and_restarts_positions() -> None:
    docs = [[1, 2, 3], [4, 5], [6, 7, 8, 9]]
    packed = pack_sequences(docs, length=4, pad_id=0)
    assert packed.input_ids.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 0, 0, 0]]
    assert packed.segment_ids.tolist() == [[0, 0, 0, 1], [1, 2, 2, 2], [2, -1, -1, -1]]
    assert packed.position_ids.tolist() == [[0, 1, 2, 0], [0, 0, 1, 2], [0, 0, 0, 0]]
    labels = packed_labels(packed)
    assert labels.tolist() == [[-100, 2, 3, -100], [-100, -100, 7, 8], [-100, -100, -100, -100]]


def test_packed_mask_is_causal_and_per_document() -> None:
    seg = torch.tensor([[0, 0, 1, 1, -1]])
    allowed = packed_attention_mask(seg)[0, 0] == 0
    expected = torch.tensor(
        [
            [1, 0, 0, 0, 0],
            [1, 1, 0, 0, 0],
            [0, 0, 1, 0, 0],
            [0, 0, 1, 1, 0],
            [0, 0, 0, 0, 1],
        ],
        dtype=torch.bool,
    )
    assert torch.equal(allowed, expected)
