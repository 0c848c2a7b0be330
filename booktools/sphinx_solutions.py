"""Keep the body of a gated ``{solution-start}``: the solution's prose, shown in its dropdown.

The book writes a solution's explanation inside the ``{solution-start}`` directive (the one place
JupyterLab's jupyterlab-myst shows collapsed, see ``docs/notebooks.md``); sphinx-exercise 1.2.1's
``MergeGatedSolutions`` drops that body and keeps only the cells up to ``{solution-end}``. This
transform runs just before it and moves the body out of the start node, right after it, so the
merge puts it at the top of the dropdown, before the solution's code.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform

__all__ = ["KeepSolutionStartBody", "setup"]


class KeepSolutionStartBody(SphinxTransform):
    default_priority = 9  # sphinx_exercise.transforms.MergeGatedSolutions is 10

    def apply(self, **kwargs: Any) -> None:
        from sphinx_exercise.nodes import solution_start_node

        for node in list(self.document.findall(solution_start_node)):
            body = [c for c in node.children if isinstance(c, nodes.section)]
            moved = [child for section in body for child in section.children]
            if not moved or node.parent is None:
                continue
            for section in body:
                section.children = []
            index = node.parent.index(node)
            box = nodes.container(classes=["solution-prose"])
            box.extend(moved)
            node.parent.insert(index + 1, box)


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("sphinx_exercise")
    app.add_transform(KeepSolutionStartBody)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
