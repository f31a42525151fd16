"""Semantic mutants of one Python module, built with :mod:`ast`.

A mutant changes one expression of the module in a way a careless edit could: an arithmetic
operator swapped, a comparison's boundary moved, a condition negated, a constant nudged, a
transpose dropped, a returned array zeroed, ``min`` and ``max`` swapped, an ``abs`` dropped, a
boolean flipped, two arguments swapped. Its source is the original file with only the top-level
statement that holds the change replaced by that statement's ``ast.unparse``, so every other line
keeps its text.

Not mutated: docstrings and other bare strings, f-strings (error messages), imports, type
annotations, decorators, and input-validation branches (an ``if`` whose body only raises
``ValueError`` or ``TypeError``; its test included, its ``else`` not).

Each mutant carries the line range whose execution reaches it (``reach``): the mutated
expression's own lines inside a function body, the whole function for a default argument, and
``None`` at module or class level (reached as soon as the module is used at all).
"""

from __future__ import annotations

import ast
import copy
import hashlib
import random
from dataclasses import dataclass

ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
COMPARISON = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
              ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
          ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
          ast.NotIn: "not in"}
MIN_MAX = {"min": "max", "max": "min", "minimum": "maximum", "maximum": "minimum", "argmin": "argmax",
           "argmax": "argmin", "amin": "amax", "amax": "amin", "nanmin": "nanmax", "nanmax": "nanmin"}
ABSOLUTE = {"abs", "absolute", "fabs"}
VALIDATION_ERRORS = {"ValueError", "TypeError"}
CONSTANT_FACTOR = 1.01
# Calls whose two arguments commute: swapping them cannot change anything. (Neither is an argument
# swapped with a string: a value traded for a name or a message is a type error, not a semantic change.)
COMMUTATIVE = set(MIN_MAX) | {"hypot", "add", "multiply", "isclose", "allclose", "array_equal"}


@dataclass(frozen=True)
class Mutant:
    """One mutated version of a module.

    ``original`` and ``mutated`` are the changed source line(s) before and after, whitespace
    collapsed; ``source`` is the whole mutated module; ``reach`` is the inclusive line range whose
    execution reaches the change (``None``: any use of the module).
    """

    path: str
    line: int
    column: int
    operator: str
    original: str
    mutated: str
    reach: tuple[int, int] | None
    source: str

    @property
    def key(self) -> str:
        """A content hash: the same mutant of the same file always has the same key."""
        return hashlib.sha256(f"{self.path}\0{self.source}".encode()).hexdigest()[:16]

    def describe(self) -> str:
        return f"{self.path}:{self.line}: {self.original}  →  {self.mutated}"


@dataclass(frozen=True)
class _Site:
    """Where a replacement goes: a path of (field, index) steps from a top-level statement."""

    top: int
    steps: tuple[tuple[str, int | None], ...]
    node: ast.AST
    replacement: ast.AST
    operator: str
    reach: tuple[int, int] | None


def is_validation_branch(node: ast.If) -> bool:
    """An ``if`` whose body only raises ValueError or TypeError (an input check)."""
    def raises_validation_error(statement: ast.stmt) -> bool:
        if not isinstance(statement, ast.Raise) or statement.exc is None:
            return False
        exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        return isinstance(exc, ast.Name) and exc.id in VALIDATION_ERRORS

    return all(raises_validation_error(statement) for statement in node.body)


def _callee_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


def _numeric_replacements(value: int | float) -> list[tuple[str, int | float]]:
    """c → c·1.01, c + 1, 0 for floats; c + 1, 0 for ints (a non-integral int is only a type error)."""
    options = [("+1", value + 1), ("→0", type(value)(0))]
    if isinstance(value, float):
        options.insert(0, ("×1.01", value * CONSTANT_FACTOR))
    return [(label, new) for label, new in options if new != value]


def _returns_array(function: ast.AST | None) -> bool:
    returns = getattr(function, "returns", None)
    return returns is not None and "ndarray" in ast.unparse(returns)


_NON_NUMERIC_RETURNS = (ast.Tuple, ast.List, ast.Dict, ast.Set, ast.Compare, ast.BoolOp, ast.JoinedStr,
                        ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Lambda)


def _zeroable_return(value: ast.expr | None, function: ast.AST | None) -> bool:
    """A return worth zeroing: a value that may be a number or an array (not a tuple, a flag, a record)."""
    if value is None or isinstance(value, (ast.Constant, *_NON_NUMERIC_RETURNS)):
        return False
    callee = _callee_name(value) if isinstance(value, ast.Call) else None
    if callee and callee[0].isupper():
        return False  # a constructor: a record, not a number
    returns = getattr(function, "returns", None)
    if returns is None:
        return True
    text = ast.unparse(returns)
    return any(word in text for word in ("ndarray", "float", "Array", "Tensor"))


