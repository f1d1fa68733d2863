"""The documentation matches the code it names.

* docs/debugging.md: every ``file.py:LINE`` and ``file.py(LINE)`` reference
  shows the line it names (pdb's ``-> code`` after it), so that a reference
  cannot drift silently when the code moves; and the pdb session it shows
  stops where it says.
* No docstring or comment of the package holds a timing or speed figure:
  figures go stale, and they belong in BENCHMARKS.md.
* The naming rule: autograd Functions are ``<Op>Function``, Modules are not,
  and ``nn.functional`` is ``nn_from_scratch.functional``.
* The tutorials' text names only things that exist.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import os
import pkgutil
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

import nn_from_scratch as nf
from nn_from_scratch import functional as F
from nn_from_scratch import nn
from nn_from_scratch.tensor import Function

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = REPO_ROOT / "nn_from_scratch"
DEBUGGING_GUIDE = REPO_ROOT / "docs" / "debugging.md"
TUTORIALS = sorted((REPO_ROOT / "tutorials").glob("*.ipynb"))


# --------------------------------------------------------------------------
# docs/debugging.md: file:line references
# --------------------------------------------------------------------------

# ".../nn_from_scratch/functional/conv.py:426", "/path/to/...conv.py(427)", "debug_conv.py(16)"
LINE_REFERENCE = re.compile(r"(?P<path>[\w./-]*?(?P<name>[\w-]+\.py))(?::(?P<colon>\d+)|\((?P<paren>\d+)\))")
BREAK_BY_NAME = re.compile(r"^\(Pdb\) b (?P<name>[\w.]+)\s*$")
BREAKPOINT_SET = re.compile(r"^Breakpoint \d+ at ")
GREP_COMMAND = re.compile(r'^\$ grep -n "(?P<pattern>[^"]+)" (?P<path>\S+\.py)\s*$')
GREP_RESULT = re.compile(r"^(?P<line>\d+):(?P<text>.*)$")
SCRIPT_BLOCK = re.compile(r"```python\n(?P<first># (?P<name>[\w-]+\.py)\b[^\n]*)\n(?P<body>.*?)```", re.DOTALL)


def scripts_in(text: str) -> dict:
    """The scripts a page shows: ```python blocks whose first line is ``# NAME.py``, by NAME, as lists of lines."""
    return {match["name"]: (match["first"] + "\n" + match["body"]).splitlines()
            for match in SCRIPT_BLOCK.finditer(text)}


def source_lines(path: str, scripts: dict) -> tuple:
    """(a key naming the file, its lines) for a path the page mentions, or (None, reason)."""
    if "nn_from_scratch/" in path:
        relative = path[path.index("nn_from_scratch/"):]
        file = REPO_ROOT / relative
        if not file.is_file():
            return None, f"{relative} does not exist"
        return relative, file.read_text(encoding="utf-8").splitlines()
    name = path.rsplit("/", 1)[-1]
    if name in scripts:
        return name, scripts[name]
    return None, (f"{path} is neither a file of the package nor a script shown on the page "
                  f"(a ```python block starting with '# {name}')")


def shown_code(doc_line: str) -> str:
    """The code a line of the page shows: pdb's ``-> code``, or the line itself (a traceback's source line)."""
    text = doc_line.strip()
    return text[3:].strip() if text.startswith("-> ") else text


