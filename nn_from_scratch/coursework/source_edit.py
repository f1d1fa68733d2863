"""Editing function bodies in Python source, by qualified name, with the ``ast`` module.

A function's *body* is everything after its signature and docstring, down to
its last statement (comments inside included).  A release replaces the body
with one ``raise NotImplementedError(...)`` line; the grader copies a
submission's body into the solution's function.  Signature, decorators and
docstring always stay those of the file being edited, and nothing outside the
function changes.

    source = Path("nn_from_scratch/functional/arithmetic.py").read_text()
    body = function_body(source, "Add.backward")          # "return g, g\\n"
    stub = replace_bodies(source, {"Add.backward": 'raise NotImplementedError("Task 1.4")\\n'})
"""

from __future__ import annotations

import ast
import io
import json
import textwrap
import threading
import tokenize

from .manifest import CourseworkError

# CPython 3.11's parser keeps its AST-building depth in interpreter-wide state: two threads parsing at once
# can fail with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905).  The grader
# and `coursework prove` parse in threads, so every parse of the kit goes through this lock.
_PARSE_LOCK = threading.Lock()


def parse_python(source: str, filename: str = "<source>") -> ast.Module:
    """``ast.parse``, one thread at a time (raises SyntaxError)."""
    with _PARSE_LOCK:
        return ast.parse(source, filename=filename)


def parse(source: str, path: str) -> ast.Module:
    """The module's AST, or a one-line error naming the file and the line."""
    try:
        return parse_python(source, path)
    except SyntaxError as error:
        raise CourseworkError(f"{path} does not parse: line {error.lineno}: {error.msg}") from None


def find_function(module: ast.Module, qualname: str):
    """The FunctionDef for ``"name"``, ``"Class.method"`` or ``"Outer.Inner.method"``; None if absent."""
    scope = module.body
    node = None
    for part in qualname.split("."):
        node = next((n for n in scope if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     and n.name == part), None)
        if node is None:
            return None
        scope = node.body
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def defined_functions(module: ast.Module) -> list:
    """Qualified names of every function and method in the module (for error messages)."""
    names = []

    def visit(scope, prefix):
        for node in scope:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.append(prefix + node.name)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, prefix + node.name + ".")

    visit(module.body, "")
    return names


def _require_function(module: ast.Module, qualname: str, path: str):
    node = find_function(module, qualname)
    if node is None:
        close = [name for name in defined_functions(module) if name.split(".")[-1] == qualname.split(".")[-1]]
        hint = f" (functions of that name: {', '.join(close)})" if close else ""
        raise CourseworkError(f"{path} has no function {qualname}{hint}")
    return node


def _docstring_node(node):
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first
    return None


def code_statements(node) -> list:
    """The body's statements without the docstring."""
    return node.body[1:] if _docstring_node(node) is not None else list(node.body)


def _header_end_line(lines: list, node) -> int:
    """The (1-based) line of the colon that ends the ``def`` line(s) of ``node``."""
    text = "".join(lines[node.lineno - 1:])
    depth = 0
    seen_def = False
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME and token.string == "def":
            seen_def = True
        elif token.type == tokenize.OP and seen_def:
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
            elif token.string == ":" and depth == 0:
                return node.lineno + token.start[0] - 1
    raise CourseworkError(f"cannot find the end of the signature of {node.name} (line {node.lineno})")


