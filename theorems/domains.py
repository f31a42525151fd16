"""The domain a property is claimed on: a hypothesis strategy plus the examples always tried first.

Random draws alone miss narrow failures: a claim that is false on 7 % of an interval survives 25
uniform draws about one time in six. A :class:`Domain` therefore carries a *grid* that
:func:`theorems.searching.search` runs before any random draw, on every run and every seed:

* the boundary values (a claim that fails only at an endpoint is caught there);
* a coarse grid of the interior whose spacing is at most ``1/(points − 1)`` of the range
  (``points = 17``: a failure region wider than 6.25 % of an interval always contains a grid point).

Domains combine: :func:`tuples` takes the per-coordinate grids and tries every combination of
boundary values, each coordinate's grid with the others at their midpoints, and, for two
coordinates, the full product of every other grid point (spacing 1/8 of each range: a box wider
than 12.5 % of the range on both axes always contains one).

Then :func:`theorems.searching.search` draws uniformly from the domain (:attr:`Domain.sample`, seeded
by the check's context): hypothesis's own draws favour boundaries and simple values, and a narrow
window away from the grid is found by uniform draws with the probability one expects
(1 − (1 − area)^examples), then hypothesis searches on.

>>> from theorems.domains import interval, integers, tuples
>>> domain = tuples(interval(0.0, 1.0), integers(1, 5))
"""

from __future__ import annotations

import inspect
import itertools
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

GRID_POINTS = 17
"""Grid points per interval (boundary included): spacing 1/16 of the range."""

MAX_CORNERS = 64
"""At most this many boundary combinations are tried for a product domain."""


@dataclass(frozen=True)
class Domain:
    """A strategy and the examples tried before it (``grid``), with a one-line description.

    ``strategy`` may be ``None``: the domain is then searched on its grid and uniform draws only
    (for examples such as simulated data sets, where shrinking would only re-simulate)."""

    strategy: st.SearchStrategy | None
    grid: tuple = ()
    description: str = ""
    midpoint: Any = None
    sample: Callable[[np.random.Generator], Any] | None = None

    def map(self, fn: Callable[[Any], Any], description: str = "") -> "Domain":
        """The image of this domain under ``fn`` (its grid and uniform sampler mapped too)."""
        midpoint = None if self.midpoint is None else fn(self.midpoint)
        sample = None if self.sample is None else (lambda rng: fn(self.sample(rng)))
        strategy = None if self.strategy is None else self.strategy.map(fn)
        return Domain(strategy, tuple(fn(x) for x in self.grid),
                      description or self.description, midpoint, sample)


