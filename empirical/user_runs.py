"""Your own runs, as a CSV file or JSON lines, turned into the run rows the laws are fitted to.

One record per (distilled set, evaluation configuration, evaluation seed). Columns:

=================  ========  ===================================================================
column             type      meaning
=================  ========  ===================================================================
method             text      the distiller (``dm``, ``gm``, ``mtt``, …); ``random`` for a random
                             real subset of the same size (the baseline)
k                  integer   images per class, ≥ 1
configuration      text      the training configuration the set was evaluated under
distill_seed       integer   the seed that produced the distilled set
eval_seed          integer   the seed of the evaluation training run
full_accuracy      number    test accuracy of the full-data model under ``configuration`` (0–1)
accuracy           number    test accuracy of the model trained on the distilled set (0–1)
full_loss, loss    number    optional test losses (≥ 0; ``nan`` or ``inf`` for a diverged run)
subset             text      optional, coverage runs: the configurations the set was distilled
                             against, joined by ``|`` (M = their number); empty for a scaling run
draw               integer   optional, coverage runs: which random subset of that size (default 0)
=================  ========  ===================================================================

The full-data reference of a configuration is the mean of its ``full_accuracy`` values. Every
bad record is a one-line ValueError naming the file, the row (1 = first record) and the column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from pathlib import Path

REQUIRED = ("method", "k", "configuration", "distill_seed", "eval_seed", "full_accuracy", "accuracy")
OPTIONAL = ("full_loss", "loss", "subset", "draw")


def _records(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ValueError(f"--runs {str(path)!r}: cannot read it ({reason})") from None
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        records = []
        for number, line in enumerate((line for line in text.splitlines() if line.strip()), 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path.name}: row {number}: not a JSON object ({exc.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path.name}: row {number}: not a JSON object")
            records.append(record)
        columns = set().union(*records) if records else set()
    else:
        reader = csv.DictReader(io.StringIO(text))
        records, columns = list(reader), set(reader.fieldnames or ())
    if not records:
        raise ValueError(f"{path.name}: no runs in the file")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)} (required: {', '.join(REQUIRED)})")
    return records


def _number(path: Path, row: int, column: str, value, integer: bool = False, finite: bool = True) -> float:
    text = "" if value is None else str(value).strip()
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{path.name}: row {row}, column {column}: {text!r} is not a number") from None
    if finite and not math.isfinite(number):
        raise ValueError(f"{path.name}: row {row}, column {column}: {text!r} is not finite")
    if integer and number != int(number):
        raise ValueError(f"{path.name}: row {row}, column {column}: {text!r} is not an integer")
    return int(number) if integer else number


def _text(path: Path, row: int, column: str, value) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError(f"{path.name}: row {row}, column {column}: empty")
    return text


def _parse(path: Path, row: int, record: dict) -> dict:
    parsed = {"method": _text(path, row, "method", record["method"]),
              "configuration": _text(path, row, "configuration", record["configuration"])}
    for column in ("k", "distill_seed", "eval_seed"):
        parsed[column] = _number(path, row, column, record[column], integer=True)
    if parsed["k"] < 1:
        raise ValueError(f"{path.name}: row {row}, column k: {parsed['k']} is below 1 (images per class)")
    for column in ("full_accuracy", "accuracy"):
        parsed[column] = _number(path, row, column, record[column])
        if not 0 <= parsed[column] <= 1:
            raise ValueError(f"{path.name}: row {row}, column {column}: {parsed[column]:g} is outside [0, 1]")
    for column in ("full_loss", "loss"):
        value = record.get(column)
        # a diverged evaluation may have a NaN or infinite loss; losses are reported, never fitted
        parsed[column] = math.nan if value in (None, "") else _number(path, row, column, value, finite=False)
        if parsed[column] < 0:
            raise ValueError(f"{path.name}: row {row}, column {column}: {parsed[column]:g} is negative")
    subset = str(record.get("subset") or "").strip()
    parsed["subset"] = tuple(name.strip() for name in subset.split("|")) if subset else ()
    if parsed["subset"] and (any(not name for name in parsed["subset"])
                             or parsed["configuration"] not in parsed["subset"]):
        raise ValueError(f"{path.name}: row {row}, column subset: {subset!r} must list '|'-joined configurations "
                         f"including {parsed['configuration']!r}")
    draw = record.get("draw")
    parsed["draw"] = 0 if draw in (None, "") else _number(path, row, "draw", draw, integer=True)
    if parsed["method"] == "full":
        raise ValueError(f"{path.name}: row {row}, column method: 'full' is reserved; give the full-data "
                         f"accuracy in the full_accuracy column")
    return parsed


def read_runs(path: str | Path) -> list[dict]:
    """The records of ``path`` as run rows (the format of ``empirical/runs/*.jsonl``), preset
    ``runs:<file name>``: one row per distilled set and one full-data row per configuration."""
    path = Path(path)
    records = [_parse(path, row, record) for row, record in enumerate(_records(path), 1)]
    preset = f"runs:{path.name}"
    trials: dict[tuple, dict] = {}
    full: dict[str, list[tuple[int, float, float]]] = {}
    for record in records:
        subset = record["subset"] or (record["configuration"],)
        options = {"augment": "none"}
        if record["subset"]:
            options.update({"coverage": len(subset), "draw": record["draw"]})
        identity = (record["method"], record["k"], subset, record["distill_seed"], tuple(sorted(options.items())))
        spec = {"method": record["method"], "ipc": record["k"], "configurations": list(subset),
                "distill_seed": record["distill_seed"], "eval_seeds": [], "preset": preset, "options": options}
        trial = trials.setdefault(identity, {"key": hashlib.sha256(repr(identity).encode()).hexdigest(), "spec": spec,
                                             "metrics": {"evaluations": []}})
        trial["metrics"]["evaluations"].append({"configuration": record["configuration"], "eval_seed": record["eval_seed"],
                                                "accuracy": record["accuracy"], "loss": record["loss"]})
        if record["eval_seed"] not in spec["eval_seeds"]:
            spec["eval_seeds"].append(record["eval_seed"])
        full.setdefault(record["configuration"], []).append((record["eval_seed"], record["full_accuracy"],
                                                             record["full_loss"]))
    references = [{"key": f"full:{name}", "spec": {"method": "full", "ipc": 0, "configurations": [name], "distill_seed": 0,
                                                   "eval_seeds": [0], "preset": preset, "options": {}},
                   "metrics": {"evaluations": [{"configuration": name, "eval_seed": 0,
                                                "accuracy": sum(v[1] for v in values) / len(values),
                                                "loss": sum(v[2] for v in values) / len(values)}]}}
                  for name, values in sorted(full.items())]
    return references + list(trials.values())


def write_runs(rows: list[dict], path: str | Path, preset: str) -> int:
    """Export the run rows of ``preset`` in the documented CSV format; return the record count."""
    references: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        if row["spec"]["preset"] == preset and row["spec"]["method"] == "full":
            for item in row["metrics"]["evaluations"]:
                references.setdefault(item["configuration"], []).append((item["accuracy"], item["loss"]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*REQUIRED, *OPTIONAL], lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        spec = row["spec"]
        if spec["preset"] != preset or spec["method"] == "full":
            continue
        options = spec.get("options", {})
        for item in row["metrics"]["evaluations"]:
            reference = references[item["configuration"]]
            writer.writerow({"method": spec["method"], "k": spec["ipc"], "configuration": item["configuration"],
                             "distill_seed": spec["distill_seed"], "eval_seed": item["eval_seed"],
                             "full_accuracy": repr(sum(r[0] for r in reference) / len(reference)),
                             "accuracy": repr(item["accuracy"]),
                             "full_loss": repr(sum(r[1] for r in reference) / len(reference)), "loss": repr(item["loss"]),
                             "subset": "|".join(spec["configurations"]) if options.get("coverage") else "",
                             "draw": options.get("draw", 0) if options.get("coverage") else ""})
            count += 1
    Path(path).write_text(out.getvalue(), encoding="utf-8")
    return count
