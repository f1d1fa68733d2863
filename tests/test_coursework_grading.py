"""Grading end to end, for every assignment with hidden tests: the solution scores 100%, a release 0, each
restored task exactly its points, every planted wrong solution is caught; and (A1) hostile submissions (a hang,
a flood, a crash at import, deleted or edited tests, monkeypatching, reading the solution, network, memory,
forbidden imports) are graded correctly.

Each grading runs every task in its own sandboxed process (about a second of CPU each); the tests run two at a
time.  The solution's grading times are printed (run with -s to see them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nn_from_scratch.coursework import source_edit
from nn_from_scratch.coursework.grade import folders_to_hide, grade, review_notes, submitted_bodies
from nn_from_scratch.coursework.manifest import CourseworkError, FunctionRef, Task, load_manifest
from nn_from_scratch.coursework.planted import load_planted, write_planted_submission
from nn_from_scratch.coursework.release import release, replace_task_functions
from nn_from_scratch.coursework.sandbox import namespaces_available

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = load_manifest(REPO_ROOT)
A1 = MANIFEST.assignment("A1")
GRADED = [a.id for a in MANIFEST.assignments.values() if (REPO_ROOT / a.hidden_dir).is_dir()]
PARALLEL = 2


def solution_body(path: str, qualname: str) -> str:
    return source_edit.function_body((REPO_ROOT / path).read_text(), qualname, path)


def restore(tree: Path, tasks) -> None:
    """Put the solution's bodies of ``tasks`` back into ``tree``."""
    paths = {f.qualname: f.path for task in tasks for f in task.functions}
    replace_task_functions(tree, tasks, lambda task, qualname: solution_body(paths[qualname], qualname))


def set_body(tree: Path, path: str, qualname: str, body: str) -> None:
    file = tree / path
    file.write_text(source_edit.replace_bodies(file.read_text(), {qualname: body}, path))


def scores(report) -> dict:
    return {result.task.id: result.score for result in report.results}


def full_marks(except_for=(), assignment=A1) -> dict:
    return {task.id: (0.0 if task.id in except_for else task.points) for task in assignment.tasks}


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """A fresh release of each graded assignment."""
    folder = tmp_path_factory.mktemp("grading")
    for assignment_id in GRADED:
        release(MANIFEST, assignment_id, folder / assignment_id)
    return folder


@pytest.fixture(scope="module")
def a1_release(releases):
    return releases / "A1"


