"""The ``verify`` command.

    verify list                          one line per theorem
    verify ID [ID ...] | all [options]   run the checks, print a table per theorem
    verify ID --explain                  statement, assumptions, what each check does
    verify reproduce ID                  print a reproduced table from a paper
    verify plan --gap G --configs M      images per class for a target gap (Luo & Xu laws)

Exit status: 0 when nothing was falsified or crashed, 1 when a check was falsified or errored,
2 for bad usage or bad input (one line on stderr, never a traceback).

Everything a run will need is checked before the first check starts (one ``_check_*`` function
per option): output paths can be written (``--json``, ``--plot``, the run store and caches of
``--rerun``), options apply to the theorems named, and the data files the chosen checks read parse.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from theorems.context import CheckContext
from theorems.outcome import Verdict
from theorems.profiles import DEFAULT_PROFILE, PROFILE_EXAMPLES
from theorems.registry import REGISTRY, Reproduction, Theorem
from theorems.report import as_document, check_line, dumps, format_table, theorem_table
from theorems.runner import run_theorem
from theorems.subjects import describe as describe_subjects
from theorems.subjects import parse_subject_options, validate_subjects

EXIT_FAILED = 1
EXIT_USAGE = 2


# Built-in theorems that honour the run options which only some checks use. A claim loaded with
# --load is not listed here and may use them all (its checks read ctx.plot_dir / ctx.options).
DRAWS_FIGURES = ("luo-xu/coverage-law", "luo-xu/scaling-law")
RETRAINS = ("luo-xu/coverage-law", "luo-xu/scaling-law", "luo-xu/surrogates")


class _DefaultToRun(click.Group):
    """A group whose unnamed invocation (``verify ID ...``) means ``verify run ID ...``; its help
    lists the run options too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EOFError as exc:  # click would report it as a user abort (exit 130)
            raise _Crash(f"unexpected end of a file or stream (EOFError: {exc})") from exc

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        run = self.commands["run"]
        sub = click.Context(run, info_name="run", parent=ctx)
        records = [param.get_help_record(sub) for param in run.get_params(sub) if param.name != "help"]
        with formatter.section("Run options (verify ID ... [OPTIONS], the same as verify run ID ... [OPTIONS])"):
            formatter.write_dl([record for record in records if record])
        super().format_epilog(ctx, formatter)


