"""The tutorial notebooks as course material, executed by a real Jupyter kernel in quick mode.

Stripped by the kit's own code (``### BEGIN SOLUTION`` ... ``### END SOLUTION`` cut
to ``raise NotImplementedError()``), a notebook runs to the end, and the only
errors are the exercises' own: each check cell fails with an AssertionError
naming its exercise, and an exercise cell may raise its skeleton's
NotImplementedError.  Everything else runs, thanks to the fallbacks that stand
in for an exercise's result while it is not done.  In the same kernel, each
exercise is then run again with its solution, which must pass its check, and
with planted mistakes (``=`` for ``+=``, a sign, a value 0.1% off...), which
must fail it.  The whole solution notebook runs clean under ``pytest --nbmake``
(CI), so this module does not run it a second time.

A release of an assignment ships exactly these stripped notebooks, and no line
of a solution; in a fresh release, where the library's task functions are stubs
too, every cell that fails names the task or the exercise it waits for.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from nn_from_scratch.coursework.manifest import load_manifest
from nn_from_scratch.coursework.notebooks import BEGIN_SOLUTION, END_SOLUTION, solution_cells, strip_solutions

nbclient = pytest.importorskip("nbclient")

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = load_manifest(REPO_ROOT)

# The notebooks that are course material (those of assignments, and chapter 8's exercises).
COURSE_NOTEBOOKS = ["tutorials/01_autograd_from_scratch.ipynb", "tutorials/02_gradient_checking.ipynb",
                    "tutorials/03_dense_layers_and_activations.ipynb", "tutorials/04_convolution.ipynb",
                    "tutorials/05_gan.ipynb", "tutorials/06_vae.ipynb",
                    "tutorials/07_evaluating_generative_models.ipynb", "tutorials/08_gpu.ipynb"]
# Those run in a fresh release too, where the library's task functions are stubs: the notebooks whose exercises
# come before the tasks they use.  Notebooks 05-07 use the GAN and VAE that the A3 and A4 tasks write, so in a
# fresh release they stop at the first stub (each says so); stripped, they run on the solution's library above.
RUN_IN_A_FRESH_RELEASE = COURSE_NOTEBOOKS[:4]

EXERCISE_HEADING = re.compile(r"^#+ ✏️ Exercise (\d+\.\d+)", re.MULTILINE)
CHECK_CALL = re.compile(r'check_exercise\("(\d+\.\d+)"\)')


def read(name: str) -> dict:
    return json.loads((REPO_ROOT / name).read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def exercises(notebook: dict) -> list:
    """The exercise ids of the notebook's headings ("### ✏️ Exercise 1.2: ..."), in order."""
    return [match for cell in notebook["cells"] if cell["cell_type"] == "markdown"
            for match in EXERCISE_HEADING.findall(source(cell))]


def check_cells(notebook: dict) -> dict:
    """{cell index: exercise id} of the cells that check an exercise (``with check_exercise("1.2"):``)."""
    return {index: match.group(1) for index, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "code" and (match := CHECK_CALL.search(source(cell)))}


def execute(notebook: dict, monkeypatch, root: Path = REPO_ROOT, then=None) -> list:
    """Run every cell in a fresh kernel in ``root``/tutorials, with ``root``'s library, going on after errors;
    returns the executed cells.  ``then(run_cell)``, if given, runs afterwards in the same kernel, where
    ``run_cell(source)`` executes one more cell and returns it."""
    monkeypatch.setenv("NN_FROM_SCRATCH_QUICK", "1")
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    node = nbformat.reads(json.dumps(notebook), as_version=4)
    client = nbclient.NotebookClient(node, timeout=300, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(root / "tutorials")}})
    count = len(node.cells)
    with client.setup_kernel():
        for index, cell in enumerate(node.cells):
            client.execute_cell(cell, index)
        if then is not None:
            def run_cell(text):
                node.cells.append(nbformat.v4.new_code_cell(text))
                return client.execute_cell(node.cells[-1], len(node.cells) - 1)
            then(run_cell)
    return node.cells[:count]


def errors(cells) -> dict:
    """{cell index: (exception name, message)} of the cells that raised."""
    found = {}
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type == "error":
                found[index] = (output.ename, output.evalue)
    return found


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_each_exercise_has_a_solution_block_and_a_check_naming_it(name):
    notebook = read(name)
    ids = exercises(notebook)
    assert ids, f"{name}: no exercise heading ('### ✏️ Exercise N.M: ...')"
    checks = check_cells(notebook)
    assert sorted(checks.values()) == sorted(ids), f"{name}: one check cell per exercise: {checks} for {ids}"
    assert [exercise for exercise in ids if not PLANTED.get(exercise)] == [], f"{name}: add planted mistakes"
    blocks = solution_cells(notebook)
    for index, exercise in checks.items():
        before = [cell for cell in blocks if cell < index]
        assert before and all(cell not in checks for cell in range(before[-1], index)), \
            f"{name}: the check of exercise {exercise} (cell {index}) follows no solution cell of its own"
        assert index not in blocks, f"{name}, cell {index}: a check cell must not hold a solution"


