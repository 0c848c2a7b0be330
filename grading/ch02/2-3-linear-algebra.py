"""Hidden checks of book/ch02/2-3-linear-algebra.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-2-3-1
assert big == 135266304
assert plain == 134238208

# %% ex-2-3-2
assert k == 5

# %% ex-2-3-3
assert abs(rare_change - -0.02964583940152318) <= 1e-4 * 0.02964583940152318 + 1e-8
assert abs(common_change - 0.050727244657710405) <= 1e-4 * 0.050727244657710405 + 1e-8