def interval(lo: float, hi: float, *, points: int = GRID_POINTS, log: bool = False) -> Domain:
    """Floats in the closed interval [lo, hi]; ``log`` spaces the grid (and draws) geometrically."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"interval needs finite lo ≤ hi, got [{lo}, {hi}]")
    if points < 2:
        raise ValueError(f"interval grid needs at least 2 points, got {points}")
    if log:
        if lo <= 0:
            raise ValueError(f"a log-spaced interval needs lo > 0, got {lo}")
        grid = np.geomspace(lo, hi, points)
        exponent = st.floats(math.log(lo), math.log(hi))
        strategy = st.one_of(exponent.map(lambda e: min(max(math.exp(e), lo), hi)), st.sampled_from([lo, hi]))
        midpoint = math.sqrt(lo * hi)
        def sample(rng):
            return float(min(max(math.exp(rng.uniform(math.log(lo), math.log(hi))), lo), hi))
    else:
        grid = np.linspace(lo, hi, points)
        strategy = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
        midpoint = (lo + hi) / 2
        def sample(rng):
            return float(rng.uniform(lo, hi))
    if points % 2:
        grid[points // 2] = midpoint  # exactly the midpoint product grids centre on (not an ulp off)
    ordered = _boundary_first([float(x) for x in grid])
    return Domain(strategy, tuple(ordered), f"[{lo:g}, {hi:g}]" + (" (log)" if log else ""), midpoint, sample)


def integers(lo: int, hi: int, *, points: int = GRID_POINTS) -> Domain:
    """Integers lo ≤ i ≤ hi; the grid holds both ends and at most ``points`` evenly spaced values."""
    if lo > hi:
        raise ValueError(f"integers needs lo ≤ hi, got [{lo}, {hi}]")
    grid = sorted({int(round(x)) for x in np.linspace(lo, hi, min(points, hi - lo + 1))})
    return Domain(st.integers(lo, hi), tuple(_boundary_first(grid)), f"{{{lo}, …, {hi}}}", (lo + hi) // 2,
                  lambda rng: int(rng.integers(lo, hi, endpoint=True)))


def sampled(values: list) -> Domain:
    """A finite set of values, every one of them in the grid."""
    values = list(values)
    if not values:
        raise ValueError("sampled needs at least one value")
    return Domain(st.sampled_from(values), tuple(values), f"one of {len(values)} values", values[0],
                  lambda rng: values[int(rng.integers(len(values)))])


def drawn(strategy: st.SearchStrategy, *, grid: tuple = (), description: str = "") -> Domain:
    """A domain given by a strategy, with optional hand-picked examples tried first."""
    return Domain(strategy, tuple(grid), description, grid[0] if grid else None)  # no uniform sampler


def tuples(*domains: Domain) -> Domain:
    """The product domain; draws are tuples, the grid covers corners and each axis's grid."""
    if not domains:
        raise ValueError("tuples needs at least one domain")
    strategies = [d.strategy for d in domains]
    strategy = None if any(s is None for s in strategies) else st.tuples(*strategies)
    if any(d.midpoint is None or not d.grid for d in domains):
        # without a midpoint on every axis only the combinations of the given grids are sound
        grid = list(itertools.islice(itertools.product(*(d.grid for d in domains)), MAX_CORNERS))
        return Domain(strategy, tuple(grid), " × ".join(d.description for d in domains))
    ends = [d.grid[:2] for d in domains]
    grid: list[tuple] = _spread(list(itertools.product(*ends)), MAX_CORNERS)
    middle = tuple(d.midpoint for d in domains)
    for axis, d in enumerate(domains):
        for value in d.grid:
            grid.append(middle[:axis] + (value,) + middle[axis + 1:])
    if len(domains) <= PRODUCT_AXES:
        grid += itertools.product(*(_every_other(d.grid) for d in domains))
    samplers = [d.sample for d in domains]
    sample = None if any(f is None for f in samplers) else (lambda rng: tuple(f(rng) for f in samplers))
    return Domain(strategy, tuple(_unique(grid)), " × ".join(d.description for d in domains), middle, sample)


PRODUCT_AXES = 2
"""Product domains of at most this many axes also try the product of every other grid point."""


def parametric(strategy: st.SearchStrategy | None, parameters: Domain,
               build: Callable[[Any, np.random.Generator], Any], *, description: str = "") -> Domain:
    """A domain of structured examples (matrices, data sets) described by a few parameters.

    ``parameters`` is a domain of parameter tuples (sizes, condition number, scale, λ, …), usually
    a :func:`tuples` of :func:`interval` and :func:`integers`; ``build(params, rng)`` makes one
    example from a parameter tuple, drawing its free entries from ``rng``. The grid is one example
    per grid point of ``parameters`` (so the boundary values of every parameter and a coarse grid
    of them are always tried), its entries drawn from a generator seeded by the point's position:
    the same examples on every run and every seed. Uniform draws take parameters and entries from
    the check's generator. ``strategy`` (usually the composite strategy that makes the same
    examples from hypothesis's draws) is what hypothesis searches and shrinks afterwards; ``None``
    when shrinking an example would only rebuild it (the domain is then grid and uniform draws).
    """
    if not parameters.grid or parameters.sample is None:
        raise ValueError("parametric needs a parameter domain with a grid and a uniform sampler")
    grid = tuple(build(point, np.random.default_rng(index)) for index, point in enumerate(parameters.grid))
    midpoint = build(parameters.midpoint, np.random.default_rng(len(grid))) if parameters.midpoint is not None else grid[0]
    return Domain(strategy, grid, description or f"built from {parameters.description}", midpoint,
                  lambda rng: build(parameters.sample(rng), rng))


