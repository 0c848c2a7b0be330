"""Hidden checks of book/ch02/2-2-information-theory.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-2-2-1
assert len(h_pq) == 21 and all(
    abs(a - b) <= 1e-4 * abs(b) + 1e-8
    for a, b in zip(
        h_pq,
        [
            9.442492034286891,
            9.466268869225631,
            9.503062763548245,
            9.546203661682176,
            9.594446048297112,
            9.647429794647463,
            9.705155676267909,
            9.767840973215204,
            9.835876051225595,
            9.909822710590012,
            9.990439158457445,
            10.078731123753679,
            10.176037863197708,
            10.284173424545758,
            10.405665135258136,
            10.544179323539241,
            10.705346448406312,
            10.89856181257341,
            11.141699878331332,
            11.478208794577395,
            12.152918576136626,
        ],
        strict=True,
    )
)

# %% ex-2-2-3
assert [*new_words] == [
    "豆浆",
    "携程",
    "华硕",
    "拖鞋",
    "忽悠",
    "絮叨",
    "宝宝",
    "马桶",
    "游泳池",
    "风扇",
    "甄寰",
    "摄像头",
    "蜘蛛",
    "蓝牙",
    "郁闷",
    "莫泰",
    "触摸板",
    "蟑螂",
    "京东",
    "钢琴烤漆",
]
assert abs(p100_reviews - 0.91) <= 1e-4 * 0.91 + 1e-8

# %% ex-2-2-2
for _n, (_d, _tuned, _default) in chosen.items():
    _lm = models[_n]
    _val = {}
    for _x in discounts:
        _lm.discount = _x
        _val[_x] = _lm.cross_entropy(valid_texts)
    assert _d == min(_val, key=_val.get), "D must be the one chosen on the validation set"
    _lm.discount = _d
    assert abs(_lm.perplexity(test_texts) - _tuned) < 1e-6 * _tuned
    _lm.discount = 0.75
