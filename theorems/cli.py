"""The ``verify`` command.

    verify list                          one line per theorem
    verify ID [ID ...] | all [options]   run the checks, print a table per theorem
    verify ID --explain                  statement, assumptions, what each check does
    verify reproduce ID                  print a reproduced table from a paper
    verify plan --gap G --configs M      images per class for a target gap (Luo & Xu laws)

Exit status: 0 when nothing was falsified or crashed, 1 when a check was falsified or errored,
2 for bad usage or bad input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from theorems.context import CheckContext
from theorems.outcome import Verdict
from theorems.profiles import DEFAULT_PROFILE, PROFILE_EXAMPLES
from theorems.registry import REGISTRY, Theorem
from theorems.report import as_document, check_line, dumps, format_table, theorem_table
from theorems.runner import run_theorem

EXIT_FAILED = 1
EXIT_USAGE = 2


class _DefaultToRun(click.Group):
    """A group whose unnamed invocation (``verify ID ...``) means ``verify run ID ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _load_files(paths: tuple[str, ...]) -> None:
    for path in paths:
        try:
            REGISTRY.load_file(path)
        except ValueError:
            raise
        except Exception as exc:  # a user's file that fails to import is bad input, not our crash
            raise ValueError(f"--load: importing {path!r} failed: {type(exc).__name__}: {exc}") from exc


_load_option = click.option(
    "--load", "load", multiple=True, metavar="PATH.py", help="Import a Python file of claims before running."
)


