"""Hidden checks of book/appendix/a-3-learning-resources.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-a-3-1
assert median_year == 2022, "the 10th of the 19 sorted years"
assert abs(recent_share - 12 / 19) < 1e-9, "12 of the 19 papers are from 2022 or later"
