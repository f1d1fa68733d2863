"""The student copy of the project for one assignment: ``coursework release A1 --out DIR``.

A release holds

* the library (``nn_from_scratch/``), with the body of every function the
  assignment's tasks list replaced by ``raise NotImplementedError("Task 1.3:
  <title>; see <tutorial>")``, and without the fast kernels the manifest's
  ``leave_out`` names;
* ``nn_from_scratch/release_settings.py``: which assignment this is, and the
  default kernel set, "textbook" (``nn_from_scratch.kernels`` reads it; the
  environment variable ``NN_FROM_SCRATCH_KERNELS`` still overrides it);
* ``pyproject.toml``, with pytest pointed at the public tests;
* the assignment's notebooks, each ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
  block cut to a skeleton;
* ``coursework/``: the manifest's entries of this assignment, the public tests
  and their known values, and the pytest set-up;
* a README for students, generated from the manifest;
* ``.github/workflows/classroom.yml``: GitHub Classroom's autograding of the
  public tests, one step per task with its points.

No hidden test, planted solution, data generator or instructor document is
copied.  The release is built in a temporary folder next to ``DIR`` and
renamed into place, and it must import before it is.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..atomic_file import write_text_atomically
from . import source_edit
from .files import copy_tree
from .manifest import MANIFEST_PATH, Assignment, CourseworkError, Manifest
from .notebooks import strip_notebook_file

RELEASE_SETTINGS = "nn_from_scratch/release_settings.py"
TEXTBOOK_KERNELS = "textbook"
COURSEWORK_SUPPORT_FILES = ("coursework/__init__.py", "coursework/conftest.py", "coursework/pytest-runner.ini",
                            "coursework/public/__init__.py")
OPTIONAL_PROJECT_FILES = ("docs", "LICENSE", ".gitignore")


def functions_by_file(tasks) -> dict:
    """{path: {qualname: task}} for the functions of ``tasks``."""
    files: dict = {}
    for task in tasks:
        for function in task.functions:
            files.setdefault(function.path, {})[function.qualname] = task
    return files


def release_settings_source(assignment: Assignment) -> str:
    return (f'"""Written by `python -m nn_from_scratch coursework release`: this copy of the library is the\n'
            f'student release of assignment {assignment.id} ({assignment.title}).\n\n'
            'KERNELS is the default kernel set (nn_from_scratch.kernels reads it; the environment variable\n'
            'NN_FROM_SCRATCH_KERNELS overrides it): the textbook kernels, the ones the tasks ask for.\n"""\n\n'
            f'ASSIGNMENT = "{assignment.id}"\nKERNELS = "{TEXTBOOK_KERNELS}"\n')


def copy_library(root: Path, destination: Path, assignment: Assignment) -> None:
    """Copy ``nn_from_scratch/`` without caches and without the assignment's left-out fast kernels,
    and write its release settings (textbook kernels by default)."""
    for path in assignment.leave_out:
        if not (root / path).exists():
            raise CourseworkError(f"assignments.toml: assignment {assignment.id} leaves out {path}, which does not "
                                  f"exist in {root}")
    copy_tree(root / "nn_from_scratch", destination / "nn_from_scratch",
              leave_out=[Path(path).relative_to("nn_from_scratch") for path in assignment.leave_out])
    write_text_atomically(destination / RELEASE_SETTINGS, release_settings_source(assignment))


def replace_task_functions(tree: Path, tasks, bodies_for) -> None:
    """In ``tree``, replace the body of every function of ``tasks`` with ``bodies_for(task, function)``."""
    for path, functions in functions_by_file(tasks).items():
        file = tree / path
        if not file.is_file():
            raise CourseworkError(f"assignments.toml names {path}, which does not exist in {tree}")
        source = file.read_text(encoding="utf-8")
        bodies = {qualname: bodies_for(task, qualname) for qualname, task in functions.items()}
        write_text_atomically(file, source_edit.replace_bodies(source, bodies, path))


def stub_task_functions(tree: Path, tasks) -> None:
    """Replace the body of every function of ``tasks`` with its task's NotImplementedError."""
    replace_task_functions(tree, tasks, lambda task, qualname: source_edit.stub_body(task.stub_message))


