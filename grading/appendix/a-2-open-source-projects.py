"""Hidden checks of book/appendix/a-2-open-source-projects.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-a-2-1
assert license_counts == {
    "Apache-2.0": 11,
    "MIT": 4,
    "BSD-3-Clause": 1,
    "LicenseRef-ChatGLM3-6B": 1,
}, "count every row of PROJECTS by its licence"
assert weight_licenses == {"Apache-2.0", "LicenseRef-ChatGLM3-6B"}, (
    "weights are the rows without a pip name"
)

# %% ex-a-2-2
assert abs(acc_words - 0.867) < 0.02, (
    "word-level TF-IDF + logistic regression on the 150 test reviews"
)
assert abs(acc_words - acc_tfidf) < 0.03, "word and character features are about as good here"
