"""A coursework release's notebooks run to the end with their solutions cut out: only the exercise checks fail,
each naming its exercise (issue 23, item 6).

Each notebook of an assignment that holds ``### BEGIN SOLUTION`` blocks is stripped as a release strips it and
executed in quick mode by a real Jupyter kernel on the solution's library, errors allowed; then every cell that
failed must be a check whose error starts with "Exercise N.M", and every exercise must have failed its check.
(The solution notebooks themselves run under ``pytest --nbmake tutorials/``.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nn_from_scratch.coursework.manifest import load_manifest
from nn_from_scratch.coursework.notebooks import solution_cells, strip_notebook_file

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = load_manifest(REPO_ROOT)
EXERCISE = re.compile(r"Exercise (\d+\.\d+)")
STRIPPED = sorted({name for assignment in MANIFEST.assignments.values() for name in assignment.notebooks
                   if solution_cells(json.loads((REPO_ROOT / name).read_text()))})


def error_of(cell) -> tuple | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output["ename"], output["evalue"]
    return None


@pytest.mark.parametrize("name", STRIPPED)
def test_a_stripped_notebook_runs_to_the_end_with_only_its_exercise_checks_failing(name, tmp_path, monkeypatch):
    stripped = tmp_path / name
    stripped.parent.mkdir(parents=True)
    strip_notebook_file(REPO_ROOT / name, stripped)
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))
    monkeypatch.setenv("NN_FROM_SCRATCH_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(stripped, as_version=4)
    NotebookClient(notebook, timeout=600, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(stripped.parent)}}).execute()
    exercises = {match for cell in notebook.cells if cell.cell_type == "markdown"
                 for match in re.findall(r"Exercise (\d+\.\d+)", cell.source)}
    failed = {}
    for index, cell in enumerate(notebook.cells):
        error = cell.cell_type == "code" and error_of(cell)
        if not error:
            continue
        ename, evalue = error
        match = re.match(r"Exercise (\d+\.\d+)", evalue)
        assert ename == "AssertionError" and match, f"{name}, cell {index} failed without naming its exercise: " \
            f"{ename}: {evalue}\n{cell.source}"
        failed[match.group(1)] = index
    assert exercises and set(failed) == exercises, f"{name}: the checks of exercises {sorted(exercises)} should " \
        f"fail in the stripped notebook; failed: {sorted(failed)}"
    last = next(cell for cell in reversed(notebook.cells) if cell.cell_type == "code")
    assert last.get("execution_count") is not None, f"{name}: the last code cell did not run"


def test_exercise_checks_name_their_exercise_and_refuse_the_library():
    from nn_from_scratch.coursework import exercises
    from nn_from_scratch.models import gan

    with pytest.raises(AssertionError, match=r"^Exercise 9\.1: not done yet"):
        with exercises.exercise("Exercise 9.1"):
            raise NotImplementedError()
    with pytest.raises(AssertionError, match=r"^Exercise 9\.2 failed: off by one"):
        with exercises.exercise("Exercise 9.2"):
            raise AssertionError("off by one")
    namespace = {"loss": gan.generator_loss}
    with exercises.library_refuses(gan.generator_loss, namespace=namespace):
        for call in (namespace["loss"], gan.generator_loss):
            with pytest.raises(AssertionError, match="called the library's generator_loss"):
                call(None)
    assert namespace["loss"] is gan.generator_loss
    with exercises.exercise("Exercise 9.3"):
        pass
    assert exercises.passed("Exercise 9.3") and exercises.mine_or_reference("Exercise 9.3", "mine", "ref") == "mine"
    assert exercises.mine_or_reference("Exercise 9.1", "mine", "ref") == "ref"
