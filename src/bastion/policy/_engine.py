"""The one place that talks to regopy (rego-cpp's Python binding), and what we learned
about it (regopy 1.5.2, rego-cpp 1.5.2):

- Syntax: Rego v1 (``if``, ``contains``, ``in``, ``every``); ``import rego.v1`` is accepted
  and so is the v0 form. Parsing happens in ``add_module``; rego-cpp checks syntax and
  well-formedness there but, unlike OPA, no types, unsafe variables, unknown functions or
  conflicting rules: those surface at evaluation (or silently as undefined).
- Errors: a ``RegoError`` whose text is an s-expression, ``(error 6:p.rego|28|1 (errormsg
  27:Invalid assignment operator) …)``: length-prefixed strings, and the location as the
  file, a byte offset and a length. rego-cpp also prints a readable copy on the process's
  stdout unless the interpreter's log level is ``NONE``.
- Evaluation errors (conflicting rule values, a builtin failing, a type error) are
  ``undefined`` unless ``strict_built_in_errors`` is on; with it they are an output that
  is not ok, whose error node names the message and a code (``eval_type_error``). An
  unknown function is an "ok" output whose text is an error tree, which
  ``regopy.Output`` cannot parse (``JSONDecodeError``): we read outputs ourselves with
  the C functions regopy wraps (``regopy.rego_shared``).
- Speed: ``build`` with entrypoints then ``query_bundle_entrypoint`` runs the built-in
  production gate in about half the time of ``query`` (which compiles the query each time).
- Bundle mode has its own bugs: an entrypoint whose value is an object literal of four
  keys or more fails with "bundle verify: raw index …"; we then ask the interpreter's
  ``query`` path, which gets it right.
- Crashes: some valid Rego aborts or segfaults the process (``with input as …`` over a
  rule that calls any builtin; a rule named like the import it reads). An abort cannot
  be caught, so ``bundle.compile_bundle`` first tries a bundle in a child process.
- Strings: ``sprintf`` keeps the quotes of a string passed into a function (and the
  output is then invalid JSON); ``concat`` does not. docs/policy.md lists the rest.
- Threads: regopy releases the GIL inside rego-cpp and an interpreter is not safe to
  share — ``set_input`` then a query from several threads returned other threads'
  decisions in a stress test. Each ``Runner`` here owns its interpreter and its built
  bundle, and is used by one thread at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import regopy  # type: ignore[import-untyped]
from regopy import rego_shared


@dataclass(frozen=True)
class Problem:
    """One error rego-cpp reported: where (when it said) and what."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    code: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        what = f"{self.code}: {self.message}" if self.code else self.message
        return f"{where}{what}"


@dataclass(frozen=True)
class Result:
    """What a query gave: a value, nothing (undefined), or errors."""

    defined: bool
    value: Any = None
    problems: tuple[Problem, ...] = ()


def new_interpreter() -> Any:
    """An interpreter that prints nothing and reports builtin failures as errors."""
    interpreter = regopy.Interpreter()
    interpreter.log_level = regopy.LogLevel.NONE
    interpreter.strict_built_in_errors = True
    return interpreter


def _prefixed(text: bytes, at: int) -> tuple[str, int]:
    """Read rego-cpp's ``<length>:<bytes>`` string at ``at``; the text and where it ends."""
    colon = text.index(b":", at)
    length = int(text[at:colon])
    end = colon + 1 + length
    return text[colon + 1 : end].decode("utf-8", "replace"), end


_ERROR = re.compile(rb"\(error[ \n]")
_MESSAGE = re.compile(rb"\(errormsg ")
_LOCATION = re.compile(rb"\|(\d+)\|(\d+)")


def parse_problems(text: str, sources: Mapping[str, str] | None = None) -> list[Problem]:
    """The errors in a rego-cpp error text, with line and column from ``sources``."""
    raw = text.encode("utf-8")
    found: list[Problem] = []
    starts = [m.end() for m in _ERROR.finditer(raw)]
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else len(raw)
        file = line = column = None
        try:
            if raw[start : start + 1].isdigit():
                file, after = _prefixed(raw, start)
                located = _LOCATION.match(raw, after)
                if located and sources is not None and file in sources:
                    line, column = _line_column(sources[file], int(located.group(1)))
            message_at = _MESSAGE.search(raw, start, stop)
            message = (
                _prefixed(raw, message_at.end())[0] if message_at else "unknown rego-cpp error"
            )
        except ValueError:
            message = "unreadable rego-cpp error"
        found.append(Problem(message=message, file=file, line=line, column=column))
    if not found:
        found.append(Problem(message=text.strip() or "unknown rego-cpp error"))
    return found


