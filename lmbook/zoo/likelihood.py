"""Log-likelihood of whole texts under a causal language model (section 6.1).

:func:`text_logprobs` reads each text as the shipped GPT was trained, ``[BOS] text [EOS]``
([CLS] and [SEP] for the shipped tokenizer), and returns the log-probability of every token
after the beginning-of-text token, the end-of-text token included, like
:meth:`lmbook.text.NGramLM.token_logprobs` does for characters. Their sum is ``ln P(text)``
(fluency ranking, choosing among candidate corrections); minus their mean is the per-token
cross-entropy whose exponential is the text's perplexity (a data filter).

    lps = text_logprobs(model, tok, ["今天天气很好。", "天今好气很天。"])
    [lp.sum() for lp in lps]            # ln P of each text
    [np.exp(-lp.mean()) for lp in lps]  # perplexity per token
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = ["text_logprobs"]


def text_logprobs(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    batch_size: int = 64,
) -> list[np.ndarray]:
    """Per text, ``ln P`` of each token and of the end-of-text token given ``[BOS]`` and the
    tokens before it (float64 arrays of ``len(tokens) + 1``).

    Texts are batched in order of length and padded on the right (the padding is masked and
    never scored, and absolute positions start at 0 for every row, so a text scores the same
    in any batch). A text longer than the model's context (``n_positions``) raises an error.
    """
    import numpy as np
    import torch

    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.cls_token_id
    eos = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else tokenizer.sep_token_id
    if bos is None or eos is None:
        raise ValueError("the tokenizer needs beginning- and end-of-text tokens.")
    ids = [
        [bos, *row, eos] for row in tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    ]
    limit = getattr(model.config, "n_positions", None) or model.config.max_position_embeddings
    too_long = [i for i, row in enumerate(ids) if len(row) > limit]
    if too_long:
        raise ValueError(f"{len(too_long)} texts exceed the context of {limit} tokens")
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out: list[np.ndarray] = [np.empty(0)] * len(ids)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(ids[i]) for i in chunk)
            batch = torch.zeros(len(chunk), width, dtype=torch.long)
            mask = torch.zeros(len(chunk), width, dtype=torch.long)
            for r, i in enumerate(chunk):
                batch[r, : len(ids[i])] = torch.tensor(ids[i])
                mask[r, : len(ids[i])] = 1
            logp = model(input_ids=batch, attention_mask=mask).logits.log_softmax(-1)
            picked = logp[:, :-1].gather(-1, batch[:, 1:, None])[..., 0].double()
            for r, i in enumerate(chunk):
                out[i] = picked[r, : len(ids[i]) - 1].numpy()
    model.train(was_training)
    return out
