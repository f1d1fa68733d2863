"""The ``coursework`` command: ``python -m nn_from_scratch coursework list|release|check|grade``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .manifest import load_manifest

EPILOG = """\
instructor:
  python -m nn_from_scratch coursework list
  python -m nn_from_scratch coursework release A1 --out ../a1-release
  python -m nn_from_scratch coursework grade SUBMISSION --assignment A1 --out results.json
  python -m nn_from_scratch coursework prove A1         # the planted wrong solutions are all caught
student (inside a release):
  python -m nn_from_scratch coursework check            # progress table
  python -m nn_from_scratch coursework check 1.3        # one task's report

See coursework/README.md (instructors) and the release's README.md (students).
"""


def add_coursework_command(commands) -> None:
    """Add the ``coursework`` subcommand to the CLI's subparsers."""
    parser = commands.add_parser(
        "coursework", help="assignments: list, release, check, grade, prove",
        description="Coursework: release assignments, check your work, grade submissions task by task.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="coursework_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="the assignments and their tasks, with points")
    listing.add_argument("--root", default=None, help="project folder (default: this one or a parent)")

    release = actions.add_parser("release", help="write the student copy of an assignment")
    release.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. A1")
    release.add_argument("--out", required=True, help="a new (or empty) folder")
    release.add_argument("--root", default=None, help="project folder (default: this one or a parent)")

    check = actions.add_parser("check", help="run the public tests: one task's report, or a progress table")
    check.add_argument("task", metavar="TASK", nargs="?", default=None, help="e.g. 1.3 (default: every task)")
    check.add_argument("--root", default=None, help="project folder (default: this one or a parent)")
    check.add_argument("--per-test-timeout", type=float, default=60, metavar="S",
                       help="stop a test after S seconds (default 60)")

    grade = actions.add_parser("grade", help="grade a submission task by task, each in isolation")
    grade.add_argument("submission", metavar="SUBMISSION_DIR", help="the student's project folder")
    grade.add_argument("--assignment", required=True, help="e.g. A1")
    grade.add_argument("--out", default="results.json", help="Gradescope results file (default results.json)")
    grade.add_argument("--markdown", default=None, metavar="PATH",
                       help="also write the Markdown table there (it is printed in any case)")
    grade.add_argument("--timeout", type=float, default=None, metavar="S",
                       help="time limit of each task's tests (default: the assignment's timeout_s)")
    grade.add_argument("--jobs", type=int, default=1, help="tasks graded at once (default 1)")
    grade.add_argument("--solution", default=None, metavar="DIR",
                       help="the instructor's project (default: the one holding this nn_from_scratch package)")
    grade.add_argument("--task", action="append", default=None, metavar="TASK",
                       help="grade only this task (repeatable)")
    grade.add_argument("--end-to-end", action="store_true",
                       help="also run every task's tests on the submission's whole library (an entry worth 0 "
                            "points, for the student's information)")

    prove = actions.add_parser("prove", help="grade every planted wrong solution: each must lose its task's points")
    prove.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. A1")
    prove.add_argument("--jobs", type=int, default=2, help="planted solutions graded at once (default 2)")
    prove.add_argument("--timeout", type=float, default=None, metavar="S", help="time limit of each task's tests")
    prove.add_argument("--targets-only", action="store_true",
                       help="grade only each planted solution's target task (faster)")
    prove.add_argument("--root", default=None, help="project folder (default: this one or a parent)")


def command_coursework(args) -> int:
    action = args.coursework_action
    if action == "list":
        manifest = load_manifest(args.root)
        for assignment in manifest.assignments.values():
            print(f"{assignment.id}  {assignment.title}  ({len(assignment.tasks)} tasks, {assignment.points} points)")
            for task in assignment.tasks:
                print(f"  {task.id:>5}  {task.points:3d}  {task.title}  [{task.tutorial}]")
        return 0
    if action == "release":
        from .release import release

        summary = release(load_manifest(args.root), args.assignment, args.out)
        print(f"released {args.assignment} to {summary['out']}: {summary['functions']} functions stubbed, "
              f"{summary['notebooks']} notebooks ({summary['solution_blocks']} solution blocks cut), "
              f"{summary['public_tests']} public test files")
        return 0
    if action == "check":
        from .check import check

        return check(args.root, args.task, per_test_timeout_s=args.per_test_timeout)
    if action == "grade":
        from .grade import grade
        from .report import markdown_table, write_reports

        report = grade(args.submission, args.assignment, timeout_s=args.timeout, jobs=args.jobs,
                       solution=args.solution, task_ids=args.task, end_to_end=args.end_to_end)
        write_reports(report, Path(args.out), args.markdown)
        print(markdown_table(report))
        print(f"wrote {args.out}", file=sys.stderr)
        return 0
    if action == "prove":
        from .planted import proof_table, prove

        proofs = prove(load_manifest(args.root), args.assignment, jobs=args.jobs, timeout_s=args.timeout,
                       targets_only=args.targets_only)
        print(proof_table(proofs))
        missed = [proof.planted.name for proof in proofs if not proof.caught]
        if missed:
            print(f"error: not caught: {', '.join(missed)}", file=sys.stderr)
            return 1
        return 0
    raise ValueError(f"unknown coursework action {action!r}")
