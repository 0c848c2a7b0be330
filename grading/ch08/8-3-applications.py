"""Hidden checks of book/ch08/8-3-applications.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-8-3-1
expected = recall_at_k(
    BM25([char_tokens(p, bigrams=True) for p in passages]).rank(
        [char_tokens(t, bigrams=True) for t in query_texts], k=10
    ),
    gold,
    (1, 5, 10),
)
assert all(abs(bigram_recall[k] - expected[k]) < 1e-9 for k in (1, 5, 10)), (
    "index and query with char_tokens(text, bigrams=True), then recall_at_k at 1, 5, 10"
)
assert abs(bigram_recall[1] - recall.loc["BM25（字）", "recall@1"]) < 0.05, (
    "bigrams change recall@1 by only a few questions"
)

# %% ex-8-3-2
assert f1_top3 >= f1["对齐照抄 + BM25 第一名"] - 0.02, "three passages should not lose much F1"
assert abs(f1_top3 - f1["对齐照抄 + BM25 第一名"]) < 0.1, (
    "looking at three passages changes F1 little"
)
assert f1_top3 <= f1["对齐照抄 + 出处（上限）"] + 0.05, (
    "cannot beat copying from the source by much"
)