@pytest.mark.parametrize("assignment_id", GRADED)
def test_the_solution_grades_full_marks_within_the_time_limits(tmp_path, assignment_id):
    """Through the command line, as on Gradescope: results.json and the Markdown table."""
    assignment = MANIFEST.assignment(assignment_id)
    results, table = tmp_path / "results.json", tmp_path / "results.md"
    done = subprocess.run([sys.executable, "-m", "nn_from_scratch", "coursework", "grade", str(REPO_ROOT),
                           "--assignment", assignment_id, "--out", str(results), "--markdown", str(table), "--jobs",
                           str(PARALLEL), "--end-to-end"], cwd=tmp_path, capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    assert done.returncode == 0, done.stderr
    data = json.loads(results.read_text())
    assert data["score"] == assignment.points
    assert [t["name"] for t in data["tests"]] == [task.name for task in assignment.tasks] + \
        ["End to end: your whole library on every task's tests"]
    whole = data["tests"].pop()
    assert whole["max_score"] == 0 and whole["output"].count(": passed, ") == len(assignment.tasks), whole["output"]
    for entry, task in zip(data["tests"], assignment.tasks):
        assert entry["score"] == entry["max_score"] == task.points, entry["output"]
        assert entry["output"].startswith("All tests passed"), entry["output"]
        assert entry["extra_data"]["seconds"] < 30, f"{entry['name']} took {entry['extra_data']['seconds']} s"
    assert data["execution_time"] < 300
    assert f"| | **Total** | **{assignment.points} / {assignment.points}** |" in table.read_text()
    print(f"\n{assignment_id} solution graded in {data['execution_time']} s with {PARALLEL} jobs; per task: "
          + ", ".join(f"{t['name'].split(':')[0]} {t['extra_data']['seconds']} s" for t in data["tests"]))


@pytest.mark.parametrize("assignment_id", GRADED)
def test_a_fresh_release_grades_zero_without_crashing(releases, assignment_id):
    shortcut = grade(releases / assignment_id, assignment_id, solution=REPO_ROOT)
    assert shortcut.score == 0 and {r.status for r in shortcut.results} == {"not attempted"}
    ran = grade(releases / assignment_id, assignment_id, solution=REPO_ROOT, jobs=PARALLEL, run_unattempted=True)
    assert ran.score == 0
    for result in ran.results:
        assert result.status == "failed", f"{result.task.name}: {result.status}\n{result.output}"
        assert "NotImplementedError" in result.output and f"Task {result.task.id}:" in result.output


@pytest.mark.parametrize("assignment_id", GRADED)
def test_each_restored_task_alone_scores_exactly_its_points(releases, tmp_path, assignment_id):
    """For every task: a release with only that task's functions restored grades exactly that task's points,
    and the student's check passes it, or says which unwritten task its public tests wait for (in A1, task 1.3's
    tests need the topological order of task 1.1)."""
    assignment = MANIFEST.assignment(assignment_id)

    def one(task):
        tree = tmp_path / f"restored-{task.id}"
        shutil.copytree(releases / assignment_id, tree)
        restore(tree, [task])
        report = grade(tree, assignment_id, solution=REPO_ROOT)
        check = subprocess.run([sys.executable, "-m", "nn_from_scratch", "coursework", "check", task.id], cwd=tree,
                               capture_output=True, text=True, timeout=600, env=dict(os.environ, PYTHONPATH=str(tree)))
        return task, report, check

    with ThreadPoolExecutor(PARALLEL) as pool:
        for task, report, check in pool.map(one, assignment.tasks):
            assert scores(report) == {t.id: (t.points if t.id == task.id else 0.0) for t in assignment.tasks}, \
                "\n".join(r.output for r in report.results if r.task.id == task.id)
            assert f"({task.points} points): passed" in check.stdout or \
                f"({task.points} points): waiting" in check.stdout, check.stdout + check.stderr


@pytest.mark.parametrize("assignment_id", GRADED)
def test_every_planted_wrong_solution_is_caught(tmp_path, assignment_id):
    """Each planted solution scores 0 on its target task.  A planted file replaces only functions of its target,
    so every other task's grading tree is exactly the solution's (full marks above); the first planted solution
    of the first assignment is graded on every task all the same (once: the property is the kit's)."""
    assignment = MANIFEST.assignment(assignment_id)
    planted = load_planted(MANIFEST, assignment)
    assert len(planted) >= 5
    for item in planted:
        target = assignment.task(item.target)
        assert {f.qualname for f in item.bodies} <= {f.qualname for f in target.functions}

    def one(item):
        submission = write_planted_submission(MANIFEST, item, tmp_path / item.name)
        for task in assignment.tasks:
            if task.id != item.target:
                for function in task.functions:
                    assert source_edit.body_dump((submission / function.path).read_text(), function.qualname) == \
                        source_edit.body_dump((REPO_ROOT / function.path).read_text(), function.qualname)
        everything = item is planted[0] and assignment_id == GRADED[0]
        return item, grade(submission, assignment_id, solution=REPO_ROOT,
                           task_ids=None if everything else [item.target])

    with ThreadPoolExecutor(PARALLEL) as pool:
        for item, report in pool.map(one, planted):
            result = next(r for r in report.results if r.task.id == item.target)
            assert result.score == 0 and result.status == "failed", f"{item.name} was not caught:\n{result.output}"
            if len(report.results) > 1:
                assert scores(report) == full_marks([item.target], assignment)


def function_of(task_id: str, index: int = 0):
    """The manifest's ``index``-th function of an A1 task (library names live in the manifest only)."""
    return A1.task(task_id).functions[index]


def with_prefix(tree: Path, function, prefix: str) -> None:
    """Give ``function`` in ``tree`` the solution's body, preceded by ``prefix``."""
    set_body(tree, function.path, function.qualname, prefix + solution_body(function.path, function.qualname))


def test_hostile_submission(a1_release, tmp_path):
    """One submission, one trick per task; each trick costs at most its own task's points."""
    tree = tmp_path / "hostile"
    shutil.copytree(a1_release, tree)
    restore(tree, A1.tasks)
    engine, ops = function_of("1.1").path, function_of("1.4").path
    # module-level code is never run: a monkeypatch of numpy's test helpers, a crash at import
    with open(tree / ops, "a") as file:
        file.write("\nimport numpy.testing\nnumpy.testing.assert_allclose = lambda *a, **k: None\n")
    with open(tree / engine, "a") as file:
        file.write('\nraise SystemExit("this submission crashes at import")\n')
    # the submission's tests are edited, its hidden tests planted, its conftest sabotaged: the grader uses its own
    for test in (tree / "coursework/public/A1").glob("test_*.py"):
        test.write_text("def test_nothing():\n    pass\n")
    (tree / "coursework/conftest.py").write_text("import os\nos._exit(0)\n")
    (tree / "conftest.py").write_text("import os\nos._exit(0)\n")
    # 1.2 executes the grader's own solution, read from disk: hidden from it where namespaces exist
    cheat = function_of("1.2")
    set_body(tree, cheat.path, cheat.qualname, f"""
import ast, pathlib
text = pathlib.Path({str(REPO_ROOT / cheat.path)!r}).read_text()
node = next(n for n in ast.parse(text).body if getattr(n, "name", "") == {cheat.qualname!r})
namespace = dict(globals())
exec(compile(ast.Module([node], []), "solution", "exec"), namespace)
here = locals()
code = {cheat.qualname}.__code__
return namespace[{cheat.qualname!r}](*[here[name] for name in code.co_varnames[:code.co_argcount]])
""")
    set_body(tree, function_of("1.5").path, function_of("1.5").qualname, "while True:\n    pass\n")   # hangs
    with_prefix(tree, function_of("1.6"), "import sys\nsys.stdout.write('flood ' * 2_000_000)\nsys.stdout.flush()\n")
    with_prefix(tree, function_of("1.7"), "import numpy\nnumpy.ones(10**10)\n")                       # memory
    order = function_of("1.1")
    module = order.path.removesuffix(".py").replace("/", ".")
    with_prefix(tree, function_of("1.8", 1),                                                    # breaks the engine
                f"import {module}\n{module}.{order.qualname} = lambda output: [output]\n")
    with_prefix(tree, function_of("1.10"), """
import socket
try:
    socket.create_connection(("192.0.2.1", 80), timeout=2).close()
    raise RuntimeError("reached the network")
except OSError:
    pass
""")                                                                                             # no network
    numerical = function_of("1.11")
    set_body(tree, numerical.path, numerical.qualname, "import torch\nreturn torch.zeros(1)\n")  # forbidden
    report = grade(tree, "A1", solution=REPO_ROOT, timeout_s=20, jobs=PARALLEL, end_to_end=True)
    by_id = {r.task.id: r for r in report.results}
    hidden = namespaces_available()
    expected = full_marks(except_for=["1.5", "1.7", "1.8", "1.11"] + (["1.2"] if hidden else []))
    assert scores(report) == expected, "\n\n".join(f"{r.task.name}: {r.status}\n{r.output}" for r in report.results)
    assert by_id["1.5"].status == "timed out" and by_id["1.5"].seconds < 20 + 10
    assert f"review: the body of {cheat.qualname} uses" in by_id["1.2"].output
    assert "import torch" in by_id["1.11"].output and "not allowed in assignment A1" in by_id["1.11"].output
    assert "MemoryError" in by_id["1.7"].output
    assert "did not load" in report.end_to_end and "this submission crashes at import" in report.end_to_end


def test_unreadable_or_changed_submissions_are_named(tmp_path, a1_release):
    task = A1.task("1.4")
    path = task.functions[0].path
    broken = tmp_path / "broken"
    shutil.copytree(a1_release, broken)
    (broken / path).write_text((broken / path).read_text() + "\ndef oops(:\n")
    with pytest.raises(CourseworkError, match=f"{path} does not parse: line"):
        submitted_bodies(broken, task, REPO_ROOT)
    report = grade(broken, "A1", solution=REPO_ROOT, task_ids=["1.4", "1.1"])
    assert [r.status for r in report.results] == ["not gradable", "not attempted"]
    # a changed signature is noted (the grader keeps the given one); a body using open() or os is flagged
    solution, submission = tmp_path / "solution", tmp_path / "submission"
    for folder, signature in ((solution, "def area(width, height):"), (submission, "def area(w, h):")):
        folder.mkdir()
        (folder / "shapes.py").write_text(f'{signature}\n    """w times h."""\n    return 0\n')
    toy = Task("9.1", "A9", "Area", 1, (FunctionRef("shapes.py", "area"),), "nowhere")
    bodies, notes, attempted = submitted_bodies(submission, toy, solution)
    assert attempted and bodies == {"area": "return 0\n"}
    assert notes == ["note: the signature of area differs from the given one; the grader keeps the given one"]
    assert review_notes("import os\nreturn open('x').read()", "f") == ["review: the body of f uses import os, open()"]


def test_folders_to_hide_keep_what_the_test_process_needs(tmp_path):
    for folder in ("repo/nn_from_scratch", "repo/.venv/lib/site-packages", "repo/coursework/hidden", "other"):
        (tmp_path / folder).mkdir(parents=True)
    hidden = folders_to_hide([tmp_path / "repo", tmp_path / "other"], [tmp_path / "repo/.venv/lib/site-packages"])
    assert hidden == sorted(str(tmp_path / f) for f in ("other", "repo/coursework", "repo/nn_from_scratch"))


def test_the_gradescope_script(a1_release, tmp_path):
    """run_autograder writes results.json for a submission, and a readable one when the grader cannot run."""
    script = REPO_ROOT / "coursework/templates/gradescope/run_autograder"
    autograder = tmp_path / "autograder"
    autograder.mkdir()
    (autograder / "source").symlink_to(REPO_ROOT)
    shutil.copytree(a1_release, autograder / "submission")
    env = dict(os.environ, AUTOGRADER=str(autograder), PYTHON=sys.executable, PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    results = json.loads((autograder / "results/results.json").read_text())
    assert results["score"] == 0 and len(results["tests"]) == len(A1.tasks) + 1
    assert (autograder / "results/results.md").is_file()
    shutil.rmtree(autograder / "submission")
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=600, env=env)
    results = json.loads((autograder / "results/results.json").read_text())
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("The grader could not run: error: submission ") and \
        "is not a folder" in results["output"], results["output"]
