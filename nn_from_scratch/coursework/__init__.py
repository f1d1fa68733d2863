"""The coursework kit: assignments an instructor releases, students check, and a grader scores.

``python -m nn_from_scratch coursework list|release|check|grade`` (see
:mod:`nn_from_scratch.coursework.command`).  The manifest,
``coursework/assignments.toml``, names per task the library functions a
student writes; the library itself is the solution.  Files, one concept each:

    manifest.py      reading and checking the manifest
    source_edit.py   function bodies by qualified name: strip, extract, splice (ast)
    notebooks.py     cutting ### BEGIN SOLUTION / ### END SOLUTION blocks out of notebooks
    release.py       the student copy of the project for one assignment
    runner.py        one test process: limits, hidden folders, guards, pytest + recorder
    recorder.py      the pytest plugin that writes each test's outcome as a JSON line
    guards.py        forbidden imports and the in-process network block
    sandbox.py       running a command with a time limit, in new namespaces, output capped
    check.py         the student's check: one task's report, or the progress table
    grade.py         grading a submission task by task, each in isolation
    report.py        Gradescope's results.json and the Markdown table
    testing.py       helpers for the coursework tests (readable comparisons, known values)
    exercises.py     the check cells of the notebooks' exercises (check_exercise, finite_differences)
    command.py       the `coursework` command line
"""