# Planted mistakes, a few per exercise: (a piece of its solution, what it becomes).  Each must fail the exercise's
# check; among them the classics (= for +=, a lost upstream gradient, a sign) and values 0.1% off.
PLANTED = {
    "1.1": [("v.grad += ", "v.grad = "), (") * out.grad", ")"), ("(1 - t * t)", "(1.001 - t * t)")],
    "1.2": [("grad_output * 3 * self.x", "grad_output * 3.003 * self.x"),
            ("return x * x * x", "return x * x * x * 1.001"),
            ("return grad_output * 3 * self.x * self.x", "return 3 * self.x * self.x")],
    "1.3": [("2 * 1.5 + 1 ", "2 * 1.5 "), ("2 * 1.5 + 1 ", "2 * 1.5 + 1.004 ")],
    "1.4": [("x_values.sum(axis=0)", "x_values.sum(axis=1)"), ("x_values.sum(axis=0)", "x_values.sum(axis=0) * 1.001")],
    "2.1": [("predicted_numeric = 0.0", "predicted_numeric = 0.5"),
            ("predicted_analytic = 0.0", "predicted_analytic = 1.0"),
            ("check_passes_at_zero = True", "check_passes_at_zero = False")],
    "2.2": [("(1 - self.y)", "(1.001 - self.y)"), ("return grad_output * self.y", "return self.y")],
    "2.3": [("-grad_output * self.a", "grad_output * self.a"), ("self.b ** 2\n", "self.b ** 2 * 1.001\n"),
            ("return grad_output / self.b,", "return 1 / self.b,")],
    "3.1": [("grad_W = Y2.T @ X2", "grad_W = X2.T @ Y2"), ("grad_W = Y2.T @ X2", "grad_W = Y2.T @ X2 * 1.001"),
            ("grad_b = Y2.sum(axis=0)", "grad_b = Y2.mean(axis=0)")],
    "3.2": [("g * (1 - np.tanh", "g * (1.001 - np.tanh"), ("g * (1 - np.tanh", "(1 - np.tanh")],
    "3.3": [("np.where(Z1 > 0, 1.0, 0.2)", "np.where(Z1 > 0, 1.0, 0.0)"), ("- T) / N", "- T)"),
            ("db1 = dZ1.sum(axis=0)", "db1 = dZ1.sum(axis=0) * 1.001"), ("dW2 = dZ2.T @ H", "dW2 = dZ2.T @ Z1")],
    "3.4": [("p.data -= ", "p.data += "), ("        p.zero_grad()\n", ""),
            ("learning_rate * p.grad", "learning_rate * p.grad * 1.001"),
            ("p.data -= learning_rate * p.grad", "p.data = -learning_rate * p.grad")],
    "4.1": [("// 2 + 1,     # (c) 4", "// 2,     # (c) 4")],
    "4.2": [("- 2 + (4 - 1) + 1,     # 28", "- 2 + (4 - 1),     # 28")],
    "4.3": [("[2, 4, 6]", "[4]")],
    "5.1": [("- 2 * padding", "- padding"), (" + output_padding", ""),
            ('"kernel": 4, "stride": 2, "padding": 1', '"kernel": 3, "stride": 2, "padding": 1')],
    "5.2": [("return -F.binary", "return F.binary"), ("np.zeros(fake_logits.shape", "np.ones(fake_logits.shape"),
            ("(fake_logits, zeros)", "(fake_logits, zeros) * 1.001")],
    "5.3": [("D(fake.detach(), labels)", "D(fake, labels)"), ("    opt_D.zero_grad()\n", ""),
            ('"d_real": F.sigmoid(real_logits)', '"d_real": F.sigmoid(fake_logits)')],
    "5.4": [("np.repeat(np.arange(10), 10)", "np.tile(np.arange(10), 10)"),
            ("np.tile(column_noise, (10, 1))", "np.repeat(column_noise, 10, axis=0)")],
    "6.1": [("F.exp(0.5 * logvar)", "F.exp(logvar)"), ("F.exp(0.5 * logvar)", "F.exp(0.5005 * logvar)"),
            ("return mu + ", "return mu - ")],
    "6.2": [("0.5 * np.sum", "np.sum"), ("axis=1)", "axis=0)"), ("- 1 - logvar", "- logvar")],
    "6.3": [("np.linspace(0.0, 1.0, steps)", "np.linspace(0.0, 1.0, steps + 1)[1:]"),
            ("(1 - t) * a + t * b", "t * a + (1 - t) * b")],
    "7.1": [("sevens.mean(axis=0)", "sevens[0]"), ("sevens.mean(axis=0)", "sevens.mean(axis=(0, 1))")],
    "7.2": [("a.std(ddof=1) - b.std(ddof=1)", "a.std() - b.std()"), ("** 2)", "** 2 * 1.001)")],
    "7.3": [("probs.mean(axis=0, keepdims=True)", "probs.mean(axis=1, keepdims=True)"),
            ("np.exp(kl.mean())", "kl.mean()"),
            ("np.log(probs) - np.log(marginal)", "np.log(marginal) - np.log(probs)")],
    "7.4": [("largest + np.log", "np.log"), ("np.mean(np.exp(values - largest))", "np.sum(np.exp(values - largest))"),
            ("largest = values.max()", "largest = 0.0")],
    "8.1": [("return tuple(", "return list(")],
    "8.2": [("float(np.median(times))", "float(np.mean(times))"), ("    for _ in range(warmup):\n        fn()\n", ""),
            ("        if synchronize is not None:\n            synchronize()\n        started", "        started")],
}


