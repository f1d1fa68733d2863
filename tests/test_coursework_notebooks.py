"""An assignment's notebooks run to the end as students get them: with every solution block cut (as a release
cuts them), only the exercises fail, each naming itself.

The solution side (every notebook top to bottom with its solutions) is run by ``pytest --nbmake tutorials/``.
Here each notebook of an assignment that has solution blocks is stripped with the release's own function and
executed by a real Jupyter kernel in quick mode, errors allowed; then every cell that failed must be a cut
solution cell (its placeholder's NotImplementedError) or an exercise check whose error names its exercise
("Exercise 6.1 not passed: ..."), and every check must have failed (none passes without a solution).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from nn_from_scratch.coursework.manifest import load_manifest
from nn_from_scratch.coursework.notebooks import BEGIN_SOLUTION, CODE_PLACEHOLDER, strip_notebook_file

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = load_manifest(REPO_ROOT)
WITH_SOLUTIONS = sorted({name for assignment in MANIFEST.assignments.values() for name in assignment.notebooks
                         if BEGIN_SOLUTION in (REPO_ROOT / name).read_text(encoding="utf-8")})
CHECK = re.compile(r'^with exercise\("(\d+\.\d+)"\):', re.MULTILINE)
EXERCISE_HEADING = re.compile(r"^#+ .*Exercise (\d+\.\d+)", re.MULTILINE)


@pytest.mark.parametrize("name", WITH_SOLUTIONS)
def test_a_stripped_notebook_runs_to_the_end_with_only_the_exercises_failing(name, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    stripped = tmp_path / name
    stripped.parent.mkdir(parents=True)
    strip_notebook_file(REPO_ROOT / name, stripped)
    notebook = nbformat.read(stripped, as_version=4)
    monkeypatch.setenv("NN_FROM_SCRATCH_QUICK", "1")
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(stripped.parent)}}).execute()
    checks_failed, unexpected = set(), []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        errors = [output for output in cell.outputs if output.output_type == "error"]
        check = CHECK.search(cell.source)
        if check:
            assert errors, f"{name}, cell {index}: the check of exercise {check.group(1)} passes without a solution"
            assert errors[0].evalue.startswith(f"Exercise {check.group(1)} not passed:"), errors[0].evalue
            checks_failed.add(check.group(1))
        elif errors and not (CODE_PLACEHOLDER[1] in cell.source and errors[0].ename == "NotImplementedError"):
            unexpected.append(f"cell {index}: {errors[0].ename}: {errors[0].evalue}\n{cell.source[:300]}")
    assert not unexpected, f"{name}: cells other than the exercises failed:\n" + "\n\n".join(unexpected)
    exercises = {number for cell in notebook.cells if cell.cell_type == "markdown"
                 for number in EXERCISE_HEADING.findall(cell.source)}
    assert exercises and checks_failed == exercises, f"{name}: exercises {sorted(exercises)}, failed checks " \
        f"{sorted(checks_failed)}: every exercise needs a check cell `with exercise(\"N.M\"):`"
