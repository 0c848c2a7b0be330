"""Hidden checks of book/ch03/3-6-self-attention.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-3-6-2
assert abs(max_err - 6.148541131789642e-08) <= 1e-4 * 6.148541131789642e-08 + 1e-8

# %% ex-3-6-3
assert n_small == 7087872
assert d == 768
assert n_gpt2_small == 124439808
