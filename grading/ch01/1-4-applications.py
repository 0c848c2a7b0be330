"""Hidden checks of book/ch01/1-4-applications.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-1-4-1
assert abs((margin > 0).mean() - 217 / 300) < 1e-9, "share of uncalibrated 'positive' predictions"
assert abs(content_free - 0.290) < 1e-3, "positive minus negative after the content-free prompt"

# %% ex-1-4-2
assert abs(seen_share - 0.753) < 2e-3, "share of test entities whose string is in the lexicon"
assert abs(seen_recall - 0.986) < 2e-3, "recall of the lexicon baseline on seen entities"
