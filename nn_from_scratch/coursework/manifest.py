"""The coursework manifest, ``coursework/assignments.toml``: assignments and their tasks, read and checked.

The manifest is the one place that names library code: a task lists the
functions a student writes as ``"path/to/file.py:Qualified.name"``.  Everything
else (releases, checks, grading, the student README) is derived from it.

Layout conventions (relative to the project root), per assignment ``A<n>``::

    coursework/public/A<n>/test_<n>_<m>_*.py          public tests of task <n>.<m> (released)
    coursework/public/A<n>/data/*.npz                 their known values (released)
    coursework/hidden/A<n>/test_<n>_<m>_*_hidden.py   hidden tests (never released)
    coursework/planted/A<n>/*.py                      planted wrong solutions (never released)
    coursework/generators/generate_A<n>.py            writes public/A<n>/data/ from the solution
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:       # Python 3.10
    import tomli as tomllib

MANIFEST_PATH = Path("coursework") / "assignments.toml"
ASSIGNMENT_KEYS = {"id", "title", "notebooks", "leave_out", "forbidden_modules", "timeout_s", "memory_mb"}
TASK_KEYS = {"id", "assignment", "title", "points", "functions", "tutorial"}


class CourseworkError(ValueError):
    """A one-line, user-facing error of the coursework kit (the CLI prints it without a traceback)."""


@dataclass(frozen=True)
class FunctionRef:
    """One function (or method) of the library that a task asks the student to write."""

    path: str        # "nn_from_scratch/functional/arithmetic.py"
    qualname: str    # "Add.backward"

    def __str__(self) -> str:
        return f"{self.path}:{self.qualname}"


@dataclass(frozen=True)
class Task:
    id: str                     # "1.3"
    assignment: str             # "A1"
    title: str
    points: int
    functions: tuple            # of FunctionRef
    tutorial: str               # "tutorials/01_autograd_from_scratch, section 1.6"

    @property
    def marker(self) -> str:
        """The pytest marker of the task's tests: task_1_3 (``pytest -m task_1_3``)."""
        return "task_" + self.id.replace(".", "_")

    @property
    def stub_message(self) -> str:
        """What a released function body raises: the task, its title and where to read."""
        return f"Task {self.id}: {self.title}; see {self.tutorial}"

    @property
    def name(self) -> str:
        """The task's name in reports and in Gradescope's results.json."""
        return f"Task {self.id}: {self.title}"


@dataclass(frozen=True)
class Assignment:
    id: str                     # "A1"
    title: str
    notebooks: tuple            # of "tutorials/NAME.ipynb"
    leave_out: tuple            # of "nn_from_scratch/fast/NAME.py"
    forbidden_modules: tuple    # of top-level module names
    timeout_s: float
    memory_mb: int
    tasks: tuple                # of Task, in manifest order

    @property
    def public_dir(self) -> str:
        return f"coursework/public/{self.id}"

    @property
    def hidden_dir(self) -> str:
        return f"coursework/hidden/{self.id}"

    @property
    def planted_dir(self) -> str:
        return f"coursework/planted/{self.id}"

    @property
    def points(self) -> int:
        return sum(task.points for task in self.tasks)

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise CourseworkError(f"assignment {self.id} has no task {task_id!r}; its tasks are "
                              + ", ".join(task.id for task in self.tasks))


@dataclass(frozen=True)
class Manifest:
    root: Path                  # the project root the manifest's paths are relative to
    assignments: dict           # id -> Assignment, in manifest order

    def assignment(self, assignment_id: str) -> Assignment:
        if assignment_id not in self.assignments:
            raise CourseworkError(f"unknown assignment {assignment_id!r}; {self.root / MANIFEST_PATH} defines "
                                  + (", ".join(self.assignments) or "none"))
        return self.assignments[assignment_id]

    def task(self, task_id: str) -> Task:
        for assignment in self.assignments.values():
            for task in assignment.tasks:
                if task.id == task_id:
                    return task
        known = ", ".join(task.id for a in self.assignments.values() for task in a.tasks)
        raise CourseworkError(f"unknown task {task_id!r}; the tasks are {known}")

    def tasks(self) -> list:
        return [task for assignment in self.assignments.values() for task in assignment.tasks]


