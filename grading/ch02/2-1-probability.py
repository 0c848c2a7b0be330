"""Hidden checks of book/ch02/2-1-probability.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-2-1-1
assert set(posterior) == {"LOC", "O", "ORG", "PER"} and all(
    abs(posterior[k] - v) <= 1e-4 * abs(v) + 1e-8
    for k, v in {
        "O": 0.32941653160453804,
        "PER": 0.1600486223662885,
        "LOC": 0.12155591572123177,
        "ORG": 0.3889789303079417,
    }.items()
)

# %% ex-2-1-2
assert greedy_ended is False
assert start == 14
assert period == 33
assert abs(greedy_score - -1.8213773894542304) <= 1e-4 * 1.8213773894542304 + 1e-8

# %% ex-2-1-3
assert abs(r - -0.9820498391916996) <= 1e-4 * 0.9820498391916996 + 1e-8

# %% ex-2-1-4
assert len(n20) == 20 and all(
    abs(a - b) <= 1e-4 * abs(b) + 1e-8
    for a, b in zip(
        n20,
        [
            60416.0,
            44435.0,
            29182.0,
            18615.0,
            14676.0,
            14155.0,
            11136.0,
            10419.0,
            10088.0,
            9944.0,
            9858.0,
            9650.0,
            9494.0,
            9111.0,
            8921.0,
            8919.0,
            7471.0,
            7184.0,
            7145.0,
            7135.0,
        ],
        strict=True,
    )
)
assert len(q_best) == 20 and all(
    abs(a - b) <= 1e-4 * abs(b) + 1e-8
    for a, b in zip(
        q_best,
        [
            0.1961851445686296,
            0.14429103044122737,
            0.09476090588193617,
            0.06044733954848188,
            0.04765646819336357,
            0.04596465709535558,
            0.03616124481059977,
            0.03383297507182909,
            0.03275813910838851,
            0.03229053691428162,
            0.03201127439100841,
            0.03133584889020502,
            0.030829279642209467,
            0.029585587618651543,
            0.028968612166769724,
            0.028962117712302865,
            0.02426011689370448,
            0.023328159333350477,
            0.02320151704190277,
            0.023169044675802025,
        ],
        strict=True,
    )
)
