"""What the benchmark scripts share: running a worker, saving the CSV, updating the docs."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MATMUL_ROOF_GFLOPS = 170.0  # numpy float32 matmul on the 2-core machine (REFERENCES.md)


def add_results_dir_argument(parser):
    """`--results-dir`: where a suite writes its CSV (default benchmarks/results)."""
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                        help="folder for the results CSV (default benchmarks/results)")  # fmt: skip


def add_output_arguments(parser, docs="the docs table"):
    """`--results-dir` and `--no-docs`, the options every suite with a docs table takes."""
    add_results_dir_argument(parser)
    parser.add_argument("--no-docs", action="store_true", help=f"do not rewrite {docs}")


def run_worker(argv, timeout=3600):
    """Run a worker script (`argv` = [script path, args...]); return its last JSON line."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, *map(str, argv)], capture_output=True, text=True,
                            env=env, timeout=timeout)  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_text_atomically(path, text):
    """Write `text` to `path` through a temporary file, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def copy_atomically(source, target):
    """Copy the file `source` to `target` through a temporary file beside it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def write_csv(rows, results_path):
    """Write `rows` (dicts with the same keys) to `results_path` as CSV, atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomically(results_path, buffer.getvalue())
    print(f"wrote {results_path}")


def save_results(rows, results_path, docs_path, markers, markdown_table, update_docs=True):
    """Write `rows` as CSV; put `markdown_table(rows read back)` between `markers` in the docs."""
    write_csv(rows, results_path)
    if not update_docs:
        return
    with open(results_path, newline="") as handle:
        table = markdown_table(list(csv.DictReader(handle)))
    write_between_markers(docs_path, markers, table)


def write_between_markers(docs_path, markers, text):
    """Replace what stands between the (start, end) `markers` in `docs_path` with `text`."""
    page = docs_path.read_text()
    start, end = markers
    if start not in page or end not in page:
        raise RuntimeError(f"{docs_path} lacks the markers {markers}")
    head, rest = page.split(start, 1)
    _, tail = rest.split(end, 1)
    write_text_atomically(docs_path, f"{head}{start}\n{text}\n{end}{tail}")
    print(f"updated {docs_path}")


def make_step_timer():
    """A Keras callback recording the time each `fit` step (or group of steps) ends."""
    import time

    import keras

    class StepTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter())

    return StepTimer()


def peak_rss_mb():
    """This process's peak resident memory, in MB."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def throughput_record(step_ends, *, warmup_steps, batch_size, parameters, jit_compile=False):
    """The JSON record a worker prints, from the times its training steps ended: the steps
    after `warmup_steps` (which pay for tracing and compilation) are timed."""
    timed = step_ends[warmup_steps - 1 :]
    steps_per_second = (len(timed) - 1) / (timed[-1] - timed[0])
    return {
        "steps_per_second": round(steps_per_second, 3),
        "sequences_per_second": round(steps_per_second * batch_size, 2),
        "peak_rss_mb": peak_rss_mb(),
        "jit_compile": bool(jit_compile),
        "parameters": int(parameters),
    }


def time_keras_fit(model, inputs, labels, *, batch_size, warmup_steps):
    """Fit `model` for one epoch over `inputs` in order; return its `throughput_record`."""
    timer = make_step_timer()
    model.fit(inputs, labels, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
              callbacks=[timer])  # fmt: skip
    return throughput_record(
        timer.ends, warmup_steps=warmup_steps, batch_size=batch_size,
        parameters=model.count_params(), jit_compile=model.jit_compile,
    )  # fmt: skip


def padded_token_ids(count, length, vocabulary_size, seed=0):
    """Random token ids (>= 2) of random lengths between length / 4 and `length`, right-padded
    with 0 as real reviews are; returns (ids int32 (count, length), lengths int64)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lengths = rng.integers(length // 4, length + 1, count)
    ids = rng.integers(2, vocabulary_size, (count, length)).astype("int32")
    ids[np.arange(length)[None, :] >= lengths[:, None]] = 0
    return ids, lengths


def criteo_batches(count, vocabulary_size, seed=0):
    """Criteo-shaped rows: 13 standardised dense values, 26 categorical ids (Zipf-skewed, as
    click logs are), and 0/1 labels; returns (dense float32, ids int32, labels float32)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    dense = rng.normal(size=(count, 13)).astype("float32")
    ids = np.minimum(rng.zipf(1.2, size=(count, 26)), vocabulary_size - 1).astype("int32")
    labels = (rng.random((count, 1)) < 0.25).astype("float32")
    return dense, ids, labels


def time_torch_training(model, optimizer, loss_of_step, *, warmup_steps, steps, batch_size):
    """Run the plain PyTorch loop (zero_grad, `loss_of_step(step)`, backward, optimizer step)
    for `warmup_steps + steps` steps; return its `throughput_record`."""
    import time

    ends = []
    for step in range(warmup_steps + steps):
        optimizer.zero_grad(set_to_none=True)
        loss_of_step(step).backward()
        optimizer.step()
        ends.append(time.perf_counter())
    parameters = sum(p.numel() for p in model.parameters())
    return throughput_record(ends, warmup_steps=warmup_steps, batch_size=batch_size,
                             parameters=parameters)  # fmt: skip


def stage_table(rows, labels):
    """The markdown lines of a staged benchmark's table: one row a stage (`labels[stage]`),
    its rows, rows/s, peak memory and seconds."""
    lines = ["| stage | rows | rows/s | peak memory (MB) | seconds |", "|---|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {labels[row['stage']]} | {int(row['rows']):,} "
                     f"| {float(row['rows_per_second']):,.0f} | {int(row['peak_rss_mb']):,} "
                     f"| {float(row['seconds']):,.0f} |")  # fmt: skip
    return lines


def print_stage(stage, record):
    """One line of a staged benchmark's progress."""
    print(f"{stage:10s} {record['rows']:>12,} rows {record['rows_per_second']:>10,.0f} rows/s "
          f"{record['peak_rss_mb']:>6,} MB {float(record['seconds']):>7,.0f} s",
          flush=True)  # fmt: skip


def run_measured(command):
    """Run `command` (an application, as a user runs it); (its peak resident memory in MB,
    its seconds). RuntimeError with the end of its output when it fails."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    start = time.perf_counter()
    # Output to a file, not a pipe: nothing reads a pipe while wait4 waits, so a full one
    # would block the run.
    with tempfile.TemporaryFile() as log_file:
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        log_file.seek(0)
        output = log_file.read().decode(errors="replace")
    if status != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{output[-3000:]}")
    return round(usage.ru_maxrss / 1024), time.perf_counter() - start

