"""A pytest plugin that writes each test's outcome as one JSON line (for ``check`` and ``grade``).

Lines, in order::

    {"event": "collected", "tests": [{"nodeid": ..., "tasks": ["1.3"], "hidden": false}, ...]}
    {"event": "test", "nodeid": ..., "outcome": "passed" | "failed" | "skipped", "tasks": [...],
     "doc": first docstring line, "exception": "AssertionError", "message": ..., "where": [...]}
    {"event": "finished", "exitstatus": 0}

A line is flushed as soon as it is known, so a process killed by a time limit
still leaves the tests it finished.  ``where`` lists the frames of the failure
inside the library (the student's code), most recent last.  With
``per_test_timeout_s``, a test that runs longer fails with :class:`TestTimedOut`
(a SIGALRM: it stops Python code, not a long NumPy call).
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MESSAGE_LIMIT = 6000


class TestTimedOut(Exception):
    """A test ran past the per-test time limit."""

    __test__ = False   # not a test class, whatever pytest thinks of the name


def task_ids(item) -> list:
    """The task ids of a test item, from its task_N_M markers."""
    return [mark.name[len("task_"):].replace("_", ".") for mark in item.iter_markers()
            if mark.name.startswith("task_")]


def _library_frames(excinfo, limit: int = 4) -> list:
    frames = []
    for entry in excinfo.traceback:
        path = Path(str(entry.path))
        parts = path.parts
        if "nn_from_scratch" not in parts or "coursework" in parts[parts.index("nn_from_scratch"):]:
            continue
        relative = Path(*parts[parts.index("nn_from_scratch"):])
        try:
            statement = str(entry.statement).strip().splitlines()[0]
        except Exception:       # a frame without source (a C extension, a deleted file)
            statement = ""
        frames.append(f"{relative.as_posix()}:{entry.lineno + 1} in {entry.name}: {statement}")
    return frames[-limit:]


class Recorder:
    def __init__(self, path, per_test_timeout_s: float | None = None):
        self.path = Path(path)
        self.per_test_timeout_s = per_test_timeout_s
        self.file = open(self.path, "a", encoding="utf-8")   # kept open for the session

    def write(self, record: dict) -> None:
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()

    def pytest_collection_finish(self, session):
        self.write({"event": "collected", "tests": [
            {"nodeid": item.nodeid, "tasks": task_ids(item), "hidden": "hidden" in Path(str(item.path)).parts}
            for item in session.items]})

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        if not self.per_test_timeout_s or not hasattr(signal, "setitimer"):     # no SIGALRM on Windows
            yield
            return

        def stop(signum, frame):
            raise TestTimedOut(f"this test ran longer than {self.per_test_timeout_s:g} s: an infinite loop?")

        previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, self.per_test_timeout_s)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when != "call" and report.passed:
            return
        if report.when == "teardown" and report.skipped:
            return
        record = {"event": "test", "nodeid": item.nodeid, "when": report.when, "outcome": report.outcome,
                  "tasks": task_ids(item), "hidden": "hidden" in Path(str(item.path)).parts,
                  "doc": ((getattr(item, "obj", None) and item.obj.__doc__) or "").strip().split("\n")[0]}
        excinfo = call.excinfo
        if excinfo is not None and not report.passed:
            record["exception"] = excinfo.typename
            if report.skipped:
                record["message"] = str(getattr(excinfo.value, "msg", excinfo.value))[:MESSAGE_LIMIT]
            else:
                try:
                    record["message"] = str(excinfo.value)[:MESSAGE_LIMIT]
                except Exception as error:       # an exception whose __str__ fails
                    record["message"] = f"(its message could not be read: {error!r})"
                record["where"] = _library_frames(excinfo)
        self.write(record)

    def pytest_sessionfinish(self, session, exitstatus):
        self.write({"event": "finished", "exitstatus": int(exitstatus)})
        self.file.close()


def read_records(path) -> list:
    """The records of a results file (a truncated last line is dropped)."""
    records = []
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return records
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def stub_task_of(record: dict) -> str | None:
    """The task named by a failure that is a stub's NotImplementedError ("Task 1.3: ..."), or None."""
    if record.get("exception") != "NotImplementedError":
        return None
    message = record.get("message", "")
    if not message.startswith("Task ") or ":" not in message:
        return None
    return message[len("Task "):message.index(":")]


@dataclass
class TaskOutcome:
    """What the recorded tests of one task say.

    status: "passed", "failed", "not started" (only this task's stubs failed),
    "waiting" (only other tasks' stubs failed), "no tests" (none collected) or
    "incomplete" (the process stopped before the tests finished).
    """

    status: str
    total: int                      # tests collected for the task
    passed: int
    skipped: list = field(default_factory=list)       # records of skipped tests
    failures: list = field(default_factory=list)      # records of failed tests, in order
    waiting_for: list = field(default_factory=list)   # other tasks whose stubs failed its tests

    @property
    def all_passed(self) -> bool:
        """Every collected test passed: none failed, none skipped (the grader's rule)."""
        return self.status == "passed" and self.total > 0 and self.passed == self.total and not self.skipped


def task_outcome(task_id: str, records: list) -> TaskOutcome:
    collected = next((r for r in records if r.get("event") == "collected"), None)
    finished = any(r.get("event") == "finished" for r in records)
    total = sum(1 for test in (collected or {}).get("tests", []) if task_id in test["tasks"])
    tests = [r for r in records if r.get("event") == "test" and task_id in r.get("tasks", [])]
    failures = [r for r in tests if r["outcome"] == "failed"]
    skipped = [r for r in tests if r["outcome"] == "skipped"]
    passed = sum(1 for r in tests if r["outcome"] == "passed")
    stub_tasks = [stub_task_of(r) for r in failures]
    waiting_for = sorted({t for t in stub_tasks if t is not None and t != task_id},
                         key=lambda t: [int(part) for part in t.split(".")])
    if total == 0:
        status = "no tests"
    elif failures and all(t is not None for t in stub_tasks):
        status = "not started" if task_id in stub_tasks else "waiting"
    elif failures:
        status = "failed"
    elif not finished or passed + len(skipped) < total:
        status = "incomplete"
    else:
        status = "passed"
    return TaskOutcome(status, total, passed, skipped, failures, waiting_for)


def describe_failure(record: dict, indent: str = "    ") -> str:
    """A failed test as readable text: its name and purpose, the message, where in the library."""
    name = record["nodeid"].split("::")[-1]
    kind = " (hidden test)" if record.get("hidden") else ""
    doc = f": {record['doc']}" if record.get("doc") else ""
    lines = [f"{name}{kind}{doc}"]
    exception = record.get("exception", "")
    message = record.get("message", "").rstrip()
    if exception and exception not in ("AssertionError", "GradcheckError"):
        message = f"{exception}: {message}" if message else exception
    lines.extend(indent + line for line in (message or "(no message)").splitlines())
    for frame in record.get("where", []):
        lines.append(f"{indent}at {frame}")
    if record.get("when") in ("setup", "teardown"):
        lines.append(f"{indent}(in the test's {record['when']})")
    return "\n".join(lines)
