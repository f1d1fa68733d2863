"""Cutting solution blocks out of notebooks, nbgrader-style.

In a code cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION``
(both included) become, at the indentation of the BEGIN line::

    # YOUR CODE HERE
    raise NotImplementedError()

In a markdown cell the block becomes ``YOUR ANSWER HERE``.  Cells that lost a
block also lose their outputs and execution count (they would show the
solution's results).  Unbalanced markers are an error naming the cell.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic_file import write_text_atomically
from .manifest import CourseworkError

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CODE_PLACEHOLDER = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_PLACEHOLDER = ("YOUR ANSWER HERE",)


def _cell_lines(cell: dict) -> list:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else source
    return text.splitlines(keepends=True)


def strip_solution_lines(lines: list, placeholder: tuple, where: str) -> tuple:
    """(lines with each solution block replaced by ``placeholder``, number of blocks)."""
    result, blocks, inside = [], 0, False
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if inside:
                raise CourseworkError(f"{where}, line {number}: {BEGIN_SOLUTION} inside another solution block")
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            result.extend(indent + text + "\n" for text in placeholder)
        elif marker == END_SOLUTION:
            if not inside:
                raise CourseworkError(f"{where}, line {number}: {END_SOLUTION} without {BEGIN_SOLUTION}")
            inside = False
            blocks += 1
        elif not inside:
            result.append(line)
    if inside:
        raise CourseworkError(f"{where}: {BEGIN_SOLUTION} without {END_SOLUTION}")
    if result and blocks and not lines[-1].endswith("\n") and result[-1].endswith("\n"):
        result[-1] = result[-1][:-1]         # keep the cell's own ending
    return result, blocks


def strip_solutions(notebook: dict, name: str) -> int:
    """Replace every solution block of ``notebook`` (nbformat 4, as a dict) in place; returns how many."""
    total = 0
    for index, cell in enumerate(notebook.get("cells", [])):
        kind = cell.get("cell_type")
        if kind not in ("code", "markdown"):
            continue
        placeholder = CODE_PLACEHOLDER if kind == "code" else MARKDOWN_PLACEHOLDER
        lines, blocks = strip_solution_lines(_cell_lines(cell), placeholder, f"{name}, cell {index}")
        if not blocks:
            continue
        total += blocks
        cell["source"] = lines
        if kind == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return total


def solution_cells(notebook: dict) -> list:
    """Indices of the cells that hold a solution block (what the release cuts)."""
    return [index for index, cell in enumerate(notebook.get("cells", []))
            if any(line.strip() == BEGIN_SOLUTION for line in _cell_lines(cell))]


def strip_notebook_file(source: Path, destination: Path) -> int:
    """Write ``source`` with its solution blocks cut to ``destination`` (atomically); returns how many blocks."""
    source, destination = Path(source), Path(destination)
    try:
        notebook = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CourseworkError(f"{source}: cannot read the notebook ({error})") from None
    blocks = strip_solutions(notebook, str(source))
    write_text_atomically(destination, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return blocks
