"""Hidden checks of book/ch04/4-1-data-preparation.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-4-1-1
assert n_unique_no_nfkc == len({html.unescape(t).strip() for t in raw_texts} - {""}), (
    "count distinct lines after html.unescape and strip only"
)
assert extra == n_unique_no_nfkc - len(unique) and extra > 0

# %% ex-4-1-2
ref = np.argsort(lengths, kind="stable")
assert all(abs(waste_by_batch[b] - padded_waste(ref, batch=b)) < 1e-12 for b in (4, 16, 64, 256))
assert waste_by_batch[4] < waste_by_batch[256], "waste grows with the batch size"
