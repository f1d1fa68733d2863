"""The coursework kit's parts: manifest, body editing, notebook stripping, the release, the student's check.

The grading itself (isolation, sandbox, planted solutions) is tested in test_coursework_grading.py.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nn_from_scratch.coursework import source_edit
from nn_from_scratch.coursework.guards import ForbiddenImportError, ModuleBlocker
from nn_from_scratch.coursework.manifest import CourseworkError, load_manifest
from nn_from_scratch.coursework.notebooks import solution_cells, strip_notebook_file, strip_solutions
from nn_from_scratch.coursework.recorder import task_outcome
from nn_from_scratch.coursework.release import (
    CLASSROOM_WORKFLOW,
    RELEASE_SETTINGS,
    classroom_workflow,
    functions_by_file,
    release,
    replace_task_functions,
    solution_body_leaks,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = load_manifest(REPO_ROOT)
A1 = MANIFEST.assignment("A1")


def solution_body(function) -> str:
    return source_edit.function_body((REPO_ROOT / function.path).read_text(), function.qualname, function.path)


def restore(tree: Path, tasks) -> None:
    """Put the solution's bodies of ``tasks`` back into the release ``tree``."""
    by_qualname = {(f.path, f.qualname): solution_body(f) for task in tasks for f in task.functions}
    replace_task_functions(tree, tasks, lambda task, qualname: by_qualname[
        next((f.path, f.qualname) for f in task.functions if f.qualname == qualname)])


