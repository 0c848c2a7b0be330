"""``python -m lmbook.zoo``: the shipped models, their size and measured held-out quality."""

from __future__ import annotations

from lmbook.zoo.registry import SHIPPED, model_meta

__all__ = ["describe", "main"]


def describe(name: str) -> str:
    """One line about a shipped model, read from its ``meta.json``."""
    meta = model_meta(name)
    q = meta["quality"]
    if "greedy" in q:
        nn = q["nearest_neighbour"]
        quality = (
            f"test BLEU {q['greedy']['bleu']:.1f} greedy / {q['beam4']['bleu']:.1f} beam 4, "
            f"chrF {q['greedy']['chrf']:.1f} (nearest training sentence BLEU {nn['bleu']:.1f}, "
            f"chrF {nn['chrf']:.1f})"
        )
    elif "test_bpc" in q:
        ng = q["ngram"]
        quality = (
            f"held-out {q['test_bpc']:.3f} bits/char "
            f"(Kneser-Ney {ng['order']}-gram {q['test_ngram_bpc']:.3f})"
        )
    else:
        quality = (
            f"held-out masked-char top-1 {q['test_mask_top1']:.3f} "
            f"(unigram {q['test_unigram_top1']:.3f})"
        )
    return (
        f"{name:14s} {SHIPPED[name]:10s} {meta['parameters'] / 1e6:.2f}M params "
        f"{meta['weights_bytes'] / 1e6:5.2f} MB  {quality}"
    )


def main() -> None:
    """Print one line per shipped model."""
    for name in SHIPPED:
        print(describe(name))


if __name__ == "__main__":
    main()
