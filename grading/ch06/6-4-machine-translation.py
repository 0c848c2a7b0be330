"""Hidden checks of book/ch06/6-4-machine-translation.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-6-4-1
assert abs(p1_raw - 1.0) < 1e-9, "every 'the' of the hypothesis occurs in the reference"
assert abs(p1_clipped - 2 / 7) < 1e-9, "'the' counts at most twice, as often as in the reference"
assert abs(p1_clipped * 100 - sacrebleu.sentence_bleu(hyp, [ref]).precisions[0]) < 1e-6, (
    "sacrebleu gives precisions in percent"
)
assert bp == 1.0, "7 words > 6 reference words: no brevity penalty"

# %% ex-6-4-2
_sources = mt_data["test"]["source"][:MT_EVAL_SUBSET]
for _part in ("help", "ui"):
    _idx = [i for i, s in enumerate(_sources) if s == _part]
    _refs = [sub_en[i] for i in _idx]
    assert (
        abs(
            bleu_by_source[_part]["model"] - corpus_scores([greedy[i] for i in _idx], _refs)["bleu"]
        )
        < 0.01
    ), f"model BLEU on the {_part} pairs of the subset"
    assert (
        abs(
            bleu_by_source[_part]["memory"]
            - corpus_scores([nn_test[i] for i in _idx], _refs)["bleu"]
        )
        < 0.01
    ), f"nearest-neighbour BLEU on the {_part} pairs of the subset"
