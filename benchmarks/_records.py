"""`results/machine.json`: which machine ran each suite, and when.

`python -m benchmarks run` records the full description of the machine (CPU model, cores,
memory, OS, library versions) for every suite it runs, so a run of some suites keeps the
others' records. A suite whose CSV was written some other way (by its script alone, or before
the runner existed) is recorded from what its rows say: their `date` and `machine` columns.

Example:
>>> records = load_records(Path("benchmarks/results/machine.json"))  # doctest: +SKIP
>>> records["suites"]["train_throughput"]["machine"]  # doctest: +SKIP
'AMD EPYC, 2 cores'
"""

import json
from pathlib import Path

from benchmarks._harness import write_text_atomically
from benchmarks._machine import describe_machine

RECORDS_FILE = "machine.json"
DESCRIBED_FROM = "2026-12-01"  # the first runs whose machine the runner described in full
FROM_ROWS = "only the date and machine its rows carry"
NOT_DESCRIBED = ("the run did not go through `python -m benchmarks run`, which describes the "
                 f"machine in full (from {DESCRIBED_FROM} on)")  # fmt: skip


def load_records(path):
    """The records in `path` ({"machine": ..., "suites": {}} when there is no file yet)."""
    path = Path(path)
    if not path.exists():
        return {"machine": None, "suites": {}}
    records = json.loads(path.read_text())
    records.setdefault("suites", {})
    return records


def save_records(records, path, written_by):
    """Write `records` to `path`, with this machine described as the one that wrote them."""
    records["machine"] = {**describe_machine(), "written_by": written_by}
    write_text_atomically(Path(path), json.dumps(records, indent=2) + "\n")


def record_run(records, suite_name, rows, *, seconds, size, description=None):
    """Record that this machine (`description`, default: described now) ran `suite_name` just
    now (its `rows`, if any, give the date)."""
    description = description or describe_machine()
    first = rows[0] if rows else {}
    records["suites"][suite_name] = {
        "date": first.get("date") or description["date"],
        "machine": first.get("machine") or description["label"],
        "description": description,
        "seconds": round(seconds),
        "size": size,
    }


def reconcile(records, suite_name, rows):
    """Record `suite_name` from its rows when it has no record or the rows are newer than it
    (its script was run on its own); return whether the record changed."""
    first = rows[0] if rows else {}
    date, machine = first.get("date"), first.get("machine")
    record = records["suites"].get(suite_name)
    if record and (record.get("date"), record.get("machine")) == (date, machine):
        return False
    records["suites"][suite_name] = {"date": date, "machine": machine, "description": None,
                                     "note": f"{FROM_ROWS}: {NOT_DESCRIBED}"}  # fmt: skip
    return True