def function_named(dotted: str):
    """The object a dotted name such as ``nn_from_scratch.functional.conv.Conv2dFunction.backward`` names."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ImportError(f"no module in {dotted!r}")


def check_line_references(text: str) -> tuple:
    """Check every file:line reference of a page; returns (number of references, list of problems).

    A reference is checked in one of three ways:
    1. the next line shows the code of that line (pdb's ``-> code``, or a traceback's source line);
    2. "Breakpoint N at FILE:LINE" right after "(Pdb) b NAME": LINE is the ``def`` line of NAME;
    3. otherwise the same file and line must be shown with its code (1.) somewhere else on the page.
    Besides, "$ grep -n "PATTERN" FILE" followed by "LINE:text" must be FILE's line LINE.
    """
    lines = text.splitlines()
    scripts = scripts_in(text)
    problems, shown, unshown = [], set(), []
    count = 0
    for index, doc_line in enumerate(lines):
        grep = GREP_COMMAND.match(doc_line.strip())
        if grep and index + 1 < len(lines) and GREP_RESULT.match(lines[index + 1]):
            result = GREP_RESULT.match(lines[index + 1])
            key, code = source_lines(grep["path"], scripts)
            number = int(result["line"])
            count += 1
            if key is None:
                problems.append(f"line {index + 2}: {code}")
            elif number > len(code) or code[number - 1].strip() != result["text"].strip():
                problems.append(f"line {index + 2}: {key}:{number} is not {result['text'].strip()!r}")
        for match in LINE_REFERENCE.finditer(doc_line):
            count += 1
            number = int(match["colon"] or match["paren"])
            where = f"line {index + 1} ({match.group(0)})"
            key, code = source_lines(match["path"], scripts)
            if key is None:
                problems.append(f"{where}: {code}")
                continue
            if number > len(code):
                problems.append(f"{where}: {key} has only {len(code)} lines")
                continue
            actual = code[number - 1].strip()
            following = shown_code(lines[index + 1]) if index + 1 < len(lines) else ""
            if following == actual:
                shown.add((key, number))
                continue
            previous = BREAK_BY_NAME.match(lines[index - 1].strip()) if index > 0 else None
            if previous and BREAKPOINT_SET.match(doc_line.strip()) and key.startswith("nn_from_scratch/"):
                target = inspect.unwrap(function_named(previous["name"]))
                first_line = target.__code__.co_firstlineno
                if first_line != number:
                    problems.append(f"{where}: {previous['name']} starts on line {first_line}, not {number}")
                continue
            unshown.append((key, number, where, actual, following))
    for key, number, where, actual, following in unshown:
        if (key, number) not in shown:
            problems.append(f"{where}: the next line shows {following!r}, but {key}:{number} is {actual!r}; "
                            f"show the line's code after the reference (as pdb does), or refer by name")
    return count, problems


def test_debugging_guide_line_references_show_their_lines():
    count, problems = check_line_references(DEBUGGING_GUIDE.read_text(encoding="utf-8"))
    assert count >= 10, f"found only {count} file:line references in {DEBUGGING_GUIDE}: is the pattern broken?"
    assert not problems, f"{DEBUGGING_GUIDE.name}: references that do not match the code:\n" + "\n".join(problems)


def test_line_reference_check_catches_a_moved_line():
    conv_file = "nn_from_scratch/functional/conv.py"
    lines = (REPO_ROOT / conv_file).read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "g_rows = image_to_rows(grad_output)" in line)
    good = f"> .../{conv_file}({number})backward()\n-> {lines[number - 1].strip()}\n"
    assert check_line_references(good) == (1, [])
    moved = f"> .../{conv_file}({number + 1})backward()\n-> {lines[number - 1].strip()}\n"
    assert len(check_line_references(moved)[1]) == 1
    unshown = f"(Pdb) b /path/to/{conv_file}:{number + 1}\n(Pdb) c\n" + good
    count, problems = check_line_references(unshown)
    assert count == 2 and len(problems) == 1 and f"conv.py:{number + 1}" in problems[0]
    wrong_breakpoint = (f"(Pdb) b nn_from_scratch.functional.conv.Conv2dFunction.backward\n"
                        f"Breakpoint 1 at .../{conv_file}:{number + 5}\n")
    assert len(check_line_references(wrong_breakpoint)[1]) == 1
    assert check_line_references(".../nn_from_scratch/no_such_file.py(3)f()\n-> x\n")[1]


def test_debugging_guide_pdb_session_stops_in_the_textbook_conv_backward(tmp_path):
    """The guide's script, under pdb with the guide's commands, stops where the guide says."""
    text = DEBUGGING_GUIDE.read_text(encoding="utf-8")
    script = tmp_path / "debug_conv.py"
    script.write_text("\n".join(scripts_in(text)["debug_conv.py"]) + "\n", encoding="utf-8")
    stop = re.search(r"Breakpoint 1 at \.\.\./nn_from_scratch/functional/conv\.py:\d+\n\(Pdb\) c\n"
                     r"> \.\.\./(?P<file>nn_from_scratch/functional/conv\.py)\((?P<line>\d+)\)backward\(\)", text)
    assert stop, "the guide no longer shows the stop in functional/conv.py's backward"
    commands = ("import nn_from_scratch.functional.conv\n"
                "b nn_from_scratch.functional.conv.Conv2dFunction.backward\nc\np type(self).__module__\nq\n")
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    environment.pop("NN_FROM_SCRATCH_KERNELS", None)
    result = subprocess.run([sys.executable, "-m", "pdb", str(script)], input=commands, capture_output=True,
                            text=True, cwd=tmp_path, env=environment, timeout=120)
    expected = f"{stop['file']}({stop['line']})backward()"
    assert expected in result.stdout, f"pdb did not stop at {expected}:\n{result.stdout}\n{result.stderr}"
    assert "'nn_from_scratch.functional.conv'" in result.stdout, result.stdout


# --------------------------------------------------------------------------
# No timing figures in the package's docstrings and comments
# --------------------------------------------------------------------------

NUMBER = r"\d+(?:\.\d+)?(?:\s*(?:-|–|to)\s*\d+(?:\.\d+)?)?"
TIMING_FIGURE = re.compile(
    "|".join([
        # a duration: "0.38 ms", "0.08 instead of 0.20 ms", "16 minutes", "2 seconds"
        rf"\b{NUMBER}\s*(?:ms|µs|μs|us|ns|msec|milliseconds?|microseconds?|nanoseconds?|"
        r"s(?:ec|econds?)|min(?:s|utes?)|hours?)\b",
        # throughput: "267 GFLOP/s", "3 it/s"; any GFLOP figure
        r"\b[GMT]FLOP",
        rf"\b{NUMBER}\s*(?:[KMGT]i?B|it|steps?|images?|samples?|batches)/s\b",
        # a speed ratio: "3x slower", "10-40x slower", "4x slower", "2 times faster", "a speed-up of 2"
        rf"\b{NUMBER}\s*(?:x|×|times)\s+(?:as\s+)?(?:faster|slower|quicker|fast|slow|the speed)\b",
        r"\b(?:faster|slower|speed-?up|quicker)\s+(?:by|of)\s+(?:about\s+|up\s+to\s+)?\d",
        # a share of the time: "14% of the step's CPU time", "30% faster"
        rf"\b{NUMBER}\s*%\s+(?:of\s+(?:the|a|an|its|each|every)\s+)?(?:\w+'s\s+)?"
        r"(?:step|time|run|training|epoch|CPU|wall|runtime|faster|slower|less time|more time)\b",
    ]),
    re.IGNORECASE,
)


def prose_of(source: str) -> list:
    """The docstrings and comments of Python source, as (first line, text) with whitespace normalised.

    Consecutive comment lines form one text, so that a figure broken over two
    lines ("4x" / "slower") is still one phrase.
    """
    texts = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            texts.append((node.lineno, node.value.value))        # docstrings (and any other bare string)
    comment_lines, last_line = [], None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0]
        if comment_lines and line == last_line + 1:
            comment_lines[-1][1].append(token.string.lstrip("#"))
        else:
            comment_lines.append((line, [token.string.lstrip("#")]))
        last_line = line
    texts += [(line, " ".join(parts)) for line, parts in comment_lines]
    return [(line, " ".join(text.split())) for line, text in sorted(texts)]


def timing_figures(source: str) -> list:
    """Every timing or speed figure in the docstrings and comments of ``source``: (line, the figure)."""
    return [(line, match.group(0)) for line, text in prose_of(source) for match in TIMING_FIGURE.finditer(text)]


def test_package_docstrings_and_comments_hold_no_timing_figures():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, figure in timing_figures(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(REPO_ROOT)} (text from line {line}): {figure!r}")
    assert not found, ("timing figures in the package's docstrings or comments (they go stale: put them in "
                       "BENCHMARKS.md and describe the reason in words):\n" + "\n".join(found))


# Figures the package's code held before issue 18, verbatim (from 5dc2d36: conv.py, channel_sums.py,
# host_memory.py, functional/activations.py, functional/arithmetic.py, functional/shape.py, models/gan.py).
OLD_FIGURES = '''
def col2im_of_product_by_phase():
    """Why it is faster: the adds of :func:`col2im_of_product` write every s-th
    at batch 128: 1.89 instead of 2.50 ms.)  With stride 1 there is one
    """
    # long runs instead (0.08 instead of 0.20 ms for 28x28 images at batch 64, 0.15
    # instead of 0.44 ms at batch 128); the GEMMs take its transpose as it is.
    # each kernel position's values are one contiguous row of it (measured: 0.32-0.51 ms
    # instead of 0.51-0.74 ms for the 28x28 images of a DCGAN or VAE).
    # 11 ms instead of 2 ms for the VAE's ConvTranspose2d(64, 32) without keep_freed_memory).


def channel_sums():
    """once: 3-6x faster for the tall, narrow matrices of a convolutional network"""


def keep_freed_memory():
    """faults per DCGAN step (batch 64), 14% of the step's CPU time, measured with"""


