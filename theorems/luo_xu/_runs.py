"""Shared by the luo-xu laws: where the runs come from and how a verdict becomes an Outcome."""

from __future__ import annotations

from theorems.context import CheckContext
from theorems.domains import Domain, parametric
from theorems.outcome import Outcome, Verdict

# A law is judged on data, so its verdict is `supported` or `not-supported`; a decisive
# contradiction ("falsified" in empirical.laws) is reported as not-supported with that reason first.
VERDICTS = {"supported": Verdict.SUPPORTED, "not-supported": Verdict.NOT_SUPPORTED, "falsified": Verdict.NOT_SUPPORTED}
EXPONENT_PRESETS = ("gpu", "gpu-h200", "convex", "convex-lite")  # k large enough to pin α (k up to 256 or 512)


def load_runs(ctx: CheckContext) -> list[dict]:
    """The committed runs (``empirical/runs/*.jsonl``); with ``--runs FILE`` the user's runs (see
    :mod:`empirical.user_runs`); with ``--rerun`` the rows of a fresh sweep of ``--preset``
    (default smoke) into ``$DDTHEORY_CACHE/runs-<preset>.sqlite``."""
    if ctx.options.get("runs"):
        from empirical.user_runs import read_runs

        return read_runs(ctx.options["runs"])
    if not ctx.options.get("rerun"):
        from empirical.gaps import committed_rows

        return committed_rows()
    from empirical.presets import preset
    from empirical.store import RunStore
    from empirical.trials import rerun_store

    chosen = preset(ctx.options.get("preset") or "smoke")
    store = rerun_store(chosen.name)
    chosen.run(store)
    with RunStore(store) as opened:
        return list(opened.rows())


def missing_trials(rows: list[dict], coverage: bool) -> Outcome | None:
    """``skipped`` when the runs hold no distilled-set trials of the kind a law needs (a user's
    file of scaling runs has nothing to say about the coverage law, and conversely)."""
    if any(row["spec"]["method"] != "full" and bool(row["spec"].get("options", {}).get("coverage")) == coverage
           for row in rows):
        return None
    kind = "coverage trials (rows with the subset and draw columns)" if coverage else "scaling trials"
    return Outcome.skipped(f"the runs hold no {kind}")


def scope_note(preset: str, rows: list[dict], form: str = "the 1/√k form") -> str:
    """What the runs can and cannot show."""
    notes = {row.get("preset_note", "") for row in rows if row["spec"]["preset"] == preset} - {""}
    reduced = f" [{'; '.join(sorted(notes))}]" if notes else ""
    if preset in EXPONENT_PRESETS:
        return f"preset {preset}{reduced}"
    return (f"preset {preset}{reduced}: a consistency check of {form} on small k, "
            f"not a test of the exponent")


def verdict_words(verdict: str) -> str:
    """How a verdict of :mod:`empirical.laws` reads in a note."""
    return {"falsified": "contradicted (an alternative form wins decisively)"}.get(verdict, verdict)


def law_outcome(verdict: str, reasons: dict, preset: str, rows: list[dict], figures: dict,
                form: str = "the 1/√k form", also: str = "") -> Outcome:
    """The law's Outcome, its note naming the runs' scope and, per group, the reasons that decided it.
    A design registered as exploratory or smoke can contradict a law but never support it."""
    from empirical.registrations import can_support, role

    if verdict == "supported" and not can_support(preset):
        verdict = "not-supported"
        reasons = {**reasons, "design": [f"{preset} is registered {role(preset)}: it cannot support a law"]}
    decided = "; ".join(f"{group}: {', '.join(why)}" for group, why in reasons.items())
    note = f"{scope_note(preset, rows, form)}. {verdict_words(verdict)}: {decided}{also}"
    return outcome(verdict, note, reasons, **figures)


def other_presets_note(others: list[str], kind: str) -> str:
    """The sentence that ends a law's note: the other presets reported beside the verdict, each
    with its registered role (exploratory and smoke designs never decide)."""
    from empirical.registrations import role

    if not others:
        return "."
    named = ", ".join(f"{name} ({role(name) or 'unregistered'})" for name in others)
    return f". Other {kind} runs, reported beside the verdict, not deciding it: {named} (figures 'other preset ...')."


def outcome(verdict: str, note: str, counterexample=None, **figures) -> Outcome:
    return Outcome(VERDICTS[verdict], figures, counterexample if verdict == "falsified" else None, note)


def simulated(parameters: Domain, description: str, forms: tuple = ()) -> Domain:
    """Simulated data sets described by a law's parameters: each example is the parameter tuple,
    then (given ``forms``) one of the forms, then the seed its data are simulated from. The seed is
    drawn from the generator :func:`theorems.domains.parametric` hands the build: a fixed one per
    grid point (the same examples on every run), the check's for uniform draws. The grid takes the
    forms in turn (every form meets corners and interior points); a uniform draw draws one.

    The domain has no hypothesis strategy: an example costs tens of milliseconds to simulate and
    fit, and shrinking a failing one would only re-simulate data, so it is reported as drawn, with
    its seed. A form is not an axis of the grid, which would multiply the grid's corners by the
    number of forms for a choice that has no ends."""
    seeded = parametric(None, parameters, lambda point, rng: (*point, int(rng.integers(2**32))),
                        description=f"{description}, simulated from {parameters.description}")
    if not forms:
        return seeded

    def with_form(example: tuple, form) -> tuple:
        return (*example[:-1], form, example[-1])

    grid = tuple(with_form(example, forms[index % len(forms)]) for index, example in enumerate(seeded.grid))
    return Domain(None, grid, f"{seeded.description}, one of {', '.join(map(str, forms))}",
                  with_form(seeded.midpoint, forms[0]),
                  lambda rng: with_form(seeded.sample(rng), forms[int(rng.integers(len(forms)))]))


# A correct verdict procedure is allowed a small rate of wrong verdicts on noisy data (its tests run
# at registered levels), so a property over simulated data sets bounds the *rate*: at most
# ALLOWED_MISS_RATE of the draws may miss, the count judged by a one-sided binomial bound at 10⁻³
# (theorems.searching.tally with allowed=allowed_misses).
ALLOWED_MISS_RATE = 0.05


def allowed_misses(draws: int) -> int:
    """The largest miss count compatible with a miss rate ≤ ALLOWED_MISS_RATE (binomial, 99.9%)."""
    from scipy import stats

    return int(stats.binom.ppf(0.999, draws, ALLOWED_MISS_RATE))