def exercise_sections(notebook: dict) -> dict:
    """{exercise: the indices of its code cells, from its heading to its check}."""
    cells, checks = notebook["cells"], check_cells(notebook)
    headings = {exercise: index for index, cell in enumerate(cells) if cell["cell_type"] == "markdown"
                for exercise in EXERCISE_HEADING.findall(source(cell))}
    return {exercise: [i for i in range(headings[exercise], check + 1) if cells[i]["cell_type"] == "code"]
            for check, exercise in checks.items()}


def planted_section(notebook: dict, section: list, old: str, new: str) -> list:
    """The sources of ``section``'s cells, with ``old`` replaced by ``new`` in its solution block."""
    sources = [source(notebook["cells"][index]) for index in section]
    holders = [i for i, text in enumerate(sources) if BEGIN_SOLUTION in text and old in text]
    assert len(holders) == 1, f"the planted mistake {old!r} -> {new!r} matches {len(holders)} solution cells"
    sources[holders[0]] = sources[holders[0]].replace(old, new, 1)
    return sources


def stream(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_stripped_notebook_runs_to_the_end_and_its_checks_pass_solutions_and_catch_planted_mistakes(name, monkeypatch):
    """Stripped, the notebook runs to the end and only the exercises fail.  Then, in the same kernel, each
    exercise's section (its cells from the heading to the check) runs again with the solution, which must pass
    its check, and with each planted mistake, which must fail it, naming the exercise."""
    solution, notebook = read(name), read(name)
    blocks = strip_solutions(notebook, name)
    assert blocks >= len(exercises(notebook))
    checks, skeletons = check_cells(notebook), set(solution_cells(solution))
    replays = {}

    def replay(run_cell):
        for exercise, section in exercise_sections(solution).items():
            runs = [(None, [source(solution["cells"][index]) for index in section])]
            runs += [((old, new), planted_section(solution, section, old, new)) for old, new in PLANTED[exercise]]
            replays[exercise] = [(planted, [run_cell(text) for text in sources]) for planted, sources in runs]

    raised = errors(execute(notebook, monkeypatch, then=replay))
    unexpected = {}
    for index, (ename, message) in raised.items():
        if index in checks:
            if ename != "AssertionError" or not message.startswith(f"Exercise {checks[index]}: "):
                unexpected[index] = (ename, message)
        elif not (index in skeletons and ename == "NotImplementedError"):
            unexpected[index] = (ename, message)
    assert not unexpected, f"{name} (stripped): cells other than the exercises' failed: {unexpected}"
    assert sorted(checks[index] for index in raised if index in checks) == sorted(checks.values()), \
        f"{name} (stripped): every exercise's check must fail while the exercise is not done: {raised}"

    for exercise, runs in replays.items():
        (_, cells), *planted_runs = runs
        assert errors(cells) == {} and f"Exercise {exercise} passed" in stream(cells[-1]), \
            f"{name}: the solution of exercise {exercise} does not pass its check: {errors(cells)}"
        for (old, new), cells in planted_runs:
            before, check = errors(cells[:-1]), errors(cells[-1:]).get(0)
            planted = f"exercise {exercise} with {new!r} for {old!r}"
            assert before == {}, f"{name}: {planted} failed before its check: {before}"
            assert check is not None and check[0] == "AssertionError" and check[1].startswith(
                f"Exercise {exercise}: "), f"{name}: the check misses {planted}: {check}"


def test_the_solution_notebooks_are_run_by_nbmake():
    """As solution, each notebook runs clean in CI: ``pytest --nbmake`` executes every tutorial (pyproject.toml),
    and a check that fails raises (``check_exercise``, once per check cell).  Not run a second time here."""
    from nn_from_scratch.coursework.manifest import tomllib

    options = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "--nbmake" in options["addopts"].split() and "tutorials" in options["testpaths"]
    for name in COURSE_NOTEBOOKS:
        for index, exercise in check_cells(read(name)).items():
            assert source(read(name)["cells"][index]).count("with check_exercise(") == 1, (name, index, exercise)


def code_lines(notebook: dict) -> tuple:
    """(lines inside solution blocks, lines outside them) of the notebook's cells, without indentation,
    blank lines and comments."""
    inside_lines, outside_lines = set(), set()
    for cell in notebook["cells"]:
        inside = False
        for line in source(cell).splitlines():
            marker = line.strip()
            if marker in (BEGIN_SOLUTION, END_SOLUTION):
                inside = marker == BEGIN_SOLUTION
            elif marker and not marker.startswith("#"):
                (inside_lines if inside else outside_lines).add(marker)
    return inside_lines, outside_lines


RELEASED = [(assignment.id, name) for assignment in MANIFEST.assignments.values() if assignment.tasks
            for name in assignment.notebooks]
RELEASED_AND_RUN = [(assignment_id, name) for assignment_id, name in RELEASED if name in RUN_IN_A_FRESH_RELEASE]


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """``releases(assignment_id)``: the folder of a fresh release by the command line, made once per module."""
    import os
    import subprocess
    import sys

    made = {}

    def get(assignment_id):
        if assignment_id not in made:
            out = tmp_path_factory.mktemp("release") / assignment_id.lower()
            done = subprocess.run([sys.executable, "-m", "nn_from_scratch", "coursework", "release", assignment_id,
                                   "--out", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
                                  env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
            assert done.returncode == 0, done.stderr
            made[assignment_id] = out
        return made[assignment_id]
    return get


TASK_STUB = re.compile(r"Task (\d+\.\d+): ")


@pytest.mark.parametrize("assignment_id, name", RELEASED_AND_RUN)
def test_fresh_release_notebook_fails_only_where_a_task_or_an_exercise_is_not_done(releases, assignment_id, name,
                                                                                   monkeypatch):
    """In a fresh release the library's task functions are stubs too: the notebook still runs to the end, and
    every cell that fails names what it waits for: a task of the assignment (its stub's NotImplementedError, also
    inside a check), an exercise (its check), or it is an exercise's skeleton.  A NameError is allowed only for a
    name that an earlier cell failed to define because a task's stub raised there."""
    tree = releases(assignment_id)
    tasks = {task.id for task in MANIFEST.assignment(assignment_id).tasks}
    notebook = json.loads((tree / name).read_text(encoding="utf-8"))
    checks, skeletons = check_cells(notebook), set(solution_cells(read(name)))
    raised = errors(execute(notebook, monkeypatch, root=tree))
    undefined_by_a_stub = set()
    unexpected = {}
    for index, (ename, message) in sorted(raised.items()):
        stub = TASK_STUB.match(message) if ename == "NotImplementedError" else None
        if stub and stub.group(1) in tasks:
            undefined_by_a_stub |= set(re.findall(r"(?m)^(\w+)\s*=", source(notebook["cells"][index])))
        elif index in checks:
            if ename != "AssertionError" or not message.startswith(f"Exercise {checks[index]}: "):
                unexpected[index] = (ename, message)
        elif ename == "NameError":
            if re.search(r"name '(\w+)'", message).group(1) not in undefined_by_a_stub:
                unexpected[index] = (ename, message)
        elif not (index in skeletons and ename == "NotImplementedError"):
            unexpected[index] = (ename, message)
    assert not unexpected, f"{name} in a fresh {assignment_id} release: cells failed for another reason: {unexpected}"
    assert sorted(checks[index] for index in raised if index in checks) == sorted(checks.values())


@pytest.mark.parametrize("assignment_id, name", RELEASED)
def test_released_notebook_holds_no_line_of_a_solution(releases, assignment_id, name):
    """No line of a solution is left in the released notebook (but for lines the notebook also has outside its
    solutions, such as `return out`), and every cell without a solution is released as it is."""
    solution = read(name)
    released = json.loads((releases(assignment_id) / name).read_text(encoding="utf-8"))
    assert solution_cells(released) == []
    inside, outside = code_lines(solution)
    answer_lines = inside - outside
    assert answer_lines, f"{name}: no solution block"
    released_lines = {line.strip() for cell in released["cells"] for line in source(cell).splitlines()}
    leaked = sorted(answer_lines & released_lines)
    assert not leaked, f"{name} as released by {assignment_id} still holds solution lines: {leaked[:5]}"
    assert len(released["cells"]) == len(solution["cells"])
    for index, (mine, theirs) in enumerate(zip(solution["cells"], released["cells"])):
        if BEGIN_SOLUTION not in source(mine):
            assert source(theirs) == source(mine), f"{name}, cell {index}: changed by the release"


# ---- check_exercise and finite_differences ------------------------------------------------------------------------

def failure_of(block) -> str:
    """The message of the AssertionError that ``check_exercise("9.9")`` raises around ``block()``."""
    from nn_from_scratch.coursework.exercises import check_exercise

    with pytest.raises(AssertionError) as error:
        with check_exercise("9.9"):
            block()
    return str(error.value)


def raise_(error):
    raise error


def test_every_failure_of_a_check_names_its_exercise(capsys):
    from nn_from_scratch.coursework.exercises import check_exercise, expect_close, expect_equal

    assert failure_of(lambda: expect_close(1.001, 1.0, "the slope")).startswith(
        "Exercise 9.9: the slope: 1 of 1 elements differ; worst at index (): expected 1, got 1.001")
    assert failure_of(lambda: expect_equal([3, 4], [3, 5], "sizes")) == \
        "Exercise 9.9: sizes: expected [3, 5], got [3, 4]"
    assert failure_of(lambda: raise_(AssertionError("Exercise 9.9: said once"))) == "Exercise 9.9: said once"
    assert failure_of(lambda: raise_(NotImplementedError())).startswith(
        "Exercise 9.9: not done yet: the exercise cell still raises NotImplementedError")
    assert failure_of(lambda: raise_(NotImplementedError("Task 1.3: The backward loop; see ..."))) == (
        "Exercise 9.9: needs task 1.3 of the library, not written yet (Task 1.3: The backward loop; see ...)")
    assert failure_of(lambda: raise_(NameError("name 'sizes' is not defined"))).startswith(
        "Exercise 9.9: not done yet: name 'sizes' is not defined (define it in the exercise cell above")
    message = failure_of(lambda: raise_(ValueError("shapes (2,3) and (2,3) not aligned")))
    assert message.startswith("Exercise 9.9: your code raised ValueError: shapes (2,3) and (2,3) not aligned")
    capsys.readouterr()
    with check_exercise("9.9"):
        expect_close(2.0, 2.0, "the slope")
    assert capsys.readouterr().out == "Exercise 9.9 passed\n"


def test_finite_differences_of_a_numpy_computation():
    import numpy as np

    from nn_from_scratch.coursework.exercises import finite_differences

    weight, x = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.3, -0.7])
    before = weight.copy()
    gradient = finite_differences(lambda: np.sum(np.tanh(weight @ x)), weight)
    assert np.allclose(gradient, np.outer(1 - np.tanh(weight @ x) ** 2, x), rtol=1e-8, atol=1e-10)
    assert np.array_equal(weight, before), "the array must be restored"
    with pytest.raises(TypeError, match="float64"):
        finite_differences(lambda: 0.0, weight.astype(np.float32))
    with pytest.raises(ValueError, match="not contiguous"):
        finite_differences(lambda: 0.0, weight.T)


def test_a_check_remembers_a_pass_and_refuses_the_library_while_it_runs():
    from nn_from_scratch.coursework import exercises
    from nn_from_scratch.models import gan

    namespace = {"loss": gan.generator_loss}
    with exercises.library_refuses(gan.generator_loss, namespace=namespace):
        for call in (namespace["loss"], gan.generator_loss):
            with pytest.raises(AssertionError, match="called the library's generator_loss"):
                call(None)
    assert namespace["loss"] is gan.generator_loss and gan.generator_loss.__name__ == "generator_loss"
    with exercises.check_exercise("9.3"):
        pass
    assert exercises.passed("9.3") and exercises.mine_or_reference("9.3", "mine", "ref") == "mine"
    with pytest.raises(AssertionError):
        with exercises.check_exercise("9.3"):
            raise AssertionError("now wrong")
    assert not exercises.passed("9.3") and exercises.mine_or_reference("9.3", "mine", "ref") == "ref"
