"""pytest set-up of the coursework tests, public and hidden: task markers, forbidden modules.

Each task's tests carry the marker ``task_<n>_<m>`` (``pytest -m task_1_3``),
registered here from assignments.toml.  While a task's test runs, the
assignment's forbidden modules (torch, ...) cannot be imported.
"""

from pathlib import Path

import pytest

from nn_from_scratch.coursework.guards import ModuleBlocker, forbidden_reason
from nn_from_scratch.coursework.manifest import load_manifest
from nn_from_scratch.coursework.recorder import task_ids

MANIFEST = load_manifest(Path(__file__).resolve().parents[1])


def pytest_configure(config):
    for task in MANIFEST.tasks():
        config.addinivalue_line("markers", f"{task.marker}: {task.name} ({task.points} points)")


@pytest.fixture(autouse=True)
def forbidden_modules(request):
    """Block the assignment's forbidden modules during each task test."""
    tasks = task_ids(request.node)
    if not tasks:
        yield
        return
    assignment = MANIFEST.assignment(MANIFEST.task(tasks[0]).assignment)
    with ModuleBlocker(assignment.forbidden_modules, forbidden_reason(assignment.id)):
        yield