def _indentation(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _body_region(lines: list, node, path: str, qualname: str) -> tuple:
    """(first line, last line, indentation) of the editable body: 1-based and inclusive; first > last when empty.

    The region starts after the docstring (or after the signature) and ends
    at the last statement, extended over comment lines indented like the body
    that follow it.
    """
    header_end = _header_end_line(lines, node)
    docstring = _docstring_node(node)
    statements = code_statements(node)
    start = (docstring.end_lineno if docstring is not None else header_end) + 1
    anchor = statements[0] if statements else (docstring or node.body[0])
    if anchor.lineno <= header_end or (docstring is not None and statements and statements[0].lineno <= start - 1):
        raise CourseworkError(f"{path}: the body of {qualname} starts on the line of its signature or docstring; "
                              "put it on lines of its own")
    indent = " " * anchor.col_offset
    if not statements:
        return start, start - 1, indent
    end = statements[-1].end_lineno
    while end < len(lines):
        following = lines[end]           # the line after `end` (0-based index end)
        if following.strip() == "" or not following.lstrip().startswith("#"):
            break
        if len(_indentation(following)) < len(indent):
            break
        end += 1
    return start, end, indent


def function_body(source: str, qualname: str, path: str = "<source>") -> str:
    """The body of ``qualname`` (without signature and docstring), dedented, ending with a newline."""
    lines = source.splitlines(keepends=True)
    node = _require_function(parse(source, path), qualname, path)
    statements = code_statements(node)
    if not statements:
        return ""
    header_end = _header_end_line(lines, node)
    docstring = _docstring_node(node)
    last_header_line = docstring.end_lineno if docstring is not None else header_end
    if statements[0].lineno <= last_header_line:
        # `def f(x): return x`: take the statements' own text, one per line
        return "".join(ast.get_source_segment(source, statement) + "\n" for statement in statements)
    start, end, _ = _body_region(lines, node, path, qualname)
    text = "".join(lines[start - 1:end])
    if not text.endswith("\n"):
        text += "\n"
    return textwrap.dedent(text)


def _reindent(body: str, indent: str) -> list:
    """``body`` (dedented) as lines indented by ``indent`` (blank lines stay blank)."""
    lines = textwrap.dedent(body).splitlines(keepends=True)
    result = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n"
        result.append(indent + line if line.strip() else "\n")
    return result


def replace_bodies(source: str, bodies: dict, path: str = "<source>") -> str:
    """``source`` with the body of each ``qualname`` in ``bodies`` replaced by the given text.

    The new body text may have any indentation (it is dedented and indented
    like the old body); an empty text leaves only the docstring (or ``pass``).
    The result is checked to parse, and each new body to read back as given.
    """
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    module = parse(source, path)
    regions = []
    for qualname, body in bodies.items():
        node = _require_function(module, qualname, path)
        start, end, indent = _body_region(lines, node, path, qualname)
        new_lines = _reindent(body, indent)
        if not new_lines and _docstring_node(node) is None:
            new_lines = [indent + "pass\n"]
        regions.append((start, end, new_lines, qualname))
    for start, end, new_lines, _ in sorted(regions, key=lambda region: region[0], reverse=True):
        lines[start - 1:end] = new_lines
    result = "".join(lines)
    new_module = parse(result, f"{path} (edited)")
    for qualname, body in bodies.items():
        expected = [ast.dump(statement) for statement in parse_python(textwrap.dedent(body) or "pass").body]
        got = [ast.dump(statement) for statement in code_statements(find_function(new_module, qualname))] or \
            [ast.dump(ast.Pass())]
        if body.strip() and got != expected:
            raise CourseworkError(f"{path}: the new body of {qualname} did not read back as written; is its "
                                  "indentation consistent?")
    return result


def body_dump(source: str, qualname: str, path: str = "<source>") -> str:
    """The body's statements as an AST dump: equal dumps mean the same code (comments and layout aside)."""
    node = _require_function(parse(source, path), qualname, path)
    return "\n".join(ast.dump(statement) for statement in code_statements(node))


def stub_body(message: str) -> str:
    """The body a release puts in place of a task's function (the message in double quotes, as a JSON string
    is also a Python string literal)."""
    return f"raise NotImplementedError({json.dumps(message, ensure_ascii=False)})\n"


def is_stub(source: str, qualname: str, path: str = "<source>") -> bool:
    """True when the body is a single ``raise NotImplementedError(...)``: the task was not attempted."""
    node = _require_function(parse(source, path), qualname, path)
    statements = code_statements(node)
    if len(statements) != 1 or not isinstance(statements[0], ast.Raise):
        return False
    raised = statements[0].exc
    if isinstance(raised, ast.Call):
        raised = raised.func
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def signature_dump(source: str, qualname: str, path: str = "<source>") -> str:
    """The function's parameters as an AST dump (to notice a submission that changed a signature)."""
    node = _require_function(parse(source, path), qualname, path)
    return ast.dump(node.args)