class _SiteFinder:
    """Walks one top-level statement and lists every mutation site in it."""

    def __init__(self, top: int, uses_numpy_as_np: bool):
        self.top = top
        self.np = uses_numpy_as_np
        self.sites: list[_Site] = []

    def add(self, steps, node, replacement, operator, reach) -> None:
        self.sites.append(_Site(self.top, tuple(steps), node, replacement, operator, reach))

    def walk(self, node: ast.AST, steps: list, function: ast.AST | None, reach_all: tuple[int, int] | None) -> None:
        """``function``: the innermost function whose body holds ``node``; ``reach_all``: the reach
        forced on the subtree (a default argument's reach is its whole function)."""
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.JoinedStr)):
            return
        if isinstance(node, ast.Expr) and _is_string(node.value):
            return  # docstrings and bare strings
        if reach_all is not None or function is None:
            reach = reach_all
        else:
            reach = (node.lineno, node.end_lineno) if hasattr(node, "end_lineno") else None
        self.mutate(node, steps, function, reach)
        for field, value in ast.iter_fields(node):
            if field in ("decorator_list", "returns", "annotation", "type_comment"):
                continue
            if isinstance(node, ast.If) and field in ("test", "body") and is_validation_branch(node):
                continue
            child_function, child_reach = function, reach_all
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                if field == "args":
                    child_reach = (node.lineno, node.end_lineno)  # defaults: evaluated once, used by every call
                elif field == "body":
                    child_function, child_reach = node, None
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        self.walk(item, [*steps, (field, index)], child_function, child_reach)
            elif isinstance(value, ast.AST):
                self.walk(value, [*steps, (field, None)], child_function, child_reach)

    def mutate(self, node: ast.AST, steps: list, function: ast.AST | None, reach) -> None:
        if isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC and not (
                _is_string(node.left) or _is_string(node.right)):
            new = ARITHMETIC[type(node.op)]
            self.add(steps, node, ast.BinOp(node.left, new(), node.right),
                     f"arithmetic {SYMBOL[type(node.op)]} → {SYMBOL[new]}", reach)
        elif isinstance(node, ast.AugAssign) and type(node.op) in ARITHMETIC:
            new = ARITHMETIC[type(node.op)]
            self.add(steps, node, ast.AugAssign(node.target, new(), node.value),
                     f"arithmetic {SYMBOL[type(node.op)]}= → {SYMBOL[new]}=", reach)
        elif isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                if type(op) in COMPARISON:
                    new = COMPARISON[type(op)]
                    ops = [*node.ops[:index], new(), *node.ops[index + 1:]]
                    self.add(steps, node, ast.Compare(node.left, ops, node.comparators),
                             f"comparison {SYMBOL[type(op)]} → {SYMBOL[new]}", reach)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.add(steps, node, node.operand, "not dropped", reach)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            self.add(steps, node, node.operand, "minus sign dropped", reach)
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            self.add(steps, node, ast.Constant(not node.value), f"boolean {node.value} → {not node.value}", reach)
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            for label, value in _numeric_replacements(node.value):
                self.add(steps, node, ast.Constant(value), f"constant {label}", reach)
        elif isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
            self.add(steps, node, node.value, "transpose dropped", reach)
        elif isinstance(node, ast.Return) and _zeroable_return(node.value, function):
            zero = (ast.parse(f"np.zeros_like({ast.unparse(node.value)})", mode="eval").body
                    if self.np and _returns_array(function) else ast.BinOp(node.value, ast.Mult(), ast.Constant(0)))
            self.add(steps, node, ast.Return(zero), "return zeroed", reach)
        elif isinstance(node, ast.Call):
            self.mutate_call(node, steps, reach)
        if isinstance(node, (ast.If, ast.While, ast.IfExp)):
            self.negate_test(node, steps, function, reach)

    def negate_test(self, node: ast.If | ast.While | ast.IfExp, steps: list, function, reach) -> None:
        """``if c`` → ``if not c`` (not for validation branches, nor for a test that already starts with not)."""
        test = node.test
        if (isinstance(node, ast.If) and is_validation_branch(node)) or (
                isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)):
            return
        test_reach = reach if function is None or reach is None else (test.lineno, test.end_lineno)
        self.add([*steps, ("test", None)], test, ast.UnaryOp(ast.Not(), test), "not added", test_reach)

    def mutate_call(self, node: ast.Call, steps: list, reach) -> None:
        name = _callee_name(node)
        if name in MIN_MAX:
            func = (ast.Name(MIN_MAX[name], ast.Load()) if isinstance(node.func, ast.Name)
                    else ast.Attribute(node.func.value, MIN_MAX[name], ast.Load()))
            self.add(steps, node, ast.Call(func, node.args, node.keywords), f"{name} → {MIN_MAX[name]}", reach)
        if name in ABSOLUTE and len(node.args) == 1 and not node.keywords:
            self.add(steps, node, node.args[0], f"{name} dropped", reach)
        elif name in ABSOLUTE and not node.args and not node.keywords and isinstance(node.func, ast.Attribute):
            self.add(steps, node, node.func.value, f".{name}() dropped", reach)
        positional = node.args
        if name in COMMUTATIVE or any(isinstance(a, ast.Starred) for a in positional):
            return
        for index in range(len(positional) - 1):
            first, second = positional[index], positional[index + 1]
            if ast.unparse(first) != ast.unparse(second) and not (_is_string(first) or _is_string(second)):
                args = [*positional[:index], second, first, *positional[index + 2:]]
                self.add(steps, node, ast.Call(node.func, args, node.keywords),
                         f"arguments {index + 1} and {index + 2} swapped", reach)