def _line_column(source: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset (rego-cpp counts UTF-8 bytes)."""
    before = source.encode("utf-8")[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


def _node_kind(node: int) -> int:
    return int(rego_shared.rego.regoNodeType(node))


def _node_text(node: int) -> str:
    try:
        return str(rego_shared.rego_node_value(node))
    except rego_shared.RegoError:
        return ""


def _node_problems(node: int) -> list[Problem]:
    """The errors of an error-sequence node (kind 1804), each message and code."""
    found: list[Problem] = []

    def visit(current: int) -> None:
        kind = _node_kind(current)
        if kind == regopy.NodeKind.Error:
            message, code = "unknown evaluation error", None
            for i in range(rego_shared.rego_node_size(current)):
                child = rego_shared.rego_node_get(current, i)
                child_kind = _node_kind(child)
                if child_kind == regopy.NodeKind.ErrorMessage:
                    message = _node_text(child)
                elif child_kind == regopy.NodeKind.ErrorCode:
                    code = _node_text(child) or None
            found.append(Problem(message=message, code=code))
            return
        for i in range(rego_shared.rego_node_size(current)):
            visit(rego_shared.rego_node_get(current, i))

    visit(node)
    return found or [Problem(message="unknown evaluation error")]


_QUOTES = (
    " (rego-cpp 1.5's sprintf keeps the quotes of a string passed into a function; "
    "build such messages with concat)"
)


def read_output(output: int) -> Result:
    """A Result from a rego-cpp output handle (which the caller frees)."""
    if not rego_shared.rego_output_ok(output):
        return Result(False, problems=tuple(_node_problems(rego_shared.rego_output_node(output))))
    text = rego_shared.rego_output_string(output)
    if text == "undefined":
        return Result(False)
    try:
        parsed = json.loads(text)
    except ValueError:
        if text.startswith('{"expressions"'):
            # rego-cpp wrote a string holding raw quotes without escaping them.
            return Result(
                False, problems=(Problem(f"rego-cpp wrote invalid JSON: {text[:300]}{_QUOTES}"),)
            )
        # An "ok" output holding an error tree (e.g. an unknown function).
        return Result(False, problems=tuple(parse_problems(text)))
    if isinstance(parsed, list):
        if len(parsed) != 1:
            return Result(False, problems=(Problem(f"{len(parsed)} results, expected one"),))
        parsed = parsed[0]
    expressions = parsed.get("expressions") if isinstance(parsed, dict) else None
    if not isinstance(expressions, list) or len(expressions) != 1:
        return Result(False, problems=(Problem(f"unexpected rego-cpp output: {text[:200]}"),))
    return Result(True, expressions[0])


NO_INPUT: Any = object()


class Runner:
    """One interpreter with the bundle's modules and data, built for its entrypoints.

    Not thread-safe: a runner serves one evaluation at a time (see the module docstring).
    """

    def __init__(
        self,
        modules: Mapping[str, str],
        data: Mapping[str, Any],
        entrypoints: Iterable[str],
    ) -> None:
        self.interpreter = new_interpreter()
        for name, source in modules.items():
            self.interpreter.add_module(name, source)
        if data:
            self.interpreter.add_data_json(json.dumps(dict(data)))
        self.bundle = self.interpreter.build(None, list(entrypoints))

    def query(self, entrypoint: str, document: Any = NO_INPUT) -> Result:
        """Evaluate ``entrypoint`` (``path/to/rule``) with ``document`` as input (or none)."""
        if document is not NO_INPUT:
            self.interpreter.set_input(document)
        result = self._read(
            rego_shared.rego_bundle_query_entrypoint(
                self.interpreter._impl, self.bundle._impl, entrypoint
            )
        )
        if any(p.message.startswith("bundle verify:") for p in result.problems):
            # rego-cpp 1.5's bundle compiler mis-plans some rules (an entrypoint whose
            # value is an object literal of four keys or more); the interpreter's own
            # query path evaluates them correctly.
            result = self._read(
                rego_shared.rego_query(
                    self.interpreter._impl, "data." + entrypoint.replace("/", ".")
                )
            )
        return result

    @staticmethod
    def _read(output: int) -> Result:
        try:
            return read_output(output)
        finally:
            rego_shared.rego_free_output(output)


RegoError: type[Exception] = regopy.RegoError
