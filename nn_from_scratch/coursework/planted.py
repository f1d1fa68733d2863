"""Planted wrong solutions: the proof that the hidden tests catch mistakes.

``coursework/planted/<assignment>/<name>.py`` is one wrong solution: a module
docstring saying what is wrong, ``TARGET_TASK = "1.3"``, and the replaced
functions, written as in the library (a method inside a ``class`` of the same
name, with only that method)::

    \"\"\"Div.backward forgets the minus sign of d(a/b)/db = -a / b**2.\"\"\"

    TARGET_TASK = "1.5"


    class Div:
        def backward(self, g):
            ...

The file is never imported: only its function bodies are read (by ``ast``)
and spliced into a copy of the solution, as the grader does with a
submission.  Every replaced function must belong to the target task.
``coursework prove A1`` grades each planted solution; the target task must
score 0 and every other task full marks.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from ..atomic_file import write_text_atomically
from . import source_edit
from .files import copy_tree
from .manifest import Assignment, CourseworkError, Manifest


@dataclass(frozen=True)
class Planted:
    name: str              # the file's stem
    description: str       # its docstring
    target: str            # the task id that must score 0
    bodies: dict           # FunctionRef -> body text


def _target_of(module: ast.Module, path: Path) -> str:
    for node in module.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["TARGET_TASK"] \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return node.value.value
    raise CourseworkError(f"{path}: no TARGET_TASK = \"<task id>\" line")


def load_planted(manifest: Manifest, assignment: Assignment) -> list:
    """Every planted wrong solution of ``assignment``, sorted by name."""
    folder = manifest.root / assignment.planted_dir
    planted = []
    for path in sorted(folder.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        module = source_edit.parse(source, str(path))
        description = ast.get_docstring(module) or ""
        if not description:
            raise CourseworkError(f"{path}: the module docstring must say what is wrong")
        target = assignment.task(_target_of(module, path))
        names = source_edit.defined_functions(module)
        if not names:
            raise CourseworkError(f"{path}: defines no function")
        bodies = {}
        for qualname in names:
            matches = [f for f in target.functions if f.qualname == qualname]
            if not matches:
                listed = ", ".join(f.qualname for f in target.functions)
                raise CourseworkError(f"{path}: {qualname} is not a function of its target task {target.id} "
                                      f"({listed})")
            bodies[matches[0]] = source_edit.function_body(source, qualname, str(path))
        planted.append(Planted(path.stem, " ".join(description.split()), target.id, bodies))
    return planted


def write_planted_submission(manifest: Manifest, planted: Planted, out: Path) -> Path:
    """A submission folder: a copy of the solution's library with the planted bodies in place."""
    out = Path(out)
    copy_tree(manifest.root / "nn_from_scratch", out / "nn_from_scratch")
    by_file: dict = {}
    for function, body in planted.bodies.items():
        by_file.setdefault(function.path, {})[function.qualname] = body
    for path, bodies in by_file.items():
        source = (out / path).read_text(encoding="utf-8")
        write_text_atomically(out / path, source_edit.replace_bodies(source, bodies, path))
    return out


@dataclass
class Proof:
    planted: Planted
    report: object          # the GradeReport of the planted submission

    @property
    def target_score(self) -> float:
        return next(r.score for r in self.report.results if r.task.id == self.planted.target)

    @property
    def others_full(self) -> bool:
        return all(r.score == r.task.points for r in self.report.results if r.task.id != self.planted.target)

    @property
    def caught(self) -> bool:
        return self.target_score == 0 and self.others_full


def prove(manifest: Manifest, assignment_id: str, jobs: int = 2, timeout_s: float | None = None,
          targets_only: bool = False) -> list:
    """Grade every planted wrong solution of the assignment (``jobs`` at a time); a Proof for each.

    With ``targets_only`` only the target task is graded: the other tasks' trees are then exactly the
    solution's (a planted file replaces only functions of its target task), so their full marks follow
    from grading the solution itself.
    """
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    from .grade import grade

    assignment = manifest.assignment(assignment_id)
    planted = load_planted(manifest, assignment)
    if not planted:
        raise CourseworkError(f"{manifest.root / assignment.planted_dir} holds no planted solution")

    def run(item: Planted) -> Proof:
        with tempfile.TemporaryDirectory(prefix=f"nf-planted-{item.name}-") as folder:
            submission = write_planted_submission(manifest, item, Path(folder) / "submission")
            report = grade(submission, assignment.id, timeout_s=timeout_s, jobs=1, solution=manifest.root,
                           task_ids=[item.target] if targets_only else None)
            return Proof(item, report)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(run, planted))


def proof_table(proofs: list) -> str:
    lines = ["| Planted wrong solution | Target | Target's score | Other tasks | Caught |",
             "| --- | --- | ---: | --- | --- |"]
    for proof in proofs:
        graded_others = [r for r in proof.report.results if r.task.id != proof.planted.target]
        others = "not graded" if not graded_others else ("full marks" if proof.others_full else "NOT full marks")
        lines.append(f"| {proof.planted.name} | {proof.planted.target} | {proof.target_score:g} | {others} | "
                     f"{'yes' if proof.caught else 'NO'} |")
    return "\n".join(lines) + "\n"