def positive_part():
    """array as a branchy scalar loop, 10-40x slower than the vectorised

    but NumPy runs ``where`` on a mixed-sign array as a branchy scalar loop, 4x
    slower than the whole sigmoid written this way.
    """


def matrix_product():
    """discriminator's last Linear, OpenBLAS takes 0.38 ms and ``a * b`` 0.02 ms."""


def reshape():
    """arrays laid out differently about 3x slower than one of matching arrays."""


def radford():
    """of MNIST-10k, in 16 minutes per run on one CPU core."""


def rates():
    """267.4 GFLOP/s, 120 images/s, a speed-up of 1.4 and 30% faster."""
'''

# Legitimate text of the package that looks a little like a figure.
NOT_FIGURES = '''
def col2im_of_product_by_phase():
    """(KH/s)*(KW/s) GEMMs and adds (4 for a 4x4 kernel and stride 2) instead of KH*KW (16).

    padded = images with a zero border (N, C, H + 2s, W + 2s); about 27x the generator's arithmetic
    (193 vs 7.2 million multiply-adds); 3 times the memory; 10% of the pixels; a 2x2 window.
    Why it is faster: every add writes whole rows.  timeout: seconds to wait.
    """
    # 64 channels, 28x28 images at batch 64, float32 values; the slower path is kept for stride 1