def find_project_root(start=None) -> Path:
    """The folder holding ``coursework/assignments.toml``: ``start`` (default: the working folder) or a parent.

    Falls back to the folder above the imported ``nn_from_scratch`` package
    (the instructor's repository, or a student's release).
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MANIFEST_PATH).is_file():
            return folder
    package_parent = Path(__file__).resolve().parents[2]
    if (package_parent / MANIFEST_PATH).is_file():
        return package_parent
    raise CourseworkError(f"no {MANIFEST_PATH} in {here} or its parents: run this inside the project or a "
                          "coursework release (or pass --root)")


def load_manifest(root=None) -> Manifest:
    """Read and check ``<root>/coursework/assignments.toml`` (root: :func:`find_project_root` by default)."""
    root = Path(root).resolve() if root is not None else find_project_root()
    path = root / MANIFEST_PATH
    if not path.is_file():
        raise CourseworkError(f"{path} does not exist: is {root} the project root or a coursework release?")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CourseworkError(f"{path}: not valid TOML ({error})") from None
    unknown_tables = set(data) - {"assignment", "task"}
    if unknown_tables:
        raise CourseworkError(f"{path}: unknown table(s) {sorted(unknown_tables)}; expected [[assignment]] and "
                              "[[task]]")

    tasks_by_assignment: dict = {}
    seen_tasks, seen_functions = set(), {}
    for number, table in enumerate(data.get("task", []), start=1):
        task = _read_task(table, f"{path}, [[task]] #{number}")
        if task.id in seen_tasks:
            raise CourseworkError(f"{path}: task {task.id} is defined twice")
        seen_tasks.add(task.id)
        for function in task.functions:
            if str(function) in seen_functions:
                raise CourseworkError(f"{path}: {function} is listed by tasks {seen_functions[str(function)]} and "
                                      f"{task.id}; a function belongs to one task")
            seen_functions[str(function)] = task.id
        tasks_by_assignment.setdefault(task.assignment, []).append(task)

    assignments = {}
    for number, table in enumerate(data.get("assignment", []), start=1):
        where = f"{path}, [[assignment]] #{number}"
        assignment = _read_assignment(table, where, tuple(tasks_by_assignment.pop(table.get("id"), [])))
        if assignment.id in assignments:
            raise CourseworkError(f"{path}: assignment {assignment.id} is defined twice")
        assignments[assignment.id] = assignment
    if tasks_by_assignment:
        orphan = next(iter(tasks_by_assignment.values()))[0]
        raise CourseworkError(f"{path}: task {orphan.id} belongs to assignment {orphan.assignment!r}, which has no "
                              "[[assignment]] table")
    return Manifest(root, assignments)


def _require(table: dict, key: str, kind, where: str):
    if key not in table:
        raise CourseworkError(f"{where}: missing key {key!r}")
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise CourseworkError(f"{where}: {key} must be a {expected}, got {value!r}")
    return value


def _string_list(table: dict, key: str, where: str, default=()) -> tuple:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CourseworkError(f"{where}: {key} must be a list of strings, got {value!r}")
    return tuple(value)


def _check_keys(table: dict, allowed: set, where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise CourseworkError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")


def _read_assignment(table: dict, where: str, tasks: tuple) -> Assignment:
    _check_keys(table, ASSIGNMENT_KEYS, where)
    assignment_id = _require(table, "id", str, where)
    if not re.fullmatch(r"A\d+", assignment_id):
        raise CourseworkError(f"{where}: id must look like 'A1', got {assignment_id!r}")
    leave_out = _string_list(table, "leave_out", where)
    for path in leave_out:
        if not path.startswith("nn_from_scratch/fast/"):
            raise CourseworkError(f"{where}: leave_out lists {path!r}; only files of nn_from_scratch/fast/ may be "
                                  "left out of a release")
    timeout = table.get("timeout_s", 60)
    memory = table.get("memory_mb", 2048)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise CourseworkError(f"{where}: timeout_s must be a positive number of seconds, got {timeout!r}")
    if not isinstance(memory, int) or isinstance(memory, bool) or memory < 256:
        raise CourseworkError(f"{where}: memory_mb must be an integer of at least 256, got {memory!r}")
    return Assignment(
        id=assignment_id,
        title=_require(table, "title", str, where),
        notebooks=_string_list(table, "notebooks", where),
        leave_out=leave_out,
        forbidden_modules=_string_list(table, "forbidden_modules", where),
        timeout_s=float(timeout),
        memory_mb=memory,
        tasks=tasks,
    )


def _read_task(table: dict, where: str) -> Task:
    _check_keys(table, TASK_KEYS, where)
    task_id = _require(table, "id", str, where)
    where = f"{where} (task {task_id})"
    assignment = _require(table, "assignment", str, where)
    if not re.fullmatch(r"\d+\.\d+", task_id):
        raise CourseworkError(f"{where}: id must look like '2.4', got {task_id!r}")
    if task_id.split(".")[0] != assignment.removeprefix("A"):
        raise CourseworkError(f"{where}: a task of assignment {assignment} has an id starting with "
                              f"{assignment.removeprefix('A')}., got {task_id!r}")
    points = _require(table, "points", int, where)
    if points <= 0:
        raise CourseworkError(f"{where}: points must be positive, got {points}")
    functions = []
    for text in _string_list(table, "functions", where):
        path, _, qualname = text.partition(":")
        if not path.endswith(".py") or not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", qualname):
            raise CourseworkError(f"{where}: functions entry {text!r} must look like "
                                  "'nn_from_scratch/tensor.py:run_backward' or 'path.py:Class.method'")
        functions.append(FunctionRef(path, qualname))
    if not functions:
        raise CourseworkError(f"{where}: functions is empty; a task names at least one function the student writes")
    return Task(
        id=task_id,
        assignment=assignment,
        title=_require(table, "title", str, where),
        points=points,
        functions=tuple(functions),
        tutorial=_require(table, "tutorial", str, where),
    )
