"""lmbook.text.ngram: exact toy probabilities, normalisation, Kneser-Ney vs a naive version."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from lmbook.text.ngram import BOS, EOS, UNK, NGramLM

CORPUS = ["我爱北京", "我爱中国", "北京是中国的首都", "中国人爱中国", "我是学生", ""]


def _random_corpus(seed: int, n: int = 60) -> list[str]:
    rng = np.random.default_rng(seed)
    alphabet = list("天地玄黄宇宙洪荒日月")
    return ["".join(rng.choice(alphabet, size=rng.integers(0, 12))) for _ in range(n)]


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("smoothing", ["add-k", "kneser-ney"])
def test_every_conditional_distribution_sums_to_one(order: int, smoothing: str) -> None:
    lm = NGramLM(order, smoothing, k=0.5).fit(CORPUS)
    for context in ["", "我", "我爱", "中国", "首都", "没见过的字", "北京是中国的"]:
        p = lm.next_distribution(context)
        assert p.shape == (lm.vocab_size,)
        assert (p > 0).all()
        np.testing.assert_allclose(p.sum(), 1.0, rtol=1e-12)


def test_mle_distributions_sum_to_one_where_defined() -> None:
    lm = NGramLM(2, "mle").fit(CORPUS)
    for context in ["", "我", "中", "都"]:
        np.testing.assert_allclose(lm.next_distribution(context).sum(), 1.0, rtol=1e-12)
    with pytest.raises(ValueError, match="never occurs in training"):
        lm.next_distribution("没")


def test_hand_computed_bigram_probabilities() -> None:
    # <s> a b </s> and <s> b </s>: bigrams (<s>,a) (a,b) (b,</s>) (<s>,b) (b,</s>); V = 4
    texts = ["ab", "b"]
    mle = NGramLM(2, "mle").fit(texts)
    assert mle.vocab == [EOS, UNK, "b", "a"]
    assert mle.prob("a") == 0.5 and mle.prob("b", "a") == 1.0 and mle.prob(EOS, "ab") == 1.0
    assert math.isclose(mle.logprob("ab"), math.log(0.5))
    assert mle.logprob("ba") == -math.inf  # (b, a) was never seen: the MLE zero

    addk = NGramLM(2, "add-k", k=1.0).fit(texts)
    assert math.isclose(addk.logprob("ab"), math.log((2 / 6) * (2 / 5) * (3 / 6)))

    # Kneser-Ney, D = 0.5. Continuation counts N1+(. w): a 1, b 2, </s> 1, <unk> 0 -> total 4,
    # 3 types, so P1(w) = (max(N1+ - D, 0) + D * 3 / V) / 4.
    kn = NGramLM(2, "kneser-ney", discount=0.5).fit(texts)
    p1 = {"a": (0.5 + 0.375) / 4, "b": (1.5 + 0.375) / 4, EOS: (0.5 + 0.375) / 4, UNK: 0.375 / 4}
    assert math.isclose(sum(p1.values()), 1.0)
    p_a = (0.5 + 0.5 * 2 * p1["a"]) / 2  # c(<s>) = 2 with 2 types
    p_b_a = (0.5 + 0.5 * 1 * p1["b"]) / 1  # c(a) = 1 with 1 type
    p_eos_b = (1.5 + 0.5 * 1 * p1[EOS]) / 2  # c(b) = 2 with 1 type
    np.testing.assert_allclose(kn.token_logprobs("ab"), np.log([p_a, p_b_a, p_eos_b]), rtol=1e-12)
    assert math.isclose(kn.prob("z", "a"), 0.5 * p1[UNK])  # unseen character -> <unk>
    assert math.isclose(kn.prob("a", "zz"), p1["a"])  # unseen context: back off completely


def _naive_kneser_ney(texts: list[str], order: int, d: float, vocab: list[str]):
    """Interpolated Kneser-Ney straight from the definition, with dicts (slow, obvious)."""
    occurrences: dict[int, Counter] = {m: Counter() for m in range(1, order + 1)}
    for text in texts:
        s = [BOS] * (order - 1) + list(text) + [EOS]
        for i in range(order - 1, len(s)):
            for m in range(1, order + 1):
                occurrences[m][tuple(s[i - m + 1 : i + 1])] += 1
    counts = {order: occurrences[order]}
    for m in range(1, order):  # continuation counts: distinct left extensions
        counts[m] = Counter(g[1:] for g in occurrences[m + 1])

    def prob(w: str, h: tuple[str, ...]) -> float:
        m = len(h) + 1
        lower = 1 / len(vocab) if m == 1 else prob(w, h[1:])
        seen = {g: c for g, c in counts[m].items() if g[:-1] == h}
        if not seen:
            return lower
        total = sum(seen.values())
        return (max(seen.get((*h, w), 0) - d, 0) + d * len(seen) * lower) / total

    return prob


@pytest.mark.parametrize(("order", "discount"), [(2, 0.75), (3, 0.75), (3, 0.3)])
def test_kneser_ney_matches_the_naive_definition(order: int, discount: float) -> None:
    texts = _random_corpus(0)
    lm = NGramLM(order, "kneser-ney", discount=discount).fit(texts)
    naive = _naive_kneser_ney(texts, order, discount, lm.vocab)
    for context in ["", "天", "天地", "黄宇", "荒荒", "月天"]:
        h = tuple(([BOS] * (order - 1) + list(context))[len(context) :])
        expected = [naive(w, h) for w in lm.vocab]
        np.testing.assert_allclose(lm.next_distribution(context), expected, rtol=1e-12)


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size() -> None:
    lm = NGramLM(1, "add-k", k=1e12).fit(CORPUS)  # k -> infinity: every symbol gets 1/V
    assert math.isclose(lm.perplexity(["我爱北京", "首都", "没见过"]), lm.vocab_size, rel_tol=1e-9)


def test_cross_entropy_is_mean_negative_log2_probability() -> None:
    lm = NGramLM(3).fit(CORPUS)
    texts = ["我爱首都", "中国学生", ""]
    bits = -sum(lm.logprob(t) for t in texts) / math.log(2)
    n = sum(len(t) + 1 for t in texts)  # each </s> counts as a character
    assert math.isclose(lm.cross_entropy(texts), bits / n, rel_tol=1e-12)
    assert math.isclose(lm.perplexity(texts), 2 ** (bits / n), rel_tol=1e-12)


def test_sentence_probabilities_sum_to_one_for_mle() -> None:
    texts = ["ab", "ab", "b", "aab"]  # every sentence this bigram MLE can produce is short here
    lm = NGramLM(2, "mle").fit(texts)
    total = sum(math.exp(lm.logprob(s)) for s in ["b", "ab", "aab", "aaab", "aaaab", "aaaaab"])
    assert 0.99 < total <= 1.0 + 1e-12


def test_higher_order_fits_training_text_better() -> None:
    texts = _random_corpus(1, n=200)
    bits = [NGramLM(n).fit(texts).cross_entropy(texts) for n in (1, 2, 3)]
    assert bits[0] > bits[1] > bits[2]


def test_sampling_is_seeded_bounded_and_greedy_at_low_temperature() -> None:
    lm = NGramLM(2).fit(CORPUS)
    a = [lm.sample(np.random.default_rng(7), max_len=20) for _ in range(3)]
    b = [lm.sample(np.random.default_rng(7), max_len=20) for _ in range(3)]
    assert a == b
    assert all(len(s) <= 20 for s in a)
    assert lm.sample(np.random.default_rng(0), max_len=5, prefix="中国").startswith("中国")
    greedy, context = "", ""
    for _ in range(10):
        w = lm.vocab[int(np.argmax(lm.next_distribution(context)))]
        if w == EOS:
            break
        greedy += w
        context += w
    assert lm.sample(np.random.default_rng(3), max_len=10, temperature=0.01) == greedy


def test_min_count_maps_rare_characters_to_unk() -> None:
    lm = NGramLM(2, min_count=2).fit(CORPUS)
    assert "首" not in lm.vocab and "国" in lm.vocab
    assert lm.prob("首", "的") == lm.prob("都", "的")  # both are <unk>
    assert lm.encode("首国").tolist() == [lm.vocab.index(UNK), lm.vocab.index("国")]


def test_repr_names_the_settings() -> None:
    assert repr(NGramLM(3)) == "NGramLM(order=3, smoothing='kneser-ney', discount=0.75, unfitted)"
    lm = NGramLM(2, "add-k", k=0.5).fit(["ab"])
    assert repr(lm) == "NGramLM(order=2, smoothing='add-k', k=0.5, vocab_size=4)"


def test_smoothing_parameters_can_be_tuned_after_fitting() -> None:
    lm = NGramLM(2, discount=0.75).fit(CORPUS)
    lm.discount = 0.5
    assert lm.logprob("我爱首都") == NGramLM(2, discount=0.5).fit(CORPUS).logprob("我爱首都")


def test_errors_say_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="fit"):
        NGramLM().logprob("我")
    with pytest.raises(TypeError, match="list of sentences"):
        NGramLM().fit("我爱北京")
    with pytest.raises(ValueError, match="at least one training text"):
        NGramLM().fit([])
    with pytest.raises(ValueError, match="smoothing"):
        NGramLM(smoothing="laplace")
    with pytest.raises(ValueError, match="order"):
        NGramLM(order=0)
    with pytest.raises(ValueError, match="discount"):
        NGramLM(discount=1.5)
    lm = NGramLM().fit(CORPUS)
    with pytest.raises(ValueError, match="temperature"):
        lm.sample(np.random.default_rng(0), temperature=0)
    with pytest.raises(ValueError, match="one character"):
        lm.prob("北京")


def test_best_kneser_ney_is_the_best_grid_point_on_validation() -> None:
    from lmbook.text import best_kneser_ney

    rng = np.random.default_rng(0)
    words = ["天气", "很好", "我们", "散步", "公园"]
    train = ["".join(rng.choice(words, 6)) for _ in range(300)]
    val = ["".join(rng.choice(words, 6)) for _ in range(50)]
    lm = best_kneser_ney(train, val, orders=(1, 2, 3), discounts=(0.5, 0.9))
    assert lm.order > 1 and lm.discount in (0.5, 0.9)  # within-word structure needs context
    chosen = lm.cross_entropy(val)
    for order in (1, 2, 3):
        for d in (0.5, 0.9):
            assert chosen <= NGramLM(order=order, discount=d).fit(train).cross_entropy(val) + 1e-12
    with pytest.raises(ValueError, match="at least one order"):
        best_kneser_ney(train, val, orders=())


def test_dictionary_word_share_separates_text_from_shuffled_characters() -> None:
    from lmbook.text import dictionary_word_share

    real = ["中国人民银行今天发表声明", "我们要进一步发展经济"]
    assert dictionary_word_share(real) > 0.9
    shuffled = ["行民表人今声银中天发国明", "济一发我要们进展步经"]
    assert dictionary_word_share(shuffled) < 0.6
    with pytest.raises(ValueError, match="no two-character"):
        dictionary_word_share(["abc"])


@pytest.mark.parametrize("order", [1, 2, 3])
def test_lower_orders_derived_from_one_count_equal_a_refit(order: int) -> None:
    # best_kneser_ney counts the top order once and derives the lower orders from it
    train, val = _random_corpus(1), _random_corpus(2, n=20)
    derived = NGramLM(order=4).fit(train)._lower_order(order, train)
    refit = NGramLM(order=order).fit(train)
    for d in (0.5, 0.9):
        derived.discount = refit.discount = d
        assert derived.cross_entropy(val) == refit.cross_entropy(val)
    np.testing.assert_array_equal(
        derived.next_distribution("天地"), refit.next_distribution("天地")
    )


def test_best_kneser_ney_equals_refitting_the_chosen_grid_point() -> None:
    from lmbook.text import best_kneser_ney

    train, val = _random_corpus(3, n=200), _random_corpus(4, n=40)
    lm = best_kneser_ney(train, val, orders=(1, 2, 3), discounts=(0.5, 0.75, 0.9))
    grid = {
        (o, d): NGramLM(order=o, discount=d).fit(train).cross_entropy(val)
        for o in (1, 2, 3)
        for d in (0.5, 0.75, 0.9)
    }
    assert lm.cross_entropy(val) == min(grid.values()) == grid[lm.order, lm.discount]
