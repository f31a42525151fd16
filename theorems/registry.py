"""The theorem registry: what a claim is, how it is registered, how an id resolves.

A :class:`Theorem` bundles a statement (sympy), its named assumptions, the construction it is
about and its :class:`Check` s. Built-in theorems live one per module under
``theorems/<namespace>/``; users register their own claims with the same :func:`register` (from a
file passed to ``verify --load``, or from an installed package through the entry-point group
``ddtheory.theorems``).

Ids are namespaced, ``izzo-zou/theorem-3``. The part after the slash is the *short id*; it
resolves when exactly one registered theorem has it.
"""

from __future__ import annotations

import difflib
import enum
import contextlib
import functools
import importlib
import importlib.metadata
import importlib.util
import inspect
import pkgutil
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from theorems.context import CheckContext
from theorems.outcome import Outcome
from theorems.requirements import Requirement
from theorems.outcome import Verdict
from theorems.searching import as_refusal, collecting_searches, watching_subjects

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9.-]*$")
CHECK_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ENTRY_POINT_GROUP = "ddtheory.theorems"


class Kind(str, enum.Enum):
    """The kinds of evidence a check can give."""

    SYMBOLIC = "symbolic"
    CONSTRUCTION = "construction"
    PROPERTY = "property"
    COUNTEREXAMPLE = "counterexample"
    REAL_DATA = "real-data"
    EMPIRICAL = "empirical"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Assumption:
    """A named hypothesis of a theorem; assumption-drop checks refer to it by ``name``."""

    name: str
    text: str


@dataclass(frozen=True)
class Check:
    """One way a theorem can be falsified.

    ``fn(ctx, **subjects)`` returns an :class:`~theorems.outcome.Outcome`. Its keyword arguments
    with defaults are the *subjects* under test (the construction, the claimed bound, ...); a
    planted-failure test passes a broken one through :meth:`run` and expects ``falsified``.

    Subjects that are functions are watched (:func:`~theorems.searching.watching_subjects`): an
    exception raised inside one and not handled by the check becomes
    :class:`~theorems.searching.SubjectRefused` (a violation), so a subject that refuses an input the
    check gave it fails the check instead of crashing it.
    """

    name: str
    kind: Kind
    fn: Callable[..., Outcome]
    description: str
    needs: tuple[Requirement, ...] = ()

    def missing(self) -> str | None:
        """The reason this check cannot run here, or ``None``."""
        for requirement in self.needs:
            reason = requirement.missing()
            if reason:
                return reason
        return None

    @property
    def subjects(self) -> dict[str, Any]:
        """The subjects this check takes, by name, with their built-in defaults."""
        parameters = list(inspect.signature(self.fn).parameters.values())[1:]
        return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}

    def run(self, ctx: CheckContext, **subjects: Any) -> Outcome:
        """Run the check (exceptions propagate; :mod:`theorems.runner` turns them into ``error``)."""
        defaults = self.subjects
        unknown = set(subjects) - set(defaults)
        if unknown:
            raise ValueError(f"check {self.name!r} takes no subject(s) {sorted(unknown)}")
        chosen = {name: subjects.get(name, default) for name, default in defaults.items()}
        given = {name: (_read_only_inputs(obj, defaults[name]) if name in subjects else obj)
                 for name, obj in chosen.items()}
        with watching_subjects(chosen), collecting_searches() as searches:
            try:
                outcome = self.fn(ctx, **given)
            except Exception as exc:
                refusal = as_refusal(exc)
                if refusal is None:
                    raise
                raise refusal from exc
        if self.kind is not Kind.COUNTEREXAMPLE and outcome.verdict in (Verdict.VERIFIED, Verdict.UNREFUTED):
            found = next((r for r in searches if r.found and not r.seeking), None)
            if found is not None:  # a search inside the check found a violation; the check passed anyway
                raise found.violation
        if not isinstance(outcome, Outcome):
            raise TypeError(f"check {self.name!r} returned {type(outcome).__name__}, not an Outcome")
        return outcome