def run_cli(*args, cwd=REPO_ROOT):
    env = dict(os.environ, PYTHONPATH=str(cwd))
    return subprocess.run([sys.executable, "-m", "nn_from_scratch", "coursework", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """``released(assignment_id)``: a fresh release of that assignment, made once per module."""
    folder = tmp_path_factory.mktemp("release")
    made = {}

    def get(assignment_id):
        if assignment_id not in made:
            made[assignment_id] = folder / assignment_id.lower()
            release(MANIFEST, assignment_id, made[assignment_id])
        return made[assignment_id]
    return get


@pytest.fixture(scope="module")
def a1_release(released):
    return released("A1")


# ---- the manifest -----------------------------------------------------------------------------------------------

ASSIGNMENTS = [a.id for a in MANIFEST.assignments.values() if a.tasks]


def markdown_headings(notebook: Path) -> list:
    cells = json.loads(notebook.read_text())["cells"]
    return [line for cell in cells if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines() if line.startswith("#")]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_each_assignment_has_a_few_hours_of_tasks_with_points_and_sections(assignment_id):
    """8 to 12 tasks, 100 points; each task's tutorial is a section heading of one of the assignment's notebooks."""
    assignment = MANIFEST.assignment(assignment_id)
    assert 8 <= len(assignment.tasks) <= 12
    assert assignment.points == 100
    for task in assignment.tasks:
        assert task.tutorial.startswith("tutorials/") and ", section " in task.tutorial, task.tutorial
        name, section = task.tutorial.split(", section ")
        notebook = REPO_ROOT / (name + ".ipynb")
        assert notebook.is_file(), f"task {task.id}: {notebook} does not exist"
        assert notebook.relative_to(REPO_ROOT).as_posix() in assignment.notebooks, f"task {task.id}: {notebook}"
        assert any(re.match(rf"#+ {re.escape(section)} ", line) for line in markdown_headings(notebook)), \
            f"task {task.id}: {notebook.name} has no section {section} (a heading '## {section} ...')"


def test_every_listed_function_exists_in_the_library():
    for task in MANIFEST.tasks():
        for function in task.functions:
            module = source_edit.parse((REPO_ROOT / function.path).read_text(), function.path)
            assert source_edit.find_function(module, function.qualname) is not None, f"task {task.id}: {function}"


def marked_task(path: Path) -> str | None:
    """The task of a test file's ``pytestmark = pytest.mark.task_N_M`` line."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["pytestmark"]:
            return ast.unparse(node.value).split("task_", 1)[1].replace("_", ".")
    return None


WITH_TESTS = [a.id for a in MANIFEST.assignments.values() if (REPO_ROOT / a.public_dir).is_dir()]


@pytest.mark.parametrize("assignment_id", WITH_TESTS)
@pytest.mark.parametrize("kind", ["public", "hidden"])
def test_every_task_has_marked_tests_named_after_it(kind, assignment_id):
    assignment = MANIFEST.assignment(assignment_id)
    folder = REPO_ROOT / "coursework" / kind / assignment_id
    files = sorted(folder.glob("test_*.py"))
    tasks = {marked_task(path): path for path in files}
    assert None not in tasks, f"a test file in {folder} has no pytestmark"
    for path in files:
        task = marked_task(path)
        assert path.name.startswith(f"test_{task.replace('.', '_')}_"), f"{path.name} is marked task {task}"
    assert sorted(tasks) == sorted(task.id for task in assignment.tasks), f"{kind} tests do not cover every task"


@pytest.mark.parametrize("text, message", [
    ('[[assignment]]\nid = "A1"\ntitle = "x"\n[[task]]\nid = "1.1"\nassignment = "A1"\ntitle = "t"\npoints = 1\n'
     'functions = ["a.py:f"]\n', "missing key 'tutorial'"),
    ('[[assignment]]\nid = "A1"\ntitle = "x"\ncolour = 1\n', "unknown key(s) ['colour']"),
    ('[[task]]\nid = "9.1"\nassignment = "A9"\ntitle = "t"\npoints = 1\nfunctions = ["a.py:f"]\ntutorial = "s"\n',
     "which has no [[assignment]] table"),
    ('[[assignment]]\nid = "A1"\ntitle = "x"\n[[task]]\nid = "2.1"\nassignment = "A1"\ntitle = "t"\npoints = 1\n'
     'functions = ["a.py:f"]\ntutorial = "s"\n', "id starting with 1."),
    ('[[assignment]]\nid = "A1"\ntitle = "x"\n' + 2 * ('[[task]]\nid = "1.{n}"\nassignment = "A1"\ntitle = "t"\n'
     'points = 1\nfunctions = ["a.py:f"]\ntutorial = "s"\n'), "a function belongs to one task"),
    ('[[assignment]]\nid = "A1"\ntitle = "x"\n[[task]]\nid = "1.1"\nassignment = "A1"\ntitle = "t"\npoints = 1\n'
     'functions = ["a.py"]\ntutorial = "s"\n', "must look like"),
    ('[[assignment]]\nid = "A1"\ntitle = "x"\nleave_out = ["nn_from_scratch/tensor.py"]\n', "only files of"),
], ids=["missing-key", "unknown-key", "orphan-task", "id-prefix", "function-twice", "bad-function", "leave-out"])
def test_manifest_errors_name_the_culprit(tmp_path, text, message):
    (tmp_path / "coursework").mkdir()
    counter = iter(range(1, 10))
    while "{n}" in text:
        text = text.replace("{n}", str(next(counter)), 1)
    (tmp_path / "coursework" / "assignments.toml").write_text(text)
    with pytest.raises(CourseworkError, match="assignments.toml") as error:
        load_manifest(tmp_path)
    assert message in str(error.value)


# ---- editing bodies ---------------------------------------------------------------------------------------------

def test_strip_and_restore_every_task_function():
    """Stubbing keeps signature, decorators and docstring; splicing the solution back gives the same module."""
    for path, functions in functions_by_file(MANIFEST.tasks()).items():
        original = (REPO_ROOT / path).read_text()
        stubs = {q: source_edit.stub_body(task.stub_message) for q, task in functions.items()}
        stubbed = source_edit.replace_bodies(original, stubs, path)
        for qualname, task in functions.items():
            assert source_edit.is_stub(stubbed, qualname)
            assert source_edit.signature_dump(stubbed, qualname) == source_edit.signature_dump(original, qualname)
            node = source_edit.find_function(ast.parse(stubbed), qualname)
            assert ast.get_docstring(node) == ast.get_docstring(source_edit.find_function(ast.parse(original),
                                                                                           qualname))
            assert task.stub_message in stubbed
        restored = source_edit.replace_bodies(
            stubbed, {q: source_edit.function_body(original, q) for q in functions}, path)
        assert ast.dump(ast.parse(restored)) == ast.dump(ast.parse(original)), path


SAMPLE = '''import functools


class Outer:
    class Inner:
        @functools.lru_cache(maxsize=None)
        def method(self, x: int,
                   y=lambda: 1) -> dict[str, int]:
            """Doc."""
            # a comment that belongs to the body
            total = x + y()
            return {"total": total}
            # a trailing comment, also the body's

    def one_liner(self): return 1


def bare(x):
    return x * 2
'''


def test_body_editing_by_qualified_name():
    assert source_edit.function_body(SAMPLE, "Outer.Inner.method") == (
        '# a comment that belongs to the body\ntotal = x + y()\nreturn {"total": total}\n'
        "# a trailing comment, also the body's\n")
    assert source_edit.function_body(SAMPLE, "Outer.one_liner") == "return 1\n"
    edited = source_edit.replace_bodies(SAMPLE, {"Outer.Inner.method": "return {}\n", "bare": "    return x\n"})
    assert "@functools.lru_cache(maxsize=None)" in edited and '"""Doc."""' in edited
    assert "a comment that belongs" not in edited and "trailing comment" not in edited
    assert source_edit.function_body(edited, "bare") == "return x\n"
    assert "import functools" in edited and "def one_liner(self): return 1" in edited


def test_missing_or_unparsable_functions_are_named():
    with pytest.raises(CourseworkError, match=r"x\.py has no function Outer\.method \(functions of that name: "
                                              r"Outer\.Inner\.method\)"):
        source_edit.function_body(SAMPLE, "Outer.method", "x.py")
    with pytest.raises(CourseworkError, match=r"x\.py does not parse: line 1"):
        source_edit.function_body("def f(:\n", "f", "x.py")


# ---- notebooks ----------------------------------------------------------------------------------------------------

def notebook(*cells):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": source,
         **({"outputs": [{"output_type": "stream", "name": "stdout", "text": "42\n"}], "execution_count": 3}
            if kind == "code" else {})} for kind, source in cells]}


def test_solution_blocks_are_cut_from_notebooks(tmp_path):
    source = notebook(
        ("markdown", "### Exercise\nWrite `cube`.\n### BEGIN SOLUTION\nThe answer is x**3.\n### END SOLUTION\n"),
        ("code", ["def cube(x):\n", "    ### BEGIN SOLUTION\n", "    return x ** 3\n", "    ### END SOLUTION\n",
                  "print(cube(2))"]),
        ("code", "print('untouched')"),
    )
    path = tmp_path / "exercise.ipynb"
    path.write_text(json.dumps(source))
    assert solution_cells(source) == [0, 1]
    blocks = strip_notebook_file(path, tmp_path / "out" / "exercise.ipynb")
    assert blocks == 2
    stripped = json.loads((tmp_path / "out" / "exercise.ipynb").read_text())
    assert "".join(stripped["cells"][0]["source"]) == "### Exercise\nWrite `cube`.\nYOUR ANSWER HERE\n"
    assert "".join(stripped["cells"][1]["source"]) == (
        "def cube(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\nprint(cube(2))")
    assert stripped["cells"][1]["outputs"] == [] and stripped["cells"][1]["execution_count"] is None
    assert stripped["cells"][2] == source["cells"][2], "a cell without a solution must stay as it was"
    assert solution_cells(stripped) == []


@pytest.mark.parametrize("lines, message", [
    (["### BEGIN SOLUTION\n", "x = 1\n"], "without ### END SOLUTION"),
    (["x = 1\n", "### END SOLUTION\n"], "line 2: ### END SOLUTION without"),
    (["### BEGIN SOLUTION\n", "### BEGIN SOLUTION\n"], "inside another"),
])
def test_unbalanced_markers_are_errors(lines, message):
    with pytest.raises(CourseworkError, match="nb.ipynb, cell 0") as error:
        strip_solutions(notebook(("code", lines)), "nb.ipynb")
    assert message in str(error.value)


# ---- the release ----------------------------------------------------------------------------------------------------

def test_a_release_holds_what_students_need_and_nothing_else(a1_release):
    files = {path.relative_to(a1_release).as_posix() for path in a1_release.rglob("*") if path.is_file()}
    assert not [f for f in files if f.startswith(("coursework/hidden", "coursework/planted", "coursework/generators",
                                                  "tests/", "benchmarks/"))]
    assert "coursework/README.md" not in files and not any("__pycache__" in f for f in files)
    assert {"README.md", "pyproject.toml", RELEASE_SETTINGS, "coursework/assignments.toml", "coursework/conftest.py",
            CLASSROOM_WORKFLOW,
            "tutorials/01_autograd_from_scratch.ipynb", "tutorials/02_gradient_checking.ipynb"} <= files
    public = {f for f in files if f.startswith("coursework/public/A1/test_")}
    assert len(public) == len(A1.tasks)
    assert any(f.startswith("coursework/public/A1/data/") and f.endswith(".npz") for f in files)
    for name in files:
        if name.endswith(".py"):
            assert "\nTARGET_TASK = " not in (a1_release / name).read_text(), f"{name} looks like a planted solution"
    readme = (a1_release / "README.md").read_text()
    for task in A1.tasks:
        assert f"| {task.id} | {task.title} | {task.points} |" in readme
    assert "coursework check" in readme and "pytest -m task_1_1" in readme
    settings = (a1_release / RELEASE_SETTINGS).read_text()
    assert 'ASSIGNMENT = "A1"' in settings and 'KERNELS = "textbook"' in settings
    pyproject = (a1_release / "pyproject.toml").read_text()
    assert 'testpaths = ["coursework/public"]' in pyproject and "--nbmake" not in pyproject
    released_manifest = load_manifest(a1_release)
    assert list(released_manifest.assignments) == ["A1"]


@pytest.mark.parametrize("assignment_id", WITH_TESTS)
def test_a_release_has_no_solution_body(released, assignment_id):
    """Every task function is a stub naming its task; no function anywhere in the release (library, tests,
    notebooks) has a solution's body; the fast kernels it leaves out are not there."""
    assignment, tree = MANIFEST.assignment(assignment_id), released(assignment_id)
    for task in assignment.tasks:
        for function in task.functions:
            source = (tree / function.path).read_text()
            assert source_edit.is_stub(source, function.qualname), function
            assert source_edit.function_body(source, function.qualname) == source_edit.stub_body(task.stub_message)
    assert solution_body_leaks(tree, REPO_ROOT, assignment.tasks) == []
    for name in assignment.notebooks:
        assert solution_cells(json.loads((tree / name).read_text())) == []
    assert [path for path in assignment.leave_out if (tree / path).exists()] == []


@pytest.mark.parametrize("assignment_id", WITH_TESTS)
def test_a_release_imports_and_uses_textbook_kernels(released, assignment_id):
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import nn_from_scratch as nf; "
            "print(nf.kernels.current() if hasattr(nf, 'kernels') else 'no kernels module')")
    done = subprocess.run([sys.executable, "-c", code, str(released(assignment_id))], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() != "no kernels module":      # after the textbook/fast split
        assert done.stdout.strip() == "textbook"


def test_the_classroom_workflow_grades_each_task_with_its_points(a1_release):
    """Each release carries GitHub Classroom's workflow; the A1 template under coursework/templates/ is current."""
    yaml = pytest.importorskip("yaml")
    text = (a1_release / CLASSROOM_WORKFLOW).read_text()
    assert text == classroom_workflow(A1) == (REPO_ROOT / "coursework/templates/github-classroom-A1.yml").read_text()
    steps = yaml.safe_load(text)["jobs"]["run-autograding-tests"]["steps"]
    graders = [step for step in steps if step.get("uses", "").startswith("classroom-resources/autograding-command")]
    assert [(s["with"]["test-name"], s["with"]["max-score"], s["with"]["command"].split()[4]) for s in graders] == \
        [(task.name, task.points, task.marker) for task in A1.tasks]
    assert steps[-1]["with"]["runners"] == ",".join(step["id"] for step in graders)


def test_release_refuses_a_folder_that_is_not_empty(a1_release):
    done = run_cli("release", "A1", "--out", str(a1_release))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: {a1_release} is not empty: release into a new folder "
                                                "(or empty it first)"]


def test_list_prints_every_task_with_points():
    done = run_cli("list")
    assert done.returncode == 0, done.stderr
    assert "A1  Autograd  (11 tasks, 100 points)" in done.stdout
    for task in A1.tasks:
        assert task.title in done.stdout


# ---- the student's check ------------------------------------------------------------------------------------------

def test_check_in_a_release_reports_progress_and_one_task(tmp_path):
    out = tmp_path / "a1"
    release(MANIFEST, "A1", out)
    restore(out, [A1.task("1.4"), A1.task("1.3")])
    table = run_cli("check", cwd=out)
    assert table.returncode == 1, table.stderr
    assert "| 1.4 | Backward of add and mul | 6 | passed (3 tests, 1 skipped) |" in table.stdout
    assert "| 1.3 | The backward loop | 14 | waiting for Task 1.1 |" in table.stdout
    assert "| 1.1 | Topological order of the graph | 10 | not started |" in table.stdout
    # the same tests through pytest's own markers, as the release's README and classroom workflow run them
    marked = subprocess.run([sys.executable, "-m", "pytest", "-m", "task_1_4", "-q", "-p", "no:cacheprovider"],
                            cwd=out, capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, PYTHONPATH=str(out)))
    assert marked.returncode == 0 and "3 passed, 1 skipped" in marked.stdout, marked.stdout + marked.stderr
    # a wrong second function of task 1.4 (mul): the report shows expected versus got and the section to reread
    mul = A1.task("1.4").functions[1]
    path = out / mul.path
    source = path.read_text()
    wrong = source_edit.function_body(source, mul.qualname).replace("g * self.b", "g * self.a")
    path.write_text(source_edit.replace_bodies(source, {mul.qualname: wrong}))
    report = run_cli("check", "1.4", cwd=out)
    assert report.returncode == 1
    assert "Task 1.4: Backward of add and mul (6 points): FAILED" in report.stdout
    assert f"{mul.qualname}: dL/da: 12 of 12 elements differ; worst at index" in report.stdout
    assert "Reread: tutorials/01_autograd_from_scratch, section 1.4" in report.stdout