'''


def test_timing_figure_check_flags_the_old_figures():
    found = timing_figures(OLD_FIGURES)
    figures = " | ".join(figure for _, figure in found)
    for expected in ["2.50 ms", "0.20 ms", "0.44 ms", "0.32-0.51 ms", "0.51-0.74 ms", "11 ms", "2 ms",
                     "3-6x faster", "14% of the step", "10-40x slower", "4x slower", "0.38 ms", "0.02 ms",
                     "3x slower", "16 minutes", "GFLOP", "120 images/s", "speed-up of 1", "30% faster"]:
        assert expected in figures, f"the check missed {expected!r}; it found: {figures}"


def test_timing_figure_check_passes_legitimate_text():
    assert timing_figures(NOT_FIGURES) == []


def test_timing_figure_check_flags_the_old_conv_file():
    """The whole of nn_from_scratch/conv.py as it was before issue 18 (from git history, where available)."""
    try:
        old = subprocess.run(["git", "show", "5dc2d36:nn_from_scratch/conv.py"], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"git is not usable here: {error}")
    if old.returncode != 0:
        pytest.skip(f"commit 5dc2d36 is not in this clone's history: {old.stderr.strip()}")
    figures = [figure for _, figure in timing_figures(old.stdout)]
    assert len(figures) >= 5, figures


# --------------------------------------------------------------------------
# The naming rule: Functions are <Op>Function, Modules keep PyTorch's names
# --------------------------------------------------------------------------


def package_modules():
    """Every module of the package, imported (modules that need a missing optional dependency left out)."""
    modules = []
    for info in pkgutil.walk_packages(nf.__path__, "nn_from_scratch."):
        if info.name.endswith("__main__"):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ModuleNotFoundError as error:
            if error.name and error.name.startswith("nn_from_scratch"):
                raise
    return modules


def test_every_function_class_is_named_op_function():
    exported = {name: value for name, value in vars(F).items()
                if inspect.isclass(value) and issubclass(value, Function) and value is not Function}
    assert len(exported) >= 40, sorted(exported)
    wrong = [name for name, value in exported.items() if not name.endswith("Function") or name != value.__name__]
    assert not wrong, f"Function classes of nn_from_scratch.functional not named <Op>Function: {wrong}"
    defined = [f"{module.__name__}.{value.__name__}" for module in package_modules()
               for value in vars(module).values()
               if inspect.isclass(value) and issubclass(value, Function) and value is not Function
               and value.__module__ == module.__name__ and not value.__name__.endswith("Function")]
    assert not defined, f"Function classes in the package not named <Op>Function: {defined}"


def test_no_module_class_is_named_function():
    layers = {name: value for name, value in vars(nn).items()
              if inspect.isclass(value) and issubclass(value, nn.Module)}
    assert {"Conv2d", "ReLU", "BatchNorm2d", "Linear"} <= set(layers), sorted(layers)
    defined = [f"{module.__name__}.{value.__name__}" for module in package_modules()
               for value in vars(module).values()
               if inspect.isclass(value) and issubclass(value, nn.Module) and value.__module__ == module.__name__]
    wrong = [name for name in defined if name.endswith("Function")]
    assert not wrong, f"Module classes named like Functions: {wrong}"


def test_nn_functional_is_the_functional_module():
    import nn_from_scratch.nn.functional as nn_functional

    assert nn.functional is F
    assert nn_functional is F


# --------------------------------------------------------------------------
# The tutorials' text names only things that exist
# --------------------------------------------------------------------------

# How the tutorials import the library: `nf`, `F`, `nn`, `optim`, and tutorial 04's `conv`.
PREFIXES = {
    "nf": "nn_from_scratch",
    "F": "nn_from_scratch.functional",
    "nn": "nn_from_scratch.nn",
    "optim": "nn_from_scratch.optim",
    "conv": "nn_from_scratch.functional.conv",
}
NAMED_IN_TEXT = re.compile(r"(?<![\w./])(?P<prefix>nf|F|nn|optim|conv)\.(?!py\b)"
                           r"(?P<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")
FILE_IN_TEXT = re.compile(r"`(?P<path>[\w./-]+\.py)`")
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def unresolved_names(markdown: str) -> list:
    """What the code spans of ``markdown`` name but does not exist: ``nf.x``, ``F.x``, ``nn.x``, ``optim.x``,
    ``conv.x`` (as the tutorials import them), and ``.py`` files of the repository or the package."""
    missing = []
    for span in CODE_SPAN.findall(markdown):
        for match in NAMED_IN_TEXT.finditer(span):
            target = importlib.import_module(PREFIXES[match["prefix"]])
            for attribute in match["path"].split("."):
                if not hasattr(target, attribute):
                    missing.append(match.group(0))
                    break
                target = getattr(target, attribute)
    for match in FILE_IN_TEXT.finditer(markdown):
        path = match["path"]
        if not any((base / path).exists() for base in (REPO_ROOT, PACKAGE)):
            missing.append(path)
    return missing


@pytest.mark.parametrize("path", TUTORIALS, ids=[path.name for path in TUTORIALS])
def test_tutorial_text_names_what_exists(path):
    notebook = nbformat.read(path, as_version=4)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    missing = unresolved_names(markdown)
    assert not missing, f"{path.name}: its text names what the library does not have: {missing}"


def test_tutorial_04_names_the_textbook_convolution():
    notebook = nbformat.read(REPO_ROOT / "tutorials" / "04_convolution.ipynb", as_version=4)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    for name in ["conv.conv2d_loops", "conv.conv2d_backward_loops", "conv.im2col", "conv.col2im",
                 "conv.Conv2dFunction", 'nf.kernels.using("textbook")', "nn_from_scratch/fast/conv.py"]:
        assert name in markdown, f"tutorial 04 no longer mentions {name}"


def test_name_check_catches_a_removed_name():
    assert unresolved_names("`conv.conv2d_naive(x, w)` and `nf.conv.weight_matrix` and `F.Mul`, `F.mul`") == [
        "conv.conv2d_naive", "nf.conv.weight_matrix", "F.Mul"]
    assert unresolved_names("see `nn_from_scratch/conv.py` and `fast/conv.py`") == ["nn_from_scratch/conv.py"]