def _read_only_inputs(subject: Any, default: Any) -> Any:
    """A user's subject called with read-only views of the arrays it is given, so that it cannot change
    the data the check compares it with (writing raises, which is a refusal).

    A read-only view alone is not enough: NumPy lets anyone set ``writeable`` back on a view whose
    owning array is writable. So for the duration of the call the owners themselves (the end of each
    argument's ``base`` chain) are made read-only, then restored; a view of a read-only owner cannot
    be made writable. A subject is wrapped when the check only calls it, i.e. when its built-in
    ``default`` is a function, method or partial: then any callable may stand in for it (an object
    with ``__call__`` too). A subject whose default is an object (a feature map, whose attributes and
    type the check reads) or a class is passed as it is."""
    if not callable(subject) or isinstance(subject, type) or not _is_function(default):
        return subject

    @functools.wraps(subject)
    def called_on_read_only_inputs(*args: Any, **kwargs: Any) -> Any:
        arrays = [value for value in (*args, *kwargs.values()) if isinstance(value, np.ndarray)]
        with _owners_read_only(arrays):
            return subject(*(_read_only_view(a) for a in args), **{k: _read_only_view(v) for k, v in kwargs.items()})

    return called_on_read_only_inputs


def _is_function(value: Any) -> bool:
    return inspect.isfunction(value) or inspect.ismethod(value) or inspect.isbuiltin(value) or isinstance(
        value, functools.partial)