def test_task_outcomes_from_records():
    def test(outcome, task="1.2", exception=None, message=""):
        return {"event": "test", "nodeid": "t.py::x", "outcome": outcome, "tasks": [task], "exception": exception,
                "message": message}

    collected = {"event": "collected", "tests": [{"nodeid": "t.py::x", "tasks": ["1.2"], "hidden": False}] * 2}
    finished = {"event": "finished", "exitstatus": 0}
    stub_own = test("failed", exception="NotImplementedError", message="Task 1.2: sums; see here")
    stub_other = test("failed", exception="NotImplementedError", message="Task 1.1: order; see there")
    assert task_outcome("1.2", [collected, test("passed"), test("passed"), finished]).all_passed
    assert task_outcome("1.2", [collected, stub_own, stub_other, finished]).status == "not started"
    waiting = task_outcome("1.2", [collected, test("passed"), stub_other, finished])
    assert waiting.status == "waiting" and waiting.waiting_for == ["1.1"]
    assert task_outcome("1.2", [collected, test("passed"), test("failed", exception="AssertionError"),
                                finished]).status == "failed"
    assert task_outcome("1.2", [collected, test("passed")]).status == "incomplete"
    skipped = task_outcome("1.2", [collected, test("passed"), test("skipped"), finished])
    assert skipped.status == "passed" and not skipped.all_passed, "a skip passes a check, never a grade"
    assert task_outcome("1.3", [collected, finished]).status == "no tests"


def test_forbidden_modules_cannot_be_imported_and_come_back():
    import json as json_module

    with ModuleBlocker(["json"], "not in this test"):
        with pytest.raises(ForbiddenImportError, match="import json: not in this test"):
            import json  # noqa: F401
    import json
    assert json is json_module


GENERATORS = sorted(path.name for path in (REPO_ROOT / "coursework" / "generators").glob("generate_A*.py"))


@pytest.mark.parametrize("generator", GENERATORS)
def test_known_values_are_up_to_date(generator):
    """The .npz files of the public tests are what the generator makes from the current solution."""
    done = subprocess.run([sys.executable, f"coursework/generators/{generator}", "--check"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    assert done.returncode == 0, done.stdout + done.stderr
