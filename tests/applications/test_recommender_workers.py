"""Two worker processes train DeepFM on a streamed Criteo-format log, each reading only its
own rows (`zoo.train.worker_input`), and reach the AUC of one process on the same data.

The disjoint shards whose union is every row are proven in tests/train/test_worker_input.py
and tests/data/test_streaming.py; here the real strategy runs: TensorFlow's
multi_worker_mirrored (TF_CONFIG), two processes on localhost beside a one-process run, all
three at once. Multi-process JAX refuses a streamed log in one line (tested below).
"""

import json
import os
import subprocess
import types

import pytest

from benchmarks.make_criteo_like import write_criteo_like
from tests.applications.conftest import app_command
from tests.helpers import REPO_ROOT, free_ports
from zoo.apps.recommender_data import streamed
from zoo.errors import ConfigError
from zoo.train.strategy import Distribution

TRAIN = ["--dataset", "criteo", "--batch-size", "256", "--epochs", "2", "--quiet"]


def _worker_environments():
    """TF_CONFIG for two workers on localhost."""
    cluster = {"worker": [f"localhost:{port}" for port in free_ports(2)]}
    return [{"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})}
            for i in range(2)]  # fmt: skip


def _start(args, env=()):
    return subprocess.Popen(
        app_command("train_recommender.py", *args), cwd=REPO_ROOT, text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **dict(env)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.in_step
@pytest.mark.tf_only
def test_two_workers_on_their_own_rows_reach_the_auc_of_one_process(tmp_path):
    write_criteo_like(tmp_path / "log" / "train.txt", 8000, seed=0)
    train = [*TRAIN, "--data-dir", str(tmp_path / "log")]
    processes = [_start([*train, "--output-dir", str(tmp_path / "one")])] + [
        _start([*train, "--strategy", "multi_worker_mirrored", "--output-dir",
                str(tmp_path / "two")], env)
        for env in _worker_environments()
    ]  # fmt: skip
    for process in processes:
        output, _ = process.communicate(timeout=420)
        assert process.returncode == 0, output[-3000:]
    one = json.loads((tmp_path / "one" / "metrics.json").read_text())
    chief = json.loads((tmp_path / "two" / "metrics.json").read_text())
    other = json.loads((tmp_path / "two" / "worker1" / "metrics.json").read_text())
    assert one["input_shards"] == 1
    assert (chief["processes"], chief["input_shards"], chief["input_shard"]) == (2, 2, 0)
    assert (other["input_shards"], other["input_shard"]) == (2, 1)
    assert chief["num_train"] == other["num_train"] == one["num_train"]  # all counted alike
    assert chief["test_auc"] == pytest.approx(other["test_auc"], abs=1e-6)  # one model
    # The generated clicks are learnable (zoo AUC 0.62 at this size, 0.5 is chance); two
    # workers see the same rows in other batches (measured: 0.614 vs 0.616).
    assert one["test_auc"] > 0.58 and chief["test_auc"] > 0.58, (one, chief)
    assert abs(chief["test_auc"] - one["test_auc"]) < 0.03, (one, chief)


def test_multi_process_jax_refuses_a_streamed_log_in_one_line():
    run = types.SimpleNamespace(distribution=Distribution("data_parallel", processes=2))
    args = types.SimpleNamespace(split="random", csv=None, data_dir="/data/criteo")
    with pytest.raises(ConfigError, match="multi_worker_mirrored .*--backend tensorflow.*"
                                          "--in-memory"):  # fmt: skip
        streamed(args, run, recipe=None)