def _read_only_view(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        view = value.view()
        view.flags.writeable = False
        return view
    return value


@contextlib.contextmanager
def _owners_read_only(arrays: list[np.ndarray]):
    """Make the owning array of each of ``arrays`` read-only until the block ends, then writable again
    (only those that were writable: nesting and shared owners restore correctly)."""
    owners = {}
    for array in arrays:
        owner = array
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        if owner.flags.writeable:
            owners[id(owner)] = owner
    for owner in owners.values():
        owner.flags.writeable = False
    try:
        yield
    finally:
        for owner in owners.values():
            owner.flags.writeable = True


class Checks:
    """Collects a module's checks in the order they are written.

    >>> checks = Checks()
    >>> @checks.add("ridge-path", Kind.PROPERTY)
    ... def ridge_path(ctx, distill=distill_linear_regression): ...
    """

    def __init__(self) -> None:
        self._checks: list[Check] = []

    def add(self, name: str, kind: Kind | str, needs: Iterable[Requirement] = ()) -> Callable:
        if not CHECK_NAME_PATTERN.match(name):
            raise ValueError(f"check name {name!r} must be lowercase words joined by '-'")
        if any(check.name == name for check in self._checks):
            raise ValueError(f"check {name!r} is defined twice")

        def decorate(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
            doc = inspect.getdoc(fn) or ""
            if not doc:
                raise ValueError(f"check {name!r} needs a docstring saying what it checks")
            self._checks.append(Check(name, Kind(kind), fn, doc, tuple(needs)))
            return fn

        return decorate

    def freeze(self) -> tuple[Check, ...]:
        return tuple(self._checks)


@dataclass(frozen=True)
class Theorem:
    """A registered claim.

    ``statement`` is a zero-argument function returning the sympy form of the claim (it is built
    lazily, only for ``--explain`` and the symbolic checks); ``claim`` is the same in one prose
    sentence; ``conventions`` fixes scalings and codings the numbers depend on. ``status`` is
    ``theorem``, ``conjecture`` (verdict at best ``unrefuted``), ``law`` (an empirical law:
    ``supported`` / ``not-supported``) or ``refuted``: a paper's claim, registered as the paper
    states it, that the project found false. Its ``refuted_by`` names the checks that exhibit the
    counterexample; ``verify`` reports ``refuted`` (exit 0) when they do, and ``error`` when they
    no longer do. The finding itself is registered as a claim of its own.
    """

    id: str
    title: str
    source: str
    claim: str
    statement: Callable[[], Any]
    assumptions: tuple[Assumption, ...] = ()
    checks: tuple[Check, ...] = ()
    construction: Callable[..., Any] | None = None
    conventions: str = ""
    status: str = "theorem"
    refuted_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not ID_PATTERN.match(self.id):
            raise ValueError(f"theorem id {self.id!r} must look like 'namespace/name' in lowercase")
        if self.status not in ("theorem", "conjecture", "law", "refuted"):
            raise ValueError(f"status must be theorem, conjecture, law or refuted, got {self.status!r}")
        if (self.status == "refuted") != bool(self.refuted_by):
            raise ValueError(f"theorem {self.id!r}: refuted_by names the refuting checks exactly when status is 'refuted'")
        if not self.checks:
            raise ValueError(f"theorem {self.id!r} has no checks")
        names = [check.name for check in self.checks]
        if len(set(names)) != len(names):
            raise ValueError(f"theorem {self.id!r} has duplicate check names")
        unknown = set(self.refuted_by) - set(names)
        if unknown:
            raise ValueError(f"theorem {self.id!r}: refuted_by names unknown checks {sorted(unknown)}")

    @property
    def namespace(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def short_id(self) -> str:
        return self.id.split("/", 1)[1]

    def check(self, name: str) -> Check:
        for check in self.checks:
            if check.name == name:
                return check
        raise ValueError(f"{self.id} has no check {name!r}; its checks are {', '.join(c.name for c in self.checks)}")

    def kinds(self) -> list[str]:
        return sorted({str(check.kind) for check in self.checks})


@dataclass(frozen=True)
class Reproduction:
    """A named table or figure reproduced from a paper (``verify reproduce ID``)."""

    id: str
    title: str
    fn: Callable[[CheckContext], str]
    needs: tuple[Requirement, ...] = ()


INDEX_PATH = Path(__file__).with_name("builtin_index.json")
"""Id, title, kinds of check and module of every built-in theorem and reproduction, so that
``verify list`` and resolving one id import nothing but the module they need. Regenerate with
``python -m theorems.registry`` after adding or renaming a built-in (a test compares it with the
modules)."""


@dataclass(frozen=True)
class IndexEntry:
    """A built-in theorem or reproduction as the index lists it, without importing its module."""

    id: str
    title: str
    kinds: tuple[str, ...]
    module: str
    reproduction: bool = False

    @property
    def short_id(self) -> str:
        return self.id.split("/", 1)[1]


def read_index() -> list[IndexEntry]:
    import json

    return [IndexEntry(e["id"], e["title"], tuple(e["kinds"]), e["module"], e.get("reproduction", False))
            for e in json.loads(INDEX_PATH.read_text(encoding="utf-8"))]


def build_index() -> list[dict]:
    """The index as the modules define it (imports every built-in module)."""
    registry = Registry()
    registry.load_builtins()
    entries = [{"id": t.id, "title": t.title, "kinds": t.kinds(), "module": t.checks[0].fn.__module__}
               for t in registry.theorems() if t.checks[0].fn.__module__.startswith("theorems.")]
    entries += [{"id": r.id, "title": r.title, "kinds": [], "module": r.fn.__module__, "reproduction": True}
                for r in registry.reproductions() if r.fn.__module__.startswith("theorems.")]
    return entries


class Registry:
    """Theorems and reproductions by id; a built-in's module is imported when it is first needed."""

    def __init__(self) -> None:
        self._theorems: dict[str, Theorem] = {}
        self._reproductions: dict[str, Reproduction] = {}
        self._builtins_loaded = False
        self._plugins_loaded = False

    # registration ---------------------------------------------------------------------------
    def register(self, theorem: Theorem) -> Theorem:
        existing = self._theorems.get(theorem.id)
        if existing is not None and existing is not theorem:
            raise ValueError(f"a theorem with id {theorem.id!r} is already registered")
        self._theorems[theorem.id] = theorem
        return theorem

    def register_reproduction(self, reproduction: Reproduction) -> Reproduction:
        if not ID_PATTERN.match(reproduction.id):
            raise ValueError(f"reproduction id {reproduction.id!r} must look like 'namespace/name'")
        if reproduction.id in self._reproductions:
            raise ValueError(f"a reproduction with id {reproduction.id!r} is already registered")
        self._reproductions[reproduction.id] = reproduction
        return reproduction

    # loading --------------------------------------------------------------------------------
    def load_builtins(self) -> None:
        """Import every module under ``theorems/<namespace>/`` (each registers its theorem)."""
        if self._builtins_loaded:
            return
        self._builtins_loaded = True
        package = importlib.import_module("theorems")
        for namespace in pkgutil.iter_modules(package.__path__):
            if not namespace.ispkg:
                continue
            sub = importlib.import_module(f"theorems.{namespace.name}")
            for module in pkgutil.iter_modules(sub.__path__):
                if not module.name.startswith("_"):
                    self._collect(importlib.import_module(f"theorems.{namespace.name}.{module.name}"))
        self.load_plugins()

    def load_plugins(self) -> None:
        """Register the theorems of installed packages (entry-point group ``ddtheory.theorems``)."""
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            loaded = entry_point.load()
            for theorem in _theorems_in(loaded):
                self.register(theorem)

    def _load_module_of(self, entry: IndexEntry) -> None:
        self._collect(importlib.import_module(entry.module))

    def listing(self) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
        """(id, title, kinds) of every theorem and (id, title) of every reproduction, importing no
        built-in module: built-ins come from the index, loaded and plug-in claims from the registry."""
        if self._builtins_loaded:
            return ([(t.id, t.title, ",".join(t.kinds())) for t in self.theorems()],
                    [(r.id, r.title) for r in self.reproductions()])
        self.load_plugins()
        index = read_index()
        theorems = {e.id: (e.id, e.title, ",".join(e.kinds)) for e in index if not e.reproduction}
        theorems.update({t.id: (t.id, t.title, ",".join(t.kinds())) for t in self._theorems.values()})
        reproductions = {e.id: (e.id, e.title) for e in index if e.reproduction}
        reproductions.update({r.id: (r.id, r.title) for r in self._reproductions.values()})
        return [theorems[k] for k in sorted(theorems)], [reproductions[k] for k in sorted(reproductions)]

    def _collect(self, module: Any) -> None:
        """Register the theorems and reproductions a module defines (so a fresh registry sees
        modules that were imported, and registered elsewhere, before it existed)."""
        for value in vars(module).values():
            if isinstance(value, Theorem):
                self.register(value)
            elif isinstance(value, Reproduction) and self._reproductions.get(value.id) is not value:
                self.register_reproduction(value)

    def load_file(self, path: str | Path) -> list[Theorem]:
        """Import a user's Python file of claims; return the theorems it registered."""
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"--load: no such file {str(path)!r}")
        before = set(self._theorems)
        import_user_file(path, f"ddtheory_user_claims_{abs(hash(path.resolve()))}", "--load")
        added = [self._theorems[i] for i in self._theorems if i not in before]
        if not added:
            raise ValueError(f"--load: {str(path)!r} registered no theorem (call theorems.register)")
        return added

    # lookup ---------------------------------------------------------------------------------
    def theorems(self) -> list[Theorem]:
        self.load_builtins()
        return [self._theorems[key] for key in sorted(self._theorems)]

    def reproductions(self) -> list[Reproduction]:
        self.load_builtins()
        return [self._reproductions[key] for key in sorted(self._reproductions)]

    def resolve(self, query: str) -> Theorem:
        """A canonical id, or a short id held by exactly one theorem; otherwise a ValueError
        naming the candidates, closest first. A built-in found in the index is imported alone."""
        if not self._builtins_loaded:
            self.load_plugins()
            known = {t.id: t for t in self._theorems.values()}
            index = [e for e in read_index() if not e.reproduction]
            ids = set(known) | {e.id for e in index}
            matches = [query] if query in ids else [i for i in ids if "/" not in query and i.split("/", 1)[1] == query]
            if len(matches) == 1:
                if matches[0] not in known:
                    self._load_module_of(next(e for e in index if e.id == matches[0]))
                if matches[0] in self._theorems:
                    return self._theorems[matches[0]]
        theorems = self.theorems()
        by_id = {theorem.id: theorem for theorem in theorems}
        if query in by_id:
            return by_id[query]
        if "/" not in query:
            matches = [t.id for t in theorems if t.short_id == query]
            if len(matches) == 1:
                return by_id[matches[0]]
            if matches:
                raise ValueError(f"ambiguous id {query!r}; candidates: {', '.join(_closest(query, matches))}")
        candidates = _closest(query, list(by_id), limit=5)
        hint = f"; closest: {', '.join(candidates)}" if candidates else ""
        raise ValueError(f"unknown theorem id {query!r}{hint} (see `verify list`)")

    def resolve_reproduction(self, query: str) -> Reproduction:
        if not self._builtins_loaded and query not in self._reproductions:
            entry = next((e for e in read_index() if e.reproduction and e.id == query), None)
            if entry is not None:
                self._load_module_of(entry)
                if query in self._reproductions:
                    return self._reproductions[query]
        reproductions = {r.id: r for r in self.reproductions()}
        if query in reproductions:
            return reproductions[query]
        candidates = _closest(query, list(reproductions), limit=5)
        hint = f"; available: {', '.join(candidates)}" if candidates else "; none are registered"
        raise ValueError(f"unknown reproduction {query!r}{hint}")


def import_user_file(path: Path, module_name: str, label: str) -> Any:
    """Import a user's Python file (claims, subjects) as ``module_name``. A file that is not Python,
    or any exception it raises while it runs (``SystemExit`` included: a user's file may not end the
    run), is a one-line ValueError starting with ``label``."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"{label}: {str(path)!r} is not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's file failed, not ddtheory
        raise ValueError(f"{label}: importing {str(path)!r} failed: {type(exc).__name__}: "
                         f"{' '.join(str(exc).split())}") from None
    return module


def _theorems_in(obj: Any) -> list[Theorem]:
    """What an entry point gave: a module (already registered on import), a Theorem, or a list."""
    if isinstance(obj, Theorem):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [item for item in obj if isinstance(item, Theorem)]
    return []


def _closest(query: str, ids: list[str], limit: int | None = None) -> list[str]:
    def score(candidate: str) -> float:
        short = candidate.split("/", 1)[-1]
        return max(
            difflib.SequenceMatcher(None, query, candidate).ratio(),
            difflib.SequenceMatcher(None, query.split("/", 1)[-1], short).ratio(),
        )

    ranked = sorted(ids, key=lambda candidate: (-score(candidate), candidate))
    return ranked[:limit] if limit else ranked


REGISTRY = Registry()


def register(theorem: Theorem) -> Theorem:
    """Add a theorem to the registry in use (built-ins, ``--load`` files and plug-ins alike)."""
    return REGISTRY.register(theorem)


def register_reproduction(reproduction: Reproduction) -> Reproduction:
    """Add a reproduction (``verify reproduce ID``) to the registry in use."""
    return REGISTRY.register_reproduction(reproduction)


def write_index() -> None:
    """Rewrite :data:`INDEX_PATH` from the modules."""
    import json

    INDEX_PATH.write_text(json.dumps(build_index(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {INDEX_PATH}")


if __name__ == "__main__":
    from theorems.registry import write_index as _write  # the package's module, not this __main__ copy

    _write()
