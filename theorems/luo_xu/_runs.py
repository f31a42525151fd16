"""Shared by the luo-xu laws: where the runs come from and how a verdict becomes an Outcome."""

from __future__ import annotations

from theorems.context import CheckContext
from theorems.outcome import Outcome, Verdict

# A law is judged on data, so its verdict is `supported` or `not-supported`; a decisive
# contradiction ("falsified" in empirical.laws) is reported as not-supported with that reason first.
VERDICTS = {"supported": Verdict.SUPPORTED, "not-supported": Verdict.NOT_SUPPORTED, "falsified": Verdict.NOT_SUPPORTED}
EXPONENT_PRESETS = ("gpu", "gpu-h200")  # presets with k large enough to pin α (k up to 256)


def load_runs(ctx: CheckContext) -> list[dict]:
    """The committed runs (``empirical/runs/*.jsonl``); with ``--rerun`` the rows of a fresh sweep
    of ``--preset`` (default smoke) into ``$DDTHEORY_CACHE/runs-<preset>.sqlite``."""
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
    """The law's Outcome, its note naming the runs' scope and, per group, the reasons that decided it."""
    decided = "; ".join(f"{group}: {', '.join(why)}" for group, why in reasons.items())
    note = f"{scope_note(preset, rows, form)}. {verdict_words(verdict)}: {decided}{also}"
    return outcome(verdict, note, reasons, **figures)


def other_presets_note(others: list[str], kind: str) -> str:
    """The sentence that ends a law's note: which less preferred presets are reported beside the verdict."""
    return f". Other {kind} runs: {', '.join(others)} (figures 'other preset ...')." if others else "."


def outcome(verdict: str, note: str, counterexample=None, **figures) -> Outcome:
    return Outcome(VERDICTS[verdict], figures, counterexample if verdict == "falsified" else None, note)


def monte_carlo(ctx: CheckContext, draw, prop, *, fraction: float, label: str):
    """Run ``prop`` on ``ctx.scaled(fraction)`` parameter sets drawn by ``draw(rng)`` from
    ``ctx.rng(label)``; stop at the first :class:`~theorems.search.Violation`.

    Used instead of a hypothesis search for properties of statistical procedures: each example is
    a simulated data set costing tens of milliseconds, and shrinking a failing one would only
    re-simulate data, so the first failing draw is reported as drawn (with its seed)."""
    from theorems.search import SearchResult, Violation

    rng = ctx.rng(label)
    result = SearchResult()
    for _ in range(ctx.scaled(fraction)):
        example = draw(rng)
        result.tried += 1
        try:
            figures = prop(example)
        except Violation as violation:
            result.counterexample, result.violation = example, violation
            return result
        for key, value in (figures or {}).items():
            result.worst[key] = max(float(value), result.worst.get(key, float(value)))
    return result
