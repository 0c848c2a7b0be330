# The two commands of the README: `make book` and `make test`. Both set up .venv by themselves
# from the project's own files (requirements.lock pins the environment that produced the
# book's outputs; pyproject.toml declares the package).
VENV    := .venv
PY      := $(VENV)/bin/python
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
# Outputs are made and compared on the CPU (one thread, set by lmbook.setup()) and offline for
# sure: a cell that tries the network fails at once (the proxies point at a closed loopback port)
# instead of hanging; nbval's per-cell timeout is only a hang guard.
CLOSED  := http://127.0.0.1:9
OFFLINE := LMBOOK_DEVICE=cpu HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
           http_proxy=$(CLOSED) https_proxy=$(CLOSED) HTTP_PROXY=$(CLOSED) HTTPS_PROXY=$(CLOSED) \
           no_proxy=localhost,127.0.0.1,::1 NO_PROXY=localhost,127.0.0.1,::1
PYTEST  := $(OFFLINE) $(BIN)/pytest -n 2 --dist loadfile --nbval --nbval-cell-timeout 600 \
           --nbval-sanitize-with tests/sanitize.cfg

.PHONY: setup book student instructor colab roundtrip migrate-exercises test unit notebooks lint execute zoo clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock lmbook/__init__.py
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
	$(PY) -m booktools.book_config "$(JUPYTERHUB_URL)" _build/_config.yml
	$(BIN)/jupyter-book build -W -n --keep-going --config _build/_config.yml .
endif
	@echo "The book is at $(CURDIR)/_build/html/index.html"

## The student edition in _build/student: notebooks/ (otter student notebooks: no solutions,
## no hidden checks, no outputs; they run in JupyterLab and Colab), student-notebooks.zip and
## an HTML book without solutions (book/_build/html). Exercise format: docs/notebooks.md.
student: $(STAMP)
	$(PY) -m booktools.editions student _build/student
	cd _build/student/book && PYTHONPATH=$(CURDIR) $(CURDIR)/$(BIN)/jupyter-book build -W -n --keep-going .
	@echo "The student edition is at $(CURDIR)/_build/student (HTML: book/_build/html/index.html)"

## The instructor pack in _build/instructor: per section an otter autograder.zip (public and
## hidden checks), solutions.ipynb, hidden-checks.py and written.md (hand-graded exercises).
instructor: $(STAMP)
	$(PY) -m booktools.editions instructor _build/instructor

## The Colab edition in colab/ (plain markdown, collapsed solutions; commit it: the book's Colab
## button opens colab/<path>.ipynb).
colab: $(STAMP)
	$(PY) -m booktools.editions colab colab

## Round trip of the autograder: reference solutions score full marks, blank notebooks 0.
## Default: chapter 2 and the tour; any chapter: make roundtrip NB="book/ch05/*.ipynb"
NB_SAMPLE := book/tour.ipynb $(wildcard book/ch02/2-*.ipynb)
roundtrip: $(STAMP)
	$(OFFLINE) $(PY) -m booktools.grading roundtrip $(or $(NB),$(NB_SAMPLE))

## Rewrite old-form exercises into the current form, with hidden checks from the reference
## values (runs each notebook once): make migrate-exercises NB="book/tour.ipynb book/ch02/*.ipynb"
migrate-exercises: $(STAMP)
	$(OFFLINE) $(PY) -m booktools.exercises migrate $(NB)

## ruff, the unit tests and every notebook of the book under nbval (strict), 2 workers.
test: $(STAMP) lint
	$(PYTEST)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Only the fast unit tests (no browser, no real fine-tuning runs, no notebooks).
unit: $(STAMP)
	$(PYTEST) -m "not browser and not slow" tests

notebooks: $(STAMP)
	$(PYTEST) book

## Re-execute every notebook top to bottom and store outputs + widget state (the only way
## stored outputs are made). One notebook: make execute NB=book/ch02/2-1-probability.ipynb
execute: $(STAMP)
	$(OFFLINE) $(PY) -m booktools.execute $(NB)

## Rebuild the shipped pretrained models from scratch and measure what pretraining buys
## downstream (about 2 h 40 min on one CPU thread: 43 + 55 min pretraining, 20-35 min for the
## translation model with its test evaluation, 25 min evaluation; not part of CI). Every step
## writes the model cards.
zoo: $(STAMP)
	$(PY) -m lmbook.zoo.pretrain --model gpt
	$(PY) -m lmbook.zoo.pretrain --model bert
	$(PY) -m lmbook.zoo.pretrain --model mt
	$(PY) -m lmbook.zoo.pretrain --model gpt-small --threads 2
	$(PY) -m lmbook.zoo.evaluate

clean:
	rm -rf _build
