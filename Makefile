# The two commands of the README: `make book` and `make test`. Both set up .venv by themselves
# from the project's own files (requirements.lock pins the environment that produced the
# book's outputs; pyproject.toml declares the package).
VENV    := .venv
PY      := $(VENV)/bin/python
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
PYTEST  := $(BIN)/pytest -n 2 --dist loadfile --nbval --nbval-sanitize-with tests/sanitize.cfg

.PHONY: setup book student test unit notebooks lint execute zoo clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

## Build the HTML book into _build/html (warnings are errors). For a JupyterHub launch
## button: make book JUPYTERHUB_URL=https://hub.your-school.edu
JUPYTERHUB_URL ?=
book: $(STAMP)
ifeq ($(strip $(JUPYTERHUB_URL)),)
	$(BIN)/jupyter-book build -W -n --keep-going .
else
	$(PY) scripts/book_config.py "$(JUPYTERHUB_URL)" _build/_config.yml
	$(BIN)/jupyter-book build -W -n --keep-going --config _build/_config.yml .
endif
	@echo "The book is at $(CURDIR)/_build/html/index.html"

## A student edition (every solution removed) built into _build/student/_build/html.
student: $(STAMP)
	$(PY) -m lmbook.exercises _build/student
	cd _build/student && $(CURDIR)/$(BIN)/jupyter-book build -W -n --keep-going .
	@echo "The student edition is at $(CURDIR)/_build/student/_build/html/index.html"

## ruff, the unit tests and every notebook of the book under nbval (strict), 2 workers.
test: $(STAMP) lint
	$(PYTEST)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(STAMP)
	$(PYTEST) tests

notebooks: $(STAMP)
	$(PYTEST) book

## Re-execute every notebook top to bottom and store outputs + widget state (the only way
## stored outputs are made). One notebook: make execute NB=book/ch02/2-1-probability.ipynb
execute: $(STAMP)
	$(PY) scripts/execute_notebooks.py $(NB)

## Rebuild the shipped pretrained models from scratch and measure what pretraining buys
## downstream (about 2 h 10 min on one CPU thread: 43 + 55 min pretraining, 25 min evaluation;
## not part of CI). Both steps write the model cards.
zoo: $(STAMP)
	$(PY) -m lmbook.zoo.pretrain --model gpt
	$(PY) -m lmbook.zoo.pretrain --model bert
	$(PY) -m lmbook.zoo.evaluate

clean:
	rm -rf _build