def release_pyproject(text: str) -> str:
    """The project's pyproject.toml with pytest pointed at the public tests (and no notebook plugin)."""
    section = ('[tool.pytest.ini_options]\n'
               '# the public tests of this assignment: python -m pytest -m task_1_3 runs one task\'s\n'
               'testpaths = ["coursework/public"]\n'
               'addopts = "-ra"\n')
    pattern = re.compile(r"^\[tool\.pytest\.ini_options\]\n(?:(?!\[).*\n?)*", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(section + "\n", text, count=1)
    return text.rstrip("\n") + "\n\n" + section


def filter_manifest(text: str, assignment_id: str) -> str:
    """The manifest's text with only the tables of one assignment (comments before the first table kept)."""
    from .manifest import tomllib

    blocks = re.split(r"(?m)^(?=\[\[)", text)
    kept = [blocks[0]]
    for block in blocks[1:]:
        table = tomllib.loads(block)
        entries = table.get("assignment") or table.get("task")
        entry = entries[0]
        owner = entry.get("assignment", entry.get("id"))
        if owner == assignment_id:
            kept.append(block)
    return "".join(kept)


def student_readme(assignment: Assignment) -> str:
    first = assignment.tasks[0]
    rows = []
    for task in assignment.tasks:
        functions = "<br>".join(f"`{f.path}`: `{f.qualname}`" for f in task.functions)
        rows.append(f"| {task.id} | {task.title} | {task.points} | {functions} | {task.tutorial} |")
    forbidden = ", ".join(f"`{name}`" for name in assignment.forbidden_modules) or "nothing"
    notebooks = "\n".join(f"- `{path}`" for path in assignment.notebooks) or "- (none)"
    return f"""# Assignment {assignment.id}: {assignment.title}

This folder is your copy of `nn_from_scratch`, a deep-learning library written from scratch in
NumPy.  The library is complete except for the functions below: each of their bodies now raises
`NotImplementedError` naming its task.  Write them, check them, submit the folder.
{len(assignment.tasks)} tasks, {assignment.points} points.

## Set up

    python -m pip install -e . pytest      # or, without installing: export PYTHONPATH=$PWD

Python 3.10 or newer and NumPy.  The tutorial notebooks of this assignment (read them first):

{notebooks}

The notebooks run on this copy of the library: a cell that calls a function you have not written yet
stops with that task's `NotImplementedError`; write the task, then run the notebook again.

## Tasks

| Task | What you write | Points | Where | Read first |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Each function keeps its signature and docstring: the docstring says what to compute (formula and
shapes).  Read the code around it: it shows what `forward` saved on `self` and which helpers exist.

## Checking your work

    {"python -m nn_from_scratch coursework check":<52}# a progress table of every task
    {f"python -m nn_from_scratch coursework check {first.id}":<52}# one task: what failed, expected vs got
    {f"python -m pytest -m {first.marker}":<52}# the same tests, with pytest's own output

A task shows *not started* while its function still raises `NotImplementedError`, and *waiting*
while its tests need another task that is not written yet.  The public tests are known values
(stored in `coursework/public/{assignment.id}/data/`), gradient checks and properties.

## How you are graded

- Each task is graded on its own: the grader takes **only the bodies of that task's functions** from
  your copy and puts them into its own reference copy of the library, then runs the task's public
  tests and more hidden tests (other inputs, tighter tolerances).  So a mistake in one task never
  costs you the points of another, and the grader never uses your copy of the tests.
- A task scores all its points when every one of its tests passes, and 0 otherwise.
- Write your code **inside the function bodies**: code outside them (new module-level helpers,
  imports, changes to other functions) is not graded.  Define helpers inside the body if you need
  them, and import inside the body anything the file does not import already.
- Do not change signatures (the grader keeps the given ones).
- Each task's tests run with a time limit ({assignment.timeout_s:g} s) and a memory limit, without
  network.  Importing {forbidden} fails in the tests and when grading:
  write the computation with NumPy.
- This copy uses the textbook kernels (`nn_from_scratch/release_settings.py`): the plain NumPy
  versions you are asked to write, not the library's speed-tuned ones.

## Submitting

Submit this whole folder (for example your GitHub Classroom repository, or a zip of it for
Gradescope).  Keep the file names: the grader finds each function by its file and name.
"""


CLASSROOM_WORKFLOW = ".github/workflows/classroom.yml"


def classroom_workflow(assignment: Assignment) -> str:
    """The GitHub Classroom autograding workflow of a release: one step per task, its public tests, its points.

    It runs in the student's repository on every push (the public tests only: the hidden ones are run by the
    grader, see coursework/README.md).
    """
    def step_id(task):
        return "task-" + task.id.replace(".", "-")

    steps = []
    for task in assignment.tasks:
        steps.append(f"""    - name: {json.dumps(task.name)}
      id: {step_id(task)}
      uses: classroom-resources/autograding-command-grader@v1
      with:
        test-name: {json.dumps(task.name)}
        setup-command: ""
        command: python -m pytest -m {task.marker} -q -p no:cacheprovider
        timeout: {max(1, int(assignment.timeout_s // 60) + 1)}
        max-score: {task.points}""")
    env = "\n".join(f"        {step_id(t).upper()}_RESULTS: \"${{{{steps.{step_id(t)}.outputs.result}}}}\""
                    for t in assignment.tasks)
    runners = ",".join(step_id(t) for t in assignment.tasks)
    return f"""# GitHub Classroom autograding of assignment {assignment.id} ({assignment.title}): public tests, by task.
# Written by `python -m nn_from_scratch coursework release {assignment.id}`; the hidden tests are run by
# `coursework grade` (see the instructor README, coursework/README.md in the instructor's project).
name: Autograding Tests
on: [push, workflow_dispatch, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
    - name: Checkout code
      uses: actions/checkout@v4
    - name: Set up Python
      uses: actions/setup-python@v5
      with:
        python-version: "3.11"
    - name: Install the library and pytest
      run: python -m pip install -e . pytest
{chr(10).join(steps)}
    - name: Autograding Reporter
      uses: classroom-resources/autograding-grading-reporter@v1
      env:
{env}
      with:
        runners: {runners}
"""


def release(manifest: Manifest, assignment_id: str, out) -> dict:
    """Write the student release of ``assignment_id`` to ``out`` (which must not exist or be empty)."""
    assignment = manifest.assignment(assignment_id)
    root = manifest.root
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CourseworkError(f"{out} is not empty: release into a new folder (or empty it first)")
    if root == out or root in out.parents and out.parts[len(root.parts)] in ("nn_from_scratch", "coursework"):
        raise CourseworkError(f"{out} is inside the project's own files: release somewhere else")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-release-{assignment.id}-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)      # mkdtemp makes it private to its owner
    try:
        copy_library(root, staging, assignment)
        stub_task_functions(staging, assignment.tasks)
        pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
        write_text_atomically(staging / "pyproject.toml", release_pyproject(pyproject))
        for name in OPTIONAL_PROJECT_FILES:
            source = root / name
            if source.is_dir():
                copy_tree(source, staging / name)
            elif source.is_file():
                shutil.copy2(source, staging / name)
        blocks = 0
        for notebook in assignment.notebooks:
            if not (root / notebook).is_file():
                raise CourseworkError(f"assignments.toml: assignment {assignment.id} ships {notebook}, which does "
                                      f"not exist in {root}")
            blocks += strip_notebook_file(root / notebook, staging / notebook)
        for path in COURSEWORK_SUPPORT_FILES:
            (staging / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / path, staging / path)
        public = root / assignment.public_dir
        if not public.is_dir():
            raise CourseworkError(f"assignment {assignment.id} has no public tests: {public} does not exist")
        copy_tree(public, staging / assignment.public_dir)
        manifest_text = (root / MANIFEST_PATH).read_text(encoding="utf-8")
        write_text_atomically(staging / MANIFEST_PATH, filter_manifest(manifest_text, assignment.id))
        write_text_atomically(staging / "README.md", student_readme(assignment))
        write_text_atomically(staging / CLASSROOM_WORKFLOW, classroom_workflow(assignment))
        leaks = solution_body_leaks(staging, root, assignment.tasks)
        if leaks:
            raise CourseworkError("the release would contain a solution: " + "; ".join(leaks[:3]))
        check_release_imports(staging)
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {"out": out, "functions": sum(len(task.functions) for task in assignment.tasks),
            "notebooks": len(assignment.notebooks), "solution_blocks": blocks,
            "public_tests": len(list((out / assignment.public_dir).glob("test_*.py")))}


