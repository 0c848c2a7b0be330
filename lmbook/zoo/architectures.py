"""Configurations of the two shipped architectures (GPT-2 decoder, BERT encoder), kept small.

Sizes were chosen by measurement on a 2-core CPU (see the model cards): small enough that a LoRA
fine-tune of a few thousand examples takes well under a minute, large enough to beat n-grams.
Both use the eager attention implementation, so ``output_attentions=True`` returns weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from transformers import BertConfig, GPT2Config, PreTrainedTokenizerFast

__all__ = ["BLOCK", "bert_config", "gpt_config"]

BLOCK = 128  # tokens per training sequence = maximum positions of both models


def gpt_config(
    tokenizer: PreTrainedTokenizerFast,
    n_layer: int = 3,
    n_embd: int = 128,
    n_head: int = 4,
    dropout: float = 0.0,
) -> GPT2Config:
    """A GPT-2 over ``tokenizer``'s vocabulary, tied embeddings, [CLS]/[SEP] as BOS/EOS."""
    from transformers import GPT2Config

    return GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=BLOCK,
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        n_inner=4 * n_embd,
        resid_pdrop=dropout,
        embd_pdrop=dropout,
        attn_pdrop=dropout,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
        attn_implementation="eager",
    )


def bert_config(
    tokenizer: PreTrainedTokenizerFast,
    num_hidden_layers: int = 3,
    hidden_size: int = 128,
    num_attention_heads: int = 4,
    dropout: float = 0.0,
) -> BertConfig:
    """A BERT encoder over ``tokenizer``'s vocabulary with a tied masked-LM head."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=num_attention_heads,
        intermediate_size=4 * hidden_size,
        max_position_embeddings=BLOCK,
        type_vocab_size=2,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
        attn_implementation="eager",
    )
