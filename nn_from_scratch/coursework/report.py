"""The grader's reports: Gradescope's ``results.json``, and a Markdown table.

results.json (Gradescope's autograder format)::

    {"score": 44.0, "execution_time": 31.2, "output": "...how it was graded...",
     "visibility": "visible", "stdout_visibility": "hidden",
     "tests": [{"name": "Task 1.1: Topological order of the graph", "score": 10, "max_score": 10,
                "output": "All tests passed: ...", "visibility": "visible",
                "extra_data": {"status": "passed", "seconds": 1.4, "tests_passed": 9, "tests": 9}}, ...]}
"""

from __future__ import annotations

import json

from ..atomic_file import write_text_atomically


def _points(value: float):
    return int(value) if float(value).is_integer() else round(value, 2)


def gradescope_results(report) -> dict:
    assignment = report.assignment
    tests = []
    for result in report.results:
        tests.append({"name": result.task.name, "score": _points(result.score), "max_score": result.task.points,
                      "output": result.output, "visibility": "visible",
                      "extra_data": {"status": result.status, "seconds": round(result.seconds, 2),
                                     "tests_passed": result.passed, "tests": result.total}})
    if report.end_to_end:
        tests.append({"name": "End to end: your whole library on every task's tests", "score": 0, "max_score": 0,
                      "output": report.end_to_end, "visibility": "visible"})
    graded_points = sum(result.task.points for result in report.results)
    summary = (f"Assignment {assignment.id} ({assignment.title}): {_points(report.score)} of {graded_points} points. "
               f"{report.isolation} A task scores its points when all its public and hidden tests pass.")
    return {"score": _points(report.score), "execution_time": round(report.seconds, 1), "output": summary,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def markdown_table(report) -> str:
    assignment = report.assignment
    lines = [f"## Assignment {assignment.id}: {assignment.title}", "",
             "| Task | Title | Score | Status | Time |", "| --- | --- | ---: | --- | ---: |"]
    for result in report.results:
        seconds = f"{result.seconds:.1f} s" if result.seconds else ""
        status = result.status + (" (review)" if any(n.startswith("review") for n in result.notes) else "")
        lines.append(f"| {result.task.id} | {result.task.title} | {_points(result.score)} / {result.task.points} | "
                     f"{status} | {seconds} |")
    graded_points = sum(result.task.points for result in report.results)
    lines.append(f"| | **Total** | **{_points(report.score)} / {graded_points}** | | {report.seconds:.1f} s |")
    return "\n".join(lines) + "\n"


def write_reports(report, json_path, markdown_path=None) -> None:
    write_text_atomically(json_path, json.dumps(gradescope_results(report), indent=2) + "\n")
    if markdown_path is not None:
        write_text_atomically(markdown_path, markdown_table(report))
