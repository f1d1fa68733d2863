"""The tutorial notebooks are stored clean: valid nbformat v4, no outputs, no execution counts.

Outputs saved in a notebook go stale as soon as the code changes, bloat the
repository and make diffs unreadable; the notebooks are executed by the
tests instead (``pytest --nbmake tutorials/``).  To clean a notebook after
running it: ``jupyter nbconvert --clear-output --inplace tutorials/NAME.ipynb``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))


def test_there_are_tutorial_notebooks():
    assert len(NOTEBOOKS) >= 4, f"expected the tutorial notebooks in {TUTORIALS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_is_valid_and_has_no_outputs(path):
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert notebook.nbformat == 4, f"{path.name}: nbformat {notebook.nbformat}, expected 4"
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [], (f"{path.name}, cell {index}: has saved outputs; clear them with "
                                    f"jupyter nbconvert --clear-output --inplace {path.relative_to(TUTORIALS.parent)}")
        assert cell.execution_count is None, f"{path.name}, cell {index}: has an execution count"