def _replace(root: ast.AST, steps, replacement: ast.AST) -> ast.AST:
    """A deep copy of ``root`` with the node at ``steps`` replaced."""
    root = copy.deepcopy(root)
    parent = root
    for field, index in steps[:-1]:
        parent = getattr(parent, field) if index is None else getattr(parent, field)[index]
    field, index = steps[-1]
    if index is None:
        setattr(parent, field, copy.deepcopy(replacement))
    else:
        getattr(parent, field)[index] = copy.deepcopy(replacement)
    return ast.fix_missing_locations(root)


def _segment_lines(lines: list[bytes], node: ast.AST) -> tuple[bytes, bytes]:
    """The source before and after ``node`` on its first and last lines (offsets are UTF-8 bytes)."""
    return lines[node.lineno - 1][: node.col_offset], lines[node.end_lineno - 1][node.end_col_offset:]


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _mutated_source(tree: ast.Module, text_lines: list[str], site: _Site) -> str:
    """The module with the top-level statement holding ``site`` replaced by its mutated unparse."""
    top = tree.body[site.top]
    new_top = _replace(top, site.steps, site.replacement)
    first = min([top.lineno, *(d.lineno for d in getattr(top, "decorator_list", []))])
    neighbours = tree.body[site.top - 1: site.top] + tree.body[site.top + 1: site.top + 2]
    if any(n.end_lineno >= first and n.lineno <= top.end_lineno for n in neighbours):
        return ast.unparse(_replace(tree, [("body", site.top), *site.steps], site.replacement)) + "\n"
    return "".join(text_lines[: first - 1]) + ast.unparse(new_top) + "\n" + "".join(text_lines[top.end_lineno:])


def generate(source: str, path: str = "<module>") -> list[Mutant]:
    """Every mutant of ``source`` in source order (line, column), duplicates removed."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"{path}: not valid Python: {exc.msg} (line {exc.lineno})") from None
    uses_np = any(isinstance(s, ast.Import) and any(a.name == "numpy" and a.asname == "np" for a in s.names)
                  for s in tree.body)
    sites: list[_Site] = []
    for index, statement in enumerate(tree.body):
        finder = _SiteFinder(index, uses_np)
        finder.walk(statement, [], None, None)
        sites.extend(finder.sites)
    text_lines = source.splitlines(keepends=True)
    byte_lines = [line.rstrip("\r\n").encode() for line in text_lines]
    mutants, seen = [], set()
    for site in sorted(sites, key=lambda s: (s.node.lineno, s.node.col_offset)):
        mutant_source = _mutated_source(tree, text_lines, site)
        if mutant_source in seen or mutant_source == source:
            continue
        seen.add(mutant_source)
        before, after = _segment_lines(byte_lines, site.node)
        original = b" ".join(byte_lines[site.node.lineno - 1: site.node.end_lineno]).decode()
        mutated = (before + ast.unparse(site.replacement).encode() + after).decode()
        mutants.append(Mutant(path, site.node.lineno, site.node.col_offset, site.operator, _collapse(original),
                              _collapse(mutated), site.reach, mutant_source))
    return mutants


def sample(mutants: list[Mutant], size: int | None, seed: int) -> list[Mutant]:
    """``size`` mutants drawn without replacement by a generator seeded with ``seed``, in source order."""
    if size is None or size >= len(mutants):
        return list(mutants)
    if size < 0:
        raise ValueError(f"--sample must be non-negative, got {size}")
    chosen = random.Random(seed).sample(range(len(mutants)), size)
    return [mutants[i] for i in sorted(chosen)]
