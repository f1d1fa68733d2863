"""The student's check: ``coursework check [TASK]``, inside a release (or the instructor's project).

With a task id it runs that task's public tests and explains each failure
(expected versus got, gradcheck's report, where in the library it failed)
and which tutorial section to reread.  Without one it runs every task's
public tests and prints a progress table.  The tests run in a fresh process
(``runner.py``) on this folder's library, with a per-test time limit.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from .manifest import CourseworkError, Manifest, load_manifest
from .recorder import TaskOutcome, describe_failure, read_records, task_outcome
from .release import RELEASE_SETTINGS, TEXTBOOK_KERNELS
from .sandbox import run_limited

STATUS_TEXT = {"passed": "passed", "failed": "FAILED", "not started": "not started", "waiting": "waiting",
               "no tests": "no tests", "incomplete": "did not finish"}


def released_assignment(root: Path) -> str | None:
    """The assignment a release was made for (from its release settings), or None in the full project."""
    path = root / RELEASE_SETTINGS
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("ASSIGNMENT = "):
            return line.split("=", 1)[1].strip().strip('"')
    return None


def run_public_tests(manifest: Manifest, tasks, timeout_s: float, per_test_timeout_s: float) -> tuple:
    """Run the public tests of ``tasks`` (all of one assignment) in a fresh process: (records, SandboxResult)."""
    root = manifest.root
    assignment = manifest.assignment(tasks[0].assignment)
    with tempfile.TemporaryDirectory(prefix="nf-check-") as scratch:
        results = Path(scratch) / "results.jsonl"
        config = {"tree": str(root), "tests": [assignment.public_dir],
                  "marker": " or ".join(task.marker for task in tasks), "results": str(results),
                  "assignment": assignment.id, "forbidden_modules": list(assignment.forbidden_modules),
                  "block_network": False, "hide": [], "per_test_timeout_s": per_test_timeout_s, "limits": None}
        config_path = Path(scratch) / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", MPLBACKEND="Agg")
        env.setdefault("NN_FROM_SCRATCH_KERNELS", TEXTBOOK_KERNELS)
        runner = Path(__file__).with_name("runner.py")
        done = run_limited([sys.executable, "-B", str(runner), str(config_path)], cwd=root, env=env,
                           timeout_s=timeout_s, use_namespaces=False)
        return read_records(results), done


def task_report(task, outcome: TaskOutcome) -> str:
    """One task's result, with every failure explained."""
    head = f"{task.name} ({task.points} points): {STATUS_TEXT[outcome.status]}"
    counts = f"{outcome.passed} of {outcome.total} tests passed"
    if outcome.skipped:
        counts += f", {len(outcome.skipped)} skipped"
    lines = [f"{head}, {counts}", ""]
    if outcome.status == "not started":
        names = ", ".join(f.qualname for f in task.functions)
        lines.append(f"Its functions still raise NotImplementedError: write {names}.")
    elif outcome.status == "waiting":
        lines.append("Its tests also need " + ", ".join(f"Task {t}" for t in outcome.waiting_for)
                     + ", not written yet (its functions raise NotImplementedError).")
    for record in outcome.failures:
        if outcome.status in ("not started", "waiting"):
            break
        lines.append(describe_failure(record, indent="    "))
        lines.append("")
    for record in outcome.skipped:
        lines.append(f"skipped {record['nodeid'].split('::')[-1]}: {record.get('message', '')}")
    if outcome.status == "incomplete":
        lines.append("The tests did not finish (a crash, or the time limit): run them with pytest to see more.")
    if outcome.status != "passed":
        lines.append(f"Reread: {task.tutorial}")
        lines.append(f"pytest's own output: python -m pytest -m {task.marker}")
    return "\n".join(lines).rstrip() + "\n"


def progress_table(assignment, outcomes: dict) -> str:
    rows = [f"Assignment {assignment.id}: {assignment.title} (public tests)", "",
            "| Task | Title | Points | Status |", "| --- | --- | ---: | --- |"]
    earned = 0
    for task in assignment.tasks:
        outcome = outcomes[task.id]
        status = STATUS_TEXT[outcome.status]
        if outcome.status == "passed":
            earned += task.points
            skipped = f", {len(outcome.skipped)} skipped" if outcome.skipped else ""
            status += f" ({outcome.passed} tests{skipped})"
        elif outcome.status == "failed":
            status += f" ({len(outcome.failures)} of {outcome.total} tests)"
        elif outcome.status == "waiting":
            status += " for " + ", ".join(f"Task {t}" for t in outcome.waiting_for)
        rows.append(f"| {task.id} | {task.title} | {task.points} | {status} |")
    done = sum(1 for t in assignment.tasks if outcomes[t.id].status == "passed")
    rows += ["", f"{done} of {len(assignment.tasks)} tasks pass their public tests: {earned} of {assignment.points} "
             "points if the hidden tests agree.", "Details of one task: python -m nn_from_scratch coursework check "
             f"{assignment.tasks[0].id}"]
    return "\n".join(rows) + "\n"


def check(root=None, task_id: str | None = None, timeout_s: float = 600, per_test_timeout_s: float = 60,
          out=sys.stdout) -> int:
    """Run the check; print the report; return the exit code (0 when every checked task passed)."""
    manifest = load_manifest(root)
    released = released_assignment(manifest.root)
    if task_id is not None:
        task = manifest.task(task_id)
        if released is not None and task.assignment != released:
            raise CourseworkError(f"task {task_id} belongs to {task.assignment}; this release is {released}")
        groups = [(manifest.assignment(task.assignment), [task])]
    elif released is not None:
        assignment = manifest.assignment(released)
        groups = [(assignment, list(assignment.tasks))]
    else:
        groups = [(a, list(a.tasks)) for a in manifest.assignments.values() if (manifest.root / a.public_dir).is_dir()]
        if not groups:
            raise CourseworkError(f"{manifest.root} has no public tests (coursework/public/A*)")
    all_passed = True
    for assignment, tasks in groups:
        records, done = run_public_tests(manifest, tasks, timeout_s, per_test_timeout_s)
        if not records:
            raise CourseworkError(f"the tests did not start: {(done.output.strip().splitlines() or ['?'])[-1]}")
        outcomes = {task.id: task_outcome(task.id, records) for task in tasks}
        all_passed &= all(outcome.status == "passed" for outcome in outcomes.values())
        if done.timed_out:
            out.write(f"note: the tests were stopped after {timeout_s:g} s\n")
        if task_id is not None:
            out.write(task_report(tasks[0], outcomes[tasks[0].id]))
        else:
            out.write(progress_table(assignment, outcomes))
    return 0 if all_passed else 1
