"""Grading a submission task by task, each in isolation: ``coursework grade SUBMISSION --assignment A1``.

Where everything comes from:

* the **solution** and the **tests** come from the grader's own project: the
  repository (or unpacked copy) holding the ``nn_from_scratch`` package that
  runs the grader, with ``coursework/hidden/`` (``--solution DIR`` names
  another).  Never from the submission;
* from the submission, only the **bodies** of the task's functions, read with
  ``ast`` by qualified name.  Its module-level code, its tests, its other
  functions and files are never run nor read.

For each task the grader builds a tree: a copy of the solution's library
(without the fast kernels the assignment leaves out, textbook kernels by
default), with that task's function bodies taken from the submission, plus the
grader's public and hidden tests.  It runs the task's tests there in a fresh
process (``runner.py``) under the limits of :mod:`.sandbox`, with the other
tasks' trees and the instructor's folders hidden where namespaces allow.  One
wrong, hanging or crashing task therefore never costs another task's points.

Scoring: a task scores its points when every one of its public and hidden
tests passes (a skipped test counts as failed), else 0.  A task whose
functions all still raise NotImplementedError scores 0 without running.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import site
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic_file import write_text_atomically
from . import source_edit
from .files import copy_tree
from .manifest import MANIFEST_PATH, Assignment, CourseworkError, Manifest, Task, load_manifest
from .recorder import describe_failure, read_records, task_outcome
from .release import (
    COURSEWORK_SUPPORT_FILES,
    RELEASE_SETTINGS,
    TEXTBOOK_KERNELS,
    copy_library,
    release_settings_source,
    replace_task_functions,
)
from .sandbox import mount_namespace, namespaces_available, run_limited

OUTPUT_LIMIT = 4000          # characters of a task's output in results.json
REVIEW_NAMES = {"open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "setattr",
                "delattr", "breakpoint", "input", "exit", "quit"}
REVIEW_MODULES = {"os", "sys", "subprocess", "socket", "importlib", "inspect", "builtins", "ctypes", "gc",
                  "pathlib", "shutil", "signal", "threading", "multiprocessing", "pytest", "unittest", "io",
                  "pickle", "marshal", "urllib", "http", "requests"}


@dataclass
class TaskResult:
    task: Task
    score: float
    status: str          # passed, failed, not attempted, timed out, crashed, not gradable
    output: str
    seconds: float = 0.0
    passed: int = 0
    total: int = 0
    notes: list = field(default_factory=list)


@dataclass
class GradeReport:
    assignment: Assignment
    results: list        # of TaskResult, in manifest order
    seconds: float
    isolation: str       # what was enforced, in words
    end_to_end: str | None = None    # the whole submission on every task's tests (informational)

    @property
    def score(self) -> float:
        return sum(result.score for result in self.results)


def solution_root_of_package() -> Path:
    """The project that holds the running ``nn_from_scratch`` package (the instructor's copy)."""
    return Path(__file__).resolve().parents[2]


def check_solution_root(root: Path, assignment: Assignment) -> None:
    if (root / RELEASE_SETTINGS).is_file():
        raise CourseworkError(f"{root} is a student release, not the solution: run the grader from the instructor's "
                              "project (or pass --solution DIR)")
    if not (root / assignment.hidden_dir).is_dir():
        raise CourseworkError(f"{root / assignment.hidden_dir} does not exist: the grader needs the instructor's "
                              "project with its hidden tests (pass --solution DIR)")


def locate_submission(path) -> Path:
    """The submission's project folder: ``path``, or its only subfolder that holds ``nn_from_scratch/``."""
    path = Path(path).resolve()
    if not path.is_dir():
        raise CourseworkError(f"submission {path} is not a folder")
    if (path / "nn_from_scratch").is_dir():
        return path
    inner = [child for child in path.iterdir() if (child / "nn_from_scratch").is_dir()]
    if len(inner) == 1:
        return inner[0]
    raise CourseworkError(f"submission {path} has no nn_from_scratch/ folder (nor exactly one subfolder with one)")


def review_notes(body: str, qualname: str) -> list:
    """Notes on a submitted body that uses file, process or introspection calls: worth a human look."""
    try:
        tree = source_edit.parse_python(body)
    except SyntaxError:
        return []
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in REVIEW_NAMES:
            used.add(f"{node.id}()")
        elif isinstance(node, ast.Import):
            used.update(f"import {a.name}" for a in node.names if a.name.split(".")[0] in REVIEW_MODULES)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in REVIEW_MODULES:
            used.add(f"from {node.module} import")
    return [f"review: the body of {qualname} uses {', '.join(sorted(used))}"] if used else []


def submitted_bodies(submission: Path, task: Task, solution: Path) -> tuple:
    """({qualname: body}, notes, attempted) for the task's functions in the submission; raises CourseworkError
    naming the file when one cannot be read."""
    bodies, notes, attempted = {}, [], False
    sources = {}
    for function in task.functions:
        if function.path not in sources:
            file = submission / function.path
            if not file.is_file():
                raise CourseworkError(f"the submission has no {function.path}")
            sources[function.path] = file.read_text(encoding="utf-8", errors="replace")
        source = sources[function.path]
        bodies[function.qualname] = source_edit.function_body(source, function.qualname, function.path)
        if not source_edit.is_stub(source, function.qualname, function.path):
            attempted = True
        given = (solution / function.path).read_text(encoding="utf-8")
        if source_edit.signature_dump(source, function.qualname) != \
                source_edit.signature_dump(given, function.qualname):
            notes.append(f"note: the signature of {function.qualname} differs from the given one; the grader "
                         "keeps the given one")
        notes.extend(review_notes(bodies[function.qualname], function.qualname))
    return bodies, notes, attempted


def build_task_tree(solution: Path, assignment: Assignment, task: Task, bodies: dict, tree: Path) -> None:
    """The solution's library with ``task``'s bodies from ``bodies``, and the grader's tests of the assignment."""
    copy_library(solution, tree, assignment)
    replace_task_functions(tree, [task], lambda _task, qualname: bodies[qualname])
    copy_grader_tests(solution, assignment, tree)


def build_end_to_end_tree(submission: Path, solution: Path, assignment: Assignment, tree: Path) -> None:
    """The submission's whole library as it is (but the grader's own kit and release settings), and the grader's
    tests: how the student's functions do together.  Informational only (max_score 0)."""
    copy_tree(submission / "nn_from_scratch", tree / "nn_from_scratch",
              leave_out=[Path(p).relative_to("nn_from_scratch") for p in assignment.leave_out
                         if (submission / p).exists()])
    shutil.rmtree(tree / "nn_from_scratch" / "coursework", ignore_errors=True)
    copy_tree(solution / "nn_from_scratch" / "coursework", tree / "nn_from_scratch" / "coursework")
    write_text_atomically(tree / RELEASE_SETTINGS, release_settings_source(assignment))
    copy_grader_tests(solution, assignment, tree)


def copy_grader_tests(solution: Path, assignment: Assignment, tree: Path) -> None:
    """The grader's public and hidden tests of the assignment, with their set-up, into ``tree``."""
    for path in COURSEWORK_SUPPORT_FILES + ("coursework/hidden/__init__.py",):
        if (solution / path).is_file():
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(solution / path, tree / path)
    shutil.copy2(solution / MANIFEST_PATH, tree / MANIFEST_PATH)
    copy_tree(solution / assignment.public_dir, tree / assignment.public_dir)
    copy_tree(solution / assignment.hidden_dir, tree / assignment.hidden_dir)


def installed_package_folders() -> list:
    """Folders where nn_from_scratch is installed (site-packages copies, editable-install targets)."""
    folders = []
    for packages in site.getsitepackages() + [site.getusersitepackages()]:
        if (Path(packages) / "nn_from_scratch").is_dir():
            folders.append(Path(packages) / "nn_from_scratch")
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        direct = distribution("nn-from-scratch").read_text("direct_url.json")
        url = json.loads(direct).get("url", "") if direct else ""
        if url.startswith("file://") and Path(url[len("file://"):]).is_dir():
            folders.append(Path(url[len("file://"):]))
    except (PackageNotFoundError, ValueError, OSError):
        pass
    return folders


def folders_to_hide(candidates, keep) -> list:
    """The folders to cover so that ``candidates`` are unreadable while every path in ``keep`` stays reachable:
    a candidate that holds a kept path is replaced by its subfolders, recursively."""
    keep = [Path(os.path.realpath(k)) for k in keep]
    hidden = []

    def visit(folder: Path, depth: int):
        folder = Path(os.path.realpath(folder))
        if not folder.is_dir() or folder in keep:
            return
        if not any(folder in k.parents for k in keep):
            hidden.append(str(folder))
        elif depth < 6:
            for child in sorted(folder.iterdir()):
                if child.is_dir() and not child.is_symlink():
                    visit(child, depth + 1)

    for candidate in dict.fromkeys(Path(c) for c in candidates):
        visit(candidate, 0)
    return sorted(set(hidden))


def interpreter_folders() -> list:
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    folders.update(site.getsitepackages())
    folders.add(site.getusersitepackages())
    folders.update(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    return sorted(folders)


def sandbox_environment(tree: Path) -> dict:
    home = tree.parent / (tree.name + "-home")
    home.mkdir(exist_ok=True)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
            "TMPDIR": str(home), "MPLBACKEND": "Agg", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "NN_FROM_SCRATCH_KERNELS": TEXTBOOK_KERNELS, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


def truncate(text: str, limit: int = OUTPUT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit - 40].rstrip() + "\n[... output truncated ...]"


def run_tests(tree: Path, assignment: Assignment, marker: str, name: str, work: Path, hide: list,
              timeout_s: float, per_test_timeout_s: float | None = None) -> tuple:
    """Run the public and hidden tests selected by ``marker`` in ``tree``, sandboxed: (records, SandboxResult)."""
    results = work / "results" / f"{name}.jsonl"
    config = {"tree": str(tree), "tests": [assignment.public_dir, assignment.hidden_dir], "marker": marker,
              "results": str(results), "assignment": assignment.id,
              "forbidden_modules": list(assignment.forbidden_modules), "block_network": True, "hide": hide,
              "mount_namespace": mount_namespace(), "per_test_timeout_s": per_test_timeout_s,
              "limits": {"memory_mb": assignment.memory_mb, "cpu_seconds": int(timeout_s) + 5}}
    config_path = work / "configs" / f"{name}.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    runner = tree / "nn_from_scratch" / "coursework" / "runner.py"
    done = run_limited([sys.executable, "-B", "-E", str(runner), str(config_path)], cwd=tree,
                       env=sandbox_environment(tree), timeout_s=timeout_s)
    return read_records(results), done


def run_task(task: Task, assignment: Assignment, tree: Path, work: Path, hide: list, timeout_s: float) -> TaskResult:
    """Run one task's public and hidden tests in ``tree``; score them."""
    records, done = run_tests(tree, assignment, task.marker, task.marker, work, hide, timeout_s)
    outcome = task_outcome(task.id, records)
    hidden_total = sum(1 for r in records if r.get("event") == "collected" for t in r["tests"]
                       if t["hidden"] and task.id in t["tasks"])
    counts = (f"{outcome.passed} of {outcome.total} tests passed ({outcome.total - hidden_total} public, "
              f"{hidden_total} hidden)")
    if outcome.all_passed and done.returncode == 0:
        return TaskResult(task, task.points, "passed", f"All tests passed: {counts}.", done.seconds,
                          outcome.passed, outcome.total)
    if done.timed_out:
        status = "timed out"
        first = (f"Stopped after the time limit of {timeout_s:g} s: an infinite loop, or far too slow. "
                 f"Before that, {counts}.")
    elif outcome.failures:
        status = "failed"
        first = f"{len(outcome.failures)} of {outcome.total} tests failed. The first failure:\n\n" + \
            describe_failure(outcome.failures[0])
    elif outcome.skipped:
        status = "failed"
        record = outcome.skipped[0]
        first = f"A test was skipped, which counts as failed when grading: {record['nodeid'].split('::')[-1]}: " \
                f"{record.get('message', '')}"
    elif outcome.status == "no tests":
        status = "not gradable"
        first = f"No test of task {task.id} ran (the grader's tests did not load). Process output:\n" + \
            "\n".join(done.output.strip().splitlines()[-15:])
    else:
        status = "crashed"
        first = (f"The test process ended early (exit code {done.returncode}) after {counts}: a crash, or the "
                 f"memory limit ({assignment.memory_mb} MB). Last lines of its output:\n"
                 + "\n".join(done.output.strip().splitlines()[-10:]))
    return TaskResult(task, 0.0, status, f"{first}\n\nReread: {task.tutorial}", done.seconds, outcome.passed,
                      outcome.total)


def run_end_to_end(assignment: Assignment, tree: Path, work: Path, hide: list, timeout_s: float) -> str:
    """Every task's tests on the submission's whole library: one line per task."""
    markers = " or ".join(task.marker for task in assignment.tasks)
    limit = 2 * timeout_s
    records, done = run_tests(tree, assignment, markers, "end_to_end", work, hide, limit,
                              per_test_timeout_s=min(10.0, timeout_s))
    if not any(r.get("event") == "collected" for r in records):
        last = "\n".join(done.output.strip().splitlines()[-8:])
        return ("Your library as a whole did not load (its module-level code ran here, unlike in the graded "
                f"runs):\n{last}")
    lines = ["Your whole library (all your functions together) on every task's tests; for information, the score "
             "comes from the isolated runs above:"]
    for task in assignment.tasks:
        outcome = task_outcome(task.id, records)
        line = f"{task.name}: {outcome.status}, {outcome.passed} of {outcome.total} tests passed"
        if outcome.failures:
            first = outcome.failures[0]
            message = (first.get("message") or first.get("exception") or "").strip().splitlines()
            line += f"; first failure {first['nodeid'].split('::')[-1]}: {message[0] if message else ''}"
        lines.append(line)
    if done.timed_out:
        lines.append(f"(stopped after {limit:g} s; tests that did not run count as not passed)")
    return "\n".join(lines)


def isolation_summary(namespaces: bool, timeout_s: float, assignment: Assignment) -> str:
    where = ("in new user, mount, network and PID namespaces (no network; the instructor's folders and the other "
             "tasks' trees hidden)" if namespaces else
             "without namespaces (network blocked in-process by a socket guard; the instructor's folders readable)")
    return (f"Each task ran in its own process {where}, with a time limit of {timeout_s:g} s and a memory limit "
            f"of {assignment.memory_mb} MB, on the reference library with only that task's functions from the "
            "submission.")


def grade(submission, assignment_id: str, timeout_s: float | None = None, jobs: int = 1, solution=None,
          task_ids=None, run_unattempted: bool = False, keep_trees: bool = False,
          end_to_end: bool = False) -> GradeReport:
    """Grade ``submission`` on ``assignment_id``; see the module docstring.  With ``end_to_end``, also run every
    task's tests on the submission's whole library, for information (a results.json entry worth 0 points)."""
    started = time.monotonic()
    manifest: Manifest = load_manifest(solution or solution_root_of_package())
    assignment = manifest.assignment(assignment_id)
    solution_root = manifest.root
    check_solution_root(solution_root, assignment)
    submission = locate_submission(submission)
    timeout_s = float(timeout_s or assignment.timeout_s)
    tasks = [assignment.task(t) for t in task_ids] if task_ids else list(assignment.tasks)

    work = Path(tempfile.mkdtemp(prefix=f"nf-grade-{assignment.id}-"))
    (work / "results").mkdir()
    (work / "configs").mkdir()
    results: dict = {}
    to_run = []
    try:
        for task in tasks:
            try:
                bodies, notes, attempted = submitted_bodies(submission, task, solution_root)
            except CourseworkError as error:
                results[task.id] = TaskResult(task, 0.0, "not gradable", f"Could not read this task's functions: "
                                              f"{error}.\n\nThe task scores 0; the others are graded as usual.")
                continue
            if not attempted and not run_unattempted:
                results[task.id] = TaskResult(task, 0.0, "not attempted", "Not attempted: every function of this "
                                              "task still raises NotImplementedError.", notes=notes)
                continue
            tree = work / "trees" / task.marker
            build_task_tree(solution_root, assignment, task, bodies, tree)
            to_run.append((task, tree, notes))

        whole = work / "trees" / "end_to_end"
        if end_to_end:
            build_end_to_end_tree(submission, solution_root, assignment, whole)
        trees = [tree for _, tree, _ in to_run] + ([whole] if end_to_end else [])
        keep_base = interpreter_folders() + [str(work / "results"), str(work / "configs")]
        candidates = [solution_root, *installed_package_folders()]

        def hide_from(tree):
            return folders_to_hide(candidates + [t for t in trees if t != tree],
                                   keep_base + [str(tree), str(tree.parent / (tree.name + "-home"))])

        def run(item):
            task, tree, notes = item
            result = run_task(task, assignment, tree, work, hide_from(tree), timeout_s)
            result.notes = notes
            return result

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            whole_run = pool.submit(run_end_to_end, assignment, whole, work, hide_from(whole), timeout_s) \
                if end_to_end else None
            for result in pool.map(run, to_run):
                results[result.task.id] = result
            whole_output = whole_run.result() if whole_run is not None else None
    finally:
        if keep_trees:
            print(f"grading trees kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    ordered = [results[task.id] for task in tasks]
    for result in ordered:
        if result.notes:
            result.output = result.output + "\n\n" + "\n".join(result.notes)
        result.output = truncate(result.output)
    return GradeReport(assignment, ordered, time.monotonic() - started,
                       isolation_summary(namespaces_available(), timeout_s, assignment),
                       truncate(whole_output) if whole_output else None)
