"""Hidden checks of book/ch05/5-1-basic-concepts.ipynb.

The instructor keeps them: never in the book or the student edition;
booktools.grading puts them into the autograder (one test case per block)."""

# %% ex-5-1-1
assert full_by_hand == 107814649856
assert lora_by_hand == 13543940096

# %% ex-5-1-2
assert set(measured) == {128, 32, 64} and all(
    measured[k] == v for k, v in {32: 8204036, 64: 16801284, 128: 35175428}.items()
)

# %% ex-5-1-3
assert set(saved_by) == {"full", "lora", "prompt"} and all(
    saved_by[k] == v for k, v in {"full": 33602052, "lora": 33265668, "prompt": 32462996}.items()
)