def _function_bodies(module: ast.Module):
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, "\n".join(ast.dump(s) for s in source_edit.code_statements(node))


def _notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    sources = ["".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", "")
               for c in cells if c.get("cell_type") == "code"]
    return "\n".join(line for text in sources for line in text.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def solution_body_leaks(tree: Path, solution_root: Path, tasks) -> list:
    """Places in ``tree`` (Python files and notebooks) where a function has the body of one of ``tasks``'
    solutions (same code, comments and layout aside); empty when there is none."""
    solutions = {}
    for task in tasks:
        for function in task.functions:
            source = (solution_root / function.path).read_text(encoding="utf-8")
            solutions[source_edit.body_dump(source, function.qualname, function.path)] = f"{task.id} {function}"
    leaks = []
    files = sorted(tree.rglob("*.py")) + sorted(tree.rglob("*.ipynb"))
    for file in files:
        text = _notebook_code(file) if file.suffix == ".ipynb" else file.read_text(encoding="utf-8", errors="replace")
        try:
            module = source_edit.parse_python(text)
        except SyntaxError:
            continue
        for name, dump in _function_bodies(module):
            if dump in solutions:
                leaks.append(f"{file.relative_to(tree)}: {name} has the body of the solution of task "
                             f"{solutions[dump]}")
    return leaks


def check_release_imports(tree: Path) -> None:
    """The released library must import (a left-out fast kernel must not be imported unconditionally)."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); import nn_from_scratch"
    done = subprocess.run([sys.executable, "-B", "-c", code, str(tree)], cwd=tree, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise CourseworkError(f"the released library does not import: {last}; a module the release leaves out "
                              "(assignments.toml, leave_out) may still be imported by the library")