@click.group(cls=_DefaultToRun, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Check theorems of dataset distillation: symbolic core, construction, property search,
    assumption-drop counterexamples and real-data checks."""


@cli.command("list")
@_load_option
def list_command(load: tuple[str, ...]) -> None:
    """One line per registered theorem: id, title, kinds of check."""
    _load_files(load)
    rows = [[t.id, t.title, ",".join(t.kinds())] for t in REGISTRY.theorems()]
    click.echo(format_table(rows, ["id", "title", "checks"]))
    reproductions = REGISTRY.reproductions()
    if reproductions:
        click.echo("\nreproductions (verify reproduce ID):")
        click.echo(format_table([[r.id, r.title] for r in reproductions], ["id", "title"]))


def _resolve(ids: tuple[str, ...]) -> list[Theorem]:
    if not ids:
        raise click.UsageError("name at least one theorem id, or 'all' (see `verify list`)")
    chosen: dict[str, Theorem] = {}
    for query in ids:
        found = REGISTRY.theorems() if query == "all" else [REGISTRY.resolve(query)]
        for theorem in found:
            chosen.setdefault(theorem.id, theorem)
    return list(chosen.values())


def explain(theorem: Theorem) -> str:
    import sympy

    statement = theorem.statement()
    parts = statement if isinstance(statement, (list, tuple)) else [statement]
    lines = [f"{theorem.id} — {theorem.title}", f"source: {theorem.source}", "", theorem.claim, "", "statement:"]
    for part in parts:
        text = sympy.pretty(part, use_unicode=True) if isinstance(part, sympy.Basic) else str(part)
        lines.extend("    " + row for row in text.splitlines())
    if theorem.assumptions:
        lines += ["", "assumptions:"] + [f"  - {a.name}: {a.text}" for a in theorem.assumptions]
    if theorem.conventions:
        lines += ["", f"conventions: {theorem.conventions}"]
    lines += ["", "checks:"]
    for check in theorem.checks:
        needs = f" (needs {', '.join(r.name for r in check.needs)})" if check.needs else ""
        lines.append(f"  - {check.name} [{check.kind}]{needs}:")
        lines.extend("      " + row for row in check.description.splitlines())
    return "\n".join(lines)


@cli.command("run")
@click.argument("ids", nargs=-1)
@click.option("--profile", type=click.Choice(list(PROFILE_EXAMPLES)), default=DEFAULT_PROFILE, show_default=True,
              help="Hypothesis effort, the same profiles as pytest's --hypothesis-profile.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Fixes every random choice; the same seed gives the same JSON apart from timings.")
@click.option("--json", "json_path", metavar="PATH", help="Write results as JSON to PATH ('-' for stdout).")
@click.option("--explain", is_flag=True, help="Print statement, assumptions and checks instead of running.")
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory where checks that draw figures write them.")
@click.option("--rerun", is_flag=True, help="Empirical theorems: retrain instead of refitting stored runs.")
@click.option("--preset", help="Empirical theorems: the run preset used with --rerun (e.g. smoke, cpu, gpu).")
@_load_option
def run_command(ids, profile, seed, json_path, explain, plot_dir, rerun, preset, load) -> None:
    """Run the checks of the named theorems ('all' for every one)."""
    _load_files(load)
    theorems = _resolve(ids)
    if explain:
        click.echo("\n\n".join(globals()["explain"](t) for t in theorems))
        return
    if preset is not None:
        from empirical.presets import preset as known_preset

        known_preset(preset)  # an unknown name is bad input (exit 2), before anything runs
    options = {"rerun": rerun, "preset": preset}
    ctx = CheckContext(profile=profile, seed=seed, plot_dir=plot_dir, options=options)
    to_stdout = json_path == "-"
    echo = (lambda text: click.echo(text, err=True)) if to_stdout else click.echo
    results = []
    for theorem in theorems:
        result = run_theorem(theorem, ctx, progress=lambda r: click.echo(check_line(r), err=True))
        echo(theorem_table(result) + "\n")
        results.append(result)
    verdicts = [r.verdict for r in results]
    counts = {v: verdicts.count(v) for v in Verdict if v in verdicts}
    echo(f"{len(results)} theorem(s): " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    if json_path:
        text = dumps(as_document(results, profile, seed))
        if to_stdout:
            click.echo(text, nl=False)
        else:
            Path(json_path).write_text(text)
    if any(v.is_failure for v in verdicts):
        raise SystemExit(EXIT_FAILED)


@cli.command("reproduce")
@click.argument("reproduction_id")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--profile", type=click.Choice(list(PROFILE_EXAMPLES)), default=DEFAULT_PROFILE, show_default=True)
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for figures the reproduction draws.")
@_load_option
def reproduce_command(reproduction_id, seed, profile, plot_dir, load) -> None:
    """Print a reproduced table from a paper (see `verify list` for the ids)."""
    _load_files(load)
    reproduction = REGISTRY.resolve_reproduction(reproduction_id)
    for requirement in reproduction.needs:
        reason = requirement.missing()
        if reason:
            raise ValueError(f"{reproduction.id} cannot run: {reason}")
    ctx = CheckContext(profile=profile, seed=seed, plot_dir=plot_dir, check_id=reproduction.id)
    click.echo(reproduction.fn(ctx))


@cli.command("plan")
@click.option("--gap", type=float, required=True, help="Target gap Δ between full-data and distilled accuracy (a fraction).")
@click.option("--configs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of training configurations the distilled set must serve.")
@click.option("--method", default=None, help="dm, gm or mtt (default: every method with committed runs).")
def plan_command(gap, configs, method) -> None:
    """Images per class needed for a target gap, from the laws fitted to the committed runs."""
    from empirical.gaps import committed_rows
    from empirical.planner import plan

    click.echo(plan(gap, configs, committed_rows(), method=method))


def main(argv: list[str] | None = None) -> int:
    """Entry point: one-line errors with exit 2 for usage and bad input."""
    try:
        result = cli.main(args=argv, prog_name="verify", standalone_mode=False)
    except click.UsageError as exc:
        click.echo(f"verify: error: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except ValueError as exc:
        click.echo(f"verify: error: {' '.join(str(exc).split())}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("verify: aborted", err=True)
        return 130
    except SystemExit as exc:
        return int(exc.code or 0)
    return int(result or 0) if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
