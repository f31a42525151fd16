"""The mutation report: per file, counts and score; the survivors listed for triage.

The score is (killed + timeout) / (killed + timeout + survived): the share of mutants the oracle
ran that it told apart from the original. Unreachable mutants are counted but left out of the
score: no theorem runs their line, which is a coverage gap, not a weak check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from empirical.mutation.oracle import MutantResult

STATUSES = ("killed", "survived", "timeout", "unreachable")


@dataclass
class FileReport:
    """One target file's results, with the settings they were obtained under."""

    path: str
    generated: int
    results: list[MutantResult] = field(default_factory=list)
    baseline_seconds: float = 0.0
    wall_seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {status: sum(r.status == status for r in self.results) for status in STATUSES}

    def score(self) -> float | None:
        counts = self.counts()
        judged = counts["killed"] + counts["timeout"] + counts["survived"]
        return (counts["killed"] + counts["timeout"]) / judged if judged else None

    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if r.status == "survived"]

    def as_json(self) -> dict:
        run = [r for r in self.results if r.status != "unreachable" and not r.cached]
        return {
            "path": self.path,
            "generated": self.generated,
            "sampled": len(self.results),
            "counts": self.counts(),
            "score": self.score(),
            "baseline_seconds": self.baseline_seconds,
            "wall_seconds": self.wall_seconds,
            "seconds_per_mutant_run": sum(r.seconds for r in run) / len(run) if run else None,
            "survivors": [r.as_json() for r in self.survivors()],
            "mutants": [r.as_json() for r in self.results],
        }


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def text(reports: list[FileReport]) -> str:
    """The readable report: one summary row per file, then each file's survivors."""
    rows = []
    for report in reports:
        counts, score = report.counts(), report.score()
        rows.append([report.path, f"{len(report.results)}/{report.generated}", *(str(counts[s]) for s in STATUSES),
                     "—" if score is None else f"{score:.0%}", f"{report.wall_seconds:.0f}"])
    parts = [_table(rows, ["file", "sampled", *STATUSES, "score", "seconds"])]
    for report in reports:
        mean = report.as_json()["seconds_per_mutant_run"]
        if mean is not None:
            parts.append(f"{report.path}: unmutated run {report.baseline_seconds:.1f} s, "
                         f"{mean:.1f} s per mutant run (uncached)")
    for report in reports:
        survivors = report.survivors()
        if survivors:
            parts.append(f"\nsurvivors in {report.path} (triage each: equivalent / unreachable / missed bug):")
            parts.extend(f"  line {r.line:<5} {r.operator}\n      {r.original}\n    → {r.mutated}\n"
                         f"      theorems: {', '.join(r.theorems)}" for r in survivors)
    return "\n".join(parts)