def _spread(values: list, most: int) -> list:
    """At most ``most`` of ``values`` (all of them when they fit), chosen by a fixed permutation
    (the same on every run), so that a product of many axes keeps corners with both ends of every
    axis instead of the first ``most`` in product order (where the first axes never move)."""
    if len(values) <= most:
        return values
    chosen = np.random.default_rng(0).permutation(len(values))[:most]
    return [values[i] for i in sorted(chosen)]


def _every_other(grid: tuple) -> list:
    """Every other value of a grid in sorted order (ends kept): 9 of 17 points of an interval."""
    try:
        ordered = sorted(grid)
    except TypeError:
        return list(grid)
    return ordered[::2] if ordered[::2][-1] == ordered[-1] else ordered[::2] + [ordered[-1]]


def from_strategy(strategy: st.SearchStrategy) -> Domain | None:
    """The :class:`Domain` of a bare hypothesis strategy built only from ``st.floats`` and
    ``st.integers`` with finite bounds, ``st.sampled_from`` and ``st.tuples`` of those (no
    ``map``/``filter``), so that a claim written with plain strategies gets the same boundary
    values, grid and uniform draws; ``None`` for anything else (it is searched as given)."""
    if type(strategy).__name__ == "SampledFromStrategy" and not getattr(strategy, "_transformations", ()):
        values = list(getattr(strategy, "elements", ()))
        if not values:
            return None
        domain = sampled(values)
        return Domain(strategy, domain.grid, domain.description, domain.midpoint, domain.sample)
    function = getattr(strategy, "function", None)
    if function is None or getattr(strategy, "_transformations", ()):
        return None
    try:
        bound = inspect.signature(function).bind(*strategy._LazyStrategy__args, **strategy._LazyStrategy__kwargs)
    except (AttributeError, TypeError):
        return None
    arguments = bound.arguments
    name = function.__name__
    if name == "floats":
        lo, hi = arguments.get("min_value"), arguments.get("max_value")
        if lo is None or hi is None or arguments.get("exclude_min") or arguments.get("exclude_max"):
            return None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return None
        domain = interval(lo, hi)
        return Domain(strategy, domain.grid, domain.description, domain.midpoint, domain.sample)
    if name == "integers":
        lo, hi = arguments.get("min_value"), arguments.get("max_value")
        if lo is None or hi is None:
            return None
        domain = integers(lo, hi)
        return Domain(strategy, domain.grid, domain.description, domain.midpoint, domain.sample)
    if name == "sampled_from":
        values = arguments.get("elements")
        if not isinstance(values, (list, tuple, range)) or not values:
            return None
        domain = sampled(list(values))
        return Domain(strategy, domain.grid, domain.description, domain.midpoint, domain.sample)
    if name == "tuples":
        parts = [from_strategy(part) for part in arguments.get("args", ())]
        if not parts or any(part is None for part in parts):
            return None
        domain = tuples(*parts)
        return Domain(strategy, domain.grid, domain.description, domain.midpoint, domain.sample)
    return None


def _boundary_first(values: list) -> list:
    """The two ends first, then the interior in order (duplicates dropped)."""
    if len(values) <= 2:
        return _unique(values)
    return _unique([values[0], values[-1], *values[1:-1]])


def _unique(values: list) -> list:
    seen, out = set(), []
    for value in values:
        key = repr(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out
