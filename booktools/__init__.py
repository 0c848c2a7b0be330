"""Tooling that builds and checks the book; not part of the ``lmbook`` that readers install.

- :mod:`booktools.sphinx_cjk` and :mod:`booktools.sphinx_offline`: Sphinx extensions of the HTML
  book (``_config.yml``, ``sphinx: local_extensions``);
- :mod:`booktools.search` (a Chinese search that finds any term) and :mod:`booktools.glossary`
  (the 术语表 built from every ``{dfn}`` of the chapters): Sphinx extensions too;
- :mod:`booktools.notebook`: the install and setup cells every chapter starts with;
- :mod:`booktools.execute`: ``python -m booktools.execute``, the only way stored outputs are made;
- :mod:`booktools.export`: ``save_html``, widgets as a standalone offline page (browser tests);
- :mod:`booktools.book_config`: a copy of ``_config.yml`` with a JupyterHub launch button.
- the exercises (``docs/notebooks.md``, 练习): :mod:`booktools.exercises` (the format, its checks,
  the old-form converter), :mod:`booktools.editions` (``make student`` / ``instructor`` /
  ``colab``), :mod:`booktools.grading` (otter-grader: student notebooks, autograders, round
  trip), :mod:`booktools.colab` and :mod:`booktools.sphinx_solutions` (Sphinx extensions),
  :mod:`booktools.plainmd` (MyST as plain markdown) and :mod:`booktools.leaks` (canary search).

It is importable from the repository root (the Makefile, ``jupyter-book`` through
``local_extensions``, pytest through its ``pythonpath`` option); ``docs/layout.md`` says why it
lives apart.
"""

__all__: list[str] = []