class _Crash(Exception):
    """A failure of ``verify`` itself outside any check: one line, exit 1."""


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
    assumption-drop counterexamples and real-data checks.

    Run checks with `verify ID [ID ...] [OPTIONS]` (or `all`; the same as `verify run ...`).
    Exit status 0: nothing falsified; 1: a check was falsified or crashed; 2: bad usage or input.
    """


@cli.command("list")
@_load_option
def list_command(load: tuple[str, ...]) -> None:
    """One line per registered theorem: id, title, kinds of check."""
    _load_files(load)
    theorems, reproductions = REGISTRY.listing()
    click.echo(format_table([list(row) for row in theorems], ["id", "title", "checks"]))
    if reproductions:
        click.echo("\nreproductions (verify reproduce ID):")
        click.echo(format_table([list(row) for row in reproductions], ["id", "title"]))


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
        subjects = describe_subjects(check)
        if subjects:
            lines.append("      subjects (replace with --subject NAME=module:function):")
            lines.extend("        " + row for row in subjects)
    return "\n".join(lines)


def _is_builtin(theorem: Theorem) -> bool:
    return all(check.fn.__module__.startswith("theorems.") for check in theorem.checks)


def _given(ctx: click.Context, name: str) -> bool:
    """Whether option ``name`` was on the command line (not just its default)."""
    return ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE


def _check_explain(ctx: click.Context) -> None:
    """--explain runs nothing, so no run option applies."""
    given = [f"--{name.replace('_dir', '').replace('_path', '').replace('_options', '')}" for name in
             ("profile", "seed", "json_path", "plot_dir", "rerun", "preset", "subject_options") if _given(ctx, name)]
    if given:
        raise click.UsageError(f"{given[0]} does not apply to --explain (it prints and runs nothing)")


def _check_subjects(subject_options: tuple[str, ...], theorems: list[Theorem]) -> dict:
    """--subject NAME=module:function: loaded and checked against every named theorem's checks
    (signature and return type) before anything runs."""
    if not subject_options:
        return {}
    subjects = parse_subject_options(subject_options)
    for theorem in theorems:
        validate_subjects(theorem, subjects)
    return subjects


def _check_json_path(json_path: str | None) -> None:
    """--json PATH: a file in an existing writable folder (tried now, not after the run)."""
    if json_path and json_path != "-":
        from empirical.files import writable_file

        writable_file(json_path, "--json")


def _check_plot_dir(plot_dir: Path | None, theorems: list[Theorem]) -> None:
    """--plot DIR: some chosen theorem draws figures, and DIR can be created and written."""
    if plot_dir is None:
        return
    if not any(t.id in DRAWS_FIGURES or not _is_builtin(t) for t in theorems):
        raise click.UsageError(f"--plot does not apply to {', '.join(t.id for t in theorems)}; "
                               f"theorems that draw figures: {', '.join(DRAWS_FIGURES)}")
    from empirical.files import writable_directory

    writable_directory(plot_dir, "--plot")


def _check_rerun(rerun: bool, preset: str | None, theorems: list[Theorem]) -> None:
    """--rerun: some chosen theorem retrains, the preset is known, the data and the cache folder
    (where the run store and the caches go) are usable; --preset only with --rerun."""
    if preset is not None and not rerun:
        raise click.UsageError("--preset applies only with --rerun (without it the committed runs are refitted)")
    if not rerun:
        return
    if not any(t.id in RETRAINS or not _is_builtin(t) for t in theorems):
        raise click.UsageError(f"--rerun does not apply to {', '.join(t.id for t in theorems)}; "
                               f"theorems that retrain: {', '.join(RETRAINS)}")
    from empirical import datasets
    from empirical.presets import preset as known_preset
    from empirical.store import RunStore
    from empirical.trials import rerun_store

    chosen = known_preset(preset or "smoke")
    reason = datasets.missing_reason("fashion-mnist")
    if reason:
        raise ValueError(f"--rerun trains on Fashion-MNIST: {reason}")
    datasets.check_readable("fashion-mnist")
    with RunStore(rerun_store(chosen.name)):  # the cache folder is writable, the store opens
        pass


def _check_runs(runs_path: str | None, rerun: bool, theorems: list[Theorem]) -> None:
    """--runs FILE: a law that is fitted to runs is chosen, no --rerun, and the file parses."""
    if runs_path is None:
        return
    if rerun:
        raise click.UsageError("--runs and --rerun exclude each other (fit your runs, or retrain a preset)")
    if not any(t.id in RETRAINS or not _is_builtin(t) for t in theorems):
        raise click.UsageError(f"--runs does not apply to {', '.join(t.id for t in theorems)}; "
                               f"laws fitted to runs: {', '.join(RETRAINS)}")
    from empirical.user_runs import read_runs

    read_runs(runs_path)


def _check_data_files(theorems: list[Theorem]) -> None:
    """Every installed dataset a chosen check reads parses (a missing one only skips its checks)."""
    names = {need.name.split(":", 1)[1] for t in theorems for c in t.checks for need in c.needs
             if need.name.startswith("data:") and need.missing() is None}
    if names:
        from empirical import datasets

        for name in sorted(names):
            datasets.check_readable(name)


def _check_reproduce_profile(ctx: click.Context, reproduction: Reproduction) -> None:
    """--profile: the built-in reproductions run no hypothesis search, so it does not apply to them."""
    if _given(ctx, "profile") and reproduction.fn.__module__.startswith("theorems."):
        raise click.UsageError(f"--profile does not apply to {reproduction.id} (it runs no hypothesis search)")


def _write_json(json_path: str, text: str) -> None:
    from empirical.files import write_text_atomic

    try:
        write_text_atomic(json_path, text)
    except OSError as exc:
        raise ValueError(f"--json {json_path!r}: writing failed ({exc.strerror or exc})") from None


@cli.command("run")
@click.argument("ids", nargs=-1)
@click.option("--profile", type=click.Choice(list(PROFILE_EXAMPLES)), default=DEFAULT_PROFILE, show_default=True,
              help="Hypothesis effort, the same profiles as pytest's --hypothesis-profile.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Fixes every random choice; the same seed gives the same JSON apart from timings.")
@click.option("--json", "json_path", metavar="PATH", help="Write results as JSON to PATH ('-' for stdout).")
@click.option("--explain", is_flag=True, help="Print statement, assumptions and checks instead of running.")
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the figures of the theorems that draw them (" + ", ".join(DRAWS_FIGURES)
              + "); created if missing.")
@click.option("--rerun", is_flag=True,
              help="Retrain instead of refitting the committed runs (" + ", ".join(RETRAINS) + ").")
@click.option("--preset", help="With --rerun: the run preset (default smoke; e.g. cpu, gpu).")
@click.option("--subject", "subject_options", multiple=True, metavar="NAME=MODULE:FUNCTION",
              help="Run the checks that take subject NAME on your object (module.path:fn or file.py:fn); "
                   "checks that do not take it are reported not-applicable. Repeatable.")
@click.option("--runs", "runs_path", metavar="FILE", help="Fit the Luo & Xu laws to your runs (CSV or JSON lines; "
              "see docs/testing-laws-on-your-runs.md) instead of the committed runs.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first falsified or error check (exit 1); "
              "the checks and theorems left are listed as not run.")
@_load_option
@click.pass_context
def run_command(click_ctx, ids, profile, seed, json_path, explain, plot_dir, rerun, preset, subject_options,
                runs_path, fail_fast, load) -> None:
    """Run the checks of the named theorems ('all' for every one)."""
    _load_files(load)
    theorems = _resolve(ids)
    if explain:
        _check_explain(click_ctx)
        click.echo("\n\n".join(globals()["explain"](t) for t in theorems))
        return
    subjects = _check_subjects(subject_options, theorems)
    _check_json_path(json_path)
    _check_plot_dir(plot_dir, theorems)
    _check_runs(runs_path, rerun, theorems)
    _check_rerun(rerun, preset, theorems)
    _check_data_files(theorems)
    options = {"rerun": rerun, "preset": preset, "runs": runs_path}
    ctx = CheckContext(profile=profile, seed=seed, plot_dir=plot_dir, options=options)
    to_stdout = json_path == "-"
    echo = (lambda text: click.echo(text, err=True)) if to_stdout else click.echo
    results = []
    for theorem in theorems:
        result = run_theorem(theorem, ctx, progress=lambda r: click.echo(check_line(r), err=True),
                             subjects=subjects or None, fail_fast=fail_fast)
        echo(theorem_table(result) + "\n")
        results.append(result)
        if fail_fast and result.verdict.is_failure:
            break
    verdicts = [r.verdict for r in results]
    counts = {v: verdicts.count(v) for v in Verdict if v in verdicts}
    echo(f"{len(results)} theorem(s): " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    left = sum(len(r.not_run) for r in results) + sum(len(t.checks) for t in theorems[len(results):])
    if left:
        echo(f"--fail-fast: stopped at the first failure; {left} check(s) not run")
    if json_path:
        text = dumps(as_document(results, profile, seed))
        if to_stdout:
            click.echo(text, nl=False)
        else:
            _write_json(json_path, text)
    if any(v.is_failure for v in verdicts):
        raise SystemExit(EXIT_FAILED)


@cli.command("reproduce")
@click.argument("reproduction_id")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--profile", type=click.Choice(list(PROFILE_EXAMPLES)), default=DEFAULT_PROFILE, show_default=True,
              help="Only for reproductions loaded with --load that run hypothesis searches.")
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for figures the reproduction draws.")
@click.option("--conventions", type=click.Choice(["ddtheory", "authors"]), default="ddtheory", show_default=True,
              help="Fitting conventions for reproductions that offer them (chen-huang-weng/table-3: 'authors' "
                   "standardises, uses their λ grid and float32 solves).")
@_load_option
@click.pass_context
def reproduce_command(click_ctx, reproduction_id, seed, profile, plot_dir, conventions, load) -> None:
    """Print a reproduced table from a paper (see `verify list` for the ids)."""
    _load_files(load)
    reproduction = REGISTRY.resolve_reproduction(reproduction_id)
    _check_reproduce_profile(click_ctx, reproduction)
    for requirement in reproduction.needs:
        reason = requirement.missing()
        if reason:
            raise ValueError(f"{reproduction.id} cannot run: {reason}")
        if requirement.name.startswith("data:"):
            from empirical import datasets

            datasets.check_readable(requirement.name.split(":", 1)[1])
    if plot_dir is not None:
        from empirical.files import writable_directory

        writable_directory(plot_dir, "--plot")
    ctx = CheckContext(profile=profile, seed=seed, plot_dir=plot_dir, check_id=reproduction.id,
                       options={"conventions": conventions})
    click.echo(reproduction.fn(ctx))


@cli.command("plan")
@click.option("--gap", type=float, required=True, help="Target gap Δ between full-data and distilled accuracy (a fraction).")
@click.option("--configs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of training configurations the distilled set must serve.")
@click.option("--method", default=None, help="dm, gm or mtt (default: every method with committed runs).")
@click.option("--runs", "runs_path", metavar="FILE", help="Plan from your runs (CSV or JSON lines) instead of the "
              "committed runs.")
def plan_command(gap, configs, method, runs_path) -> None:
    """Images per class needed for a target gap, from the laws fitted to the committed runs."""
    from empirical.gaps import committed_rows
    from empirical.planner import plan
    from empirical.user_runs import read_runs

    rows, source = (read_runs(runs_path), "your") if runs_path else (committed_rows(), "committed")
    click.echo(plan(gap, configs, rows, method=method, source=source))


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
    except _Crash as exc:
        click.echo(f"verify: error: {' '.join(str(exc).split())}", err=True)
        return EXIT_FAILED
    except click.exceptions.Abort:
        click.echo("verify: aborted", err=True)
        return 130
    except SystemExit as exc:
        return int(exc.code or 0)
    return int(result or 0) if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
