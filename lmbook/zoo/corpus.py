"""Pretraining data for the shipped models: texts with word boundaries, GPT sequence packing,
and BERT's (whole-word) masking.

The texts are those the shipped tokenizers were trained on
(:func:`lmbook.tokenization.training_texts`: the People's Daily ``train`` split, with its gold
word segmentation, and the review ``train`` split, unsegmented so every character is a word);
no held-out sentence is ever seen. Review labels are not used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lmbook.zoo.architectures import BLOCK

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from transformers import PreTrainedTokenizerFast

__all__ = [
    "MaskingCollator",
    "PackedBlocks",
    "masked_lm_loss",
    "pack_stream",
    "pack_words",
    "pretraining_words",
]


def pretraining_words(split: str = "train", reviews: bool = True) -> list[list[str]]:
    """Sentences as lists of words: People's Daily (gold words), then reviews (one word a char).

    With ``split="train"`` the texts joined are exactly ``lmbook.tokenization.training_texts()``;
    ``reviews=False`` keeps the news only.
    """
    from lmbook.data import load_peoples_daily, load_reviews

    daily = [list(words) for words in load_peoples_daily()[split]["words"]]
    if not reviews:
        return daily
    return daily + [list(text) for text in load_reviews()[split]["text"]]


def pack_stream(
    tokenizer: PreTrainedTokenizerFast, texts: Sequence[str], block: int = BLOCK
) -> torch.Tensor:
    """Concatenate ``[CLS] text [SEP]`` for all texts and cut the stream into rows of ``block``.

    The GPT reads [CLS] as beginning-of-text and [SEP] as end-of-text; the last partial row is
    dropped. Returns a ``(rows, block)`` int64 tensor.
    """
    import torch

    ids = tokenizer(list(texts), add_special_tokens=True)["input_ids"]
    stream = torch.tensor([t for row in ids for t in row], dtype=torch.long)
    rows = len(stream) // block
    return stream[: rows * block].view(rows, block)


def pack_words(
    tokenizer: PreTrainedTokenizerFast, sentences: Sequence[Sequence[str]], block: int = BLOCK
) -> list[tuple[list[int], list[int]]]:
    """Greedily pack whole sentences into ``[CLS] … [SEP]`` sequences of at most ``block`` tokens.

    Each sequence comes with the word number of every token (-1 for [CLS]/[SEP]) so that masking
    can take whole words. A sentence longer than a sequence is cut into pieces.
    """
    room = block - 2
    words_ids = tokenizer(
        [list(s) for s in sentences], is_split_into_words=True, add_special_tokens=False
    )
    packed: list[tuple[list[int], list[int]]] = []
    ids: list[int] = []
    wid: list[int] = []
    word_no = 0
    for i in range(len(sentences)):
        sent_ids = words_ids["input_ids"][i]
        sent_words = [w + word_no for w in words_ids.word_ids(i)]
        word_no = (sent_words[-1] + 1) if sent_words else word_no
        if ids and len(ids) + len(sent_ids) > room:
            packed.append(_frame(tokenizer, ids, wid))
            ids, wid = [], []
        while len(sent_ids) > room:
            packed.append(_frame(tokenizer, sent_ids[:room], sent_words[:room]))
            sent_ids, sent_words = sent_ids[room:], sent_words[room:]
        ids += sent_ids
        wid += sent_words
    if ids:
        packed.append(_frame(tokenizer, ids, wid))
    return packed


def _frame(
    tokenizer: PreTrainedTokenizerFast, ids: list[int], wid: list[int]
) -> tuple[list[int], list[int]]:
    return [tokenizer.cls_token_id, *ids, tokenizer.sep_token_id], [-1, *wid, -1]


class PackedBlocks:
    """Rows of a packed token stream as causal-LM examples (``labels`` = ``input_ids``)."""

    def __init__(self, rows: torch.Tensor) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.rows[i], "labels": self.rows[i]}


class MaskingCollator:
    """Pad packed sequences and mask ~``rate`` of their tokens for masked-LM training.

    ``whole_word=True`` masks all characters of a chosen word together (People's Daily has gold
    words); otherwise characters are chosen one by one. Chosen tokens become [MASK] 80% of the
    time, a random token 10%, stay 10% (as in BERT). Randomness comes from torch's global
    generator, so ``lmbook.train`` replays it exactly when a run resumes.
    """

    def __init__(
        self, tokenizer: PreTrainedTokenizerFast, rate: float = 0.15, whole_word: bool = True
    ) -> None:
        self.pad = tokenizer.pad_token_id
        self.mask = tokenizer.mask_token_id
        self.first_normal = len(tokenizer.all_special_ids)
        self.vocab = len(tokenizer)
        self.rate = rate
        self.whole_word = whole_word

    def __call__(self, batch: Sequence[tuple[list[int], list[int]]]) -> dict[str, Any]:
        import torch

        width = max(len(ids) for ids, _ in batch)
        ids = torch.full((len(batch), width), self.pad, dtype=torch.long)
        words = torch.full((len(batch), width), -1, dtype=torch.long)
        for row, (x, w) in enumerate(batch):
            ids[row, : len(x)] = torch.tensor(x)
            words[row, : len(w)] = torch.tensor(w)
        attention = (ids != self.pad).long()
        if not self.whole_word:
            words = torch.where(words >= 0, torch.arange(width).expand_as(words), words)
        chosen = self._choose(words)
        labels = torch.where(chosen, ids, torch.full_like(ids, -100))
        action = torch.rand(ids.shape)
        random_ids = torch.randint(self.first_normal, self.vocab, ids.shape)
        inputs = torch.where(chosen & (action < 0.8), torch.full_like(ids, self.mask), ids)
        inputs = torch.where(chosen & (action >= 0.8) & (action < 0.9), random_ids, inputs)
        return {"input_ids": inputs, "attention_mask": attention, "labels": labels}

    def _choose(self, words: torch.Tensor) -> torch.Tensor:
        """Pick each word (shared number within a row) with probability ``rate``."""
        import torch

        offset = words.max() + 1
        key = torch.where(words >= 0, words + offset * torch.arange(len(words)).unsqueeze(1), -1)
        uniq, inverse = torch.unique(key, return_inverse=True)
        picked = torch.rand(len(uniq)) < self.rate
        return picked[inverse] & (key >= 0)


def masked_lm_loss(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """BERT's masked-LM loss with the output layer applied only at the masked positions.

    The same value as ``model(**batch).loss`` (mean cross-entropy over the masked tokens), but the
    4,613-way output layer runs on ~15% of the tokens instead of all: pretraining is ~1.5x faster.
    """
    import torch.nn.functional as F

    hidden = model.bert(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    keep = batch["labels"] != -100
    return F.cross_entropy(model.cls(hidden[keep]), batch["labels"][keep])
