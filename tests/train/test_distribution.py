"""Distribution strategies against a single-device run on the same data and weights.

Each scenario runs `distributed_job.py` in fresh processes (simulated devices are set before
the backend starts: 2 TensorFlow logical CPUs, 4 JAX host devices; multi-worker runs start
two real processes on localhost ports). After 2 epochs of Adam at learning rate 0.01 the
losses, test loss and accuracy (22 test examples: the last batch is partial and padded where
the backend needs it) must equal the single-device run's to 1e-5 (relative), predictions and
weights to 1e-4 (absolute: summation order differs across devices), and every worker must
end with identical weights.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.helpers import REPO_ROOT, free_ports

JOB = os.path.join(REPO_ROOT, "tests", "train", "distributed_job.py")
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "2"}


def launch(backend, strategy, out_dir, *args, env=()):
    environment = {**os.environ, **QUIET, "KERAS_BACKEND": backend, **dict(env)}
    return subprocess.Popen(
        [sys.executable, JOB, strategy, str(out_dir), *args],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def run_two_workers(backend, strategy, out_dir, worker_env):
    """Start two processes (`worker_env(i)` sets each one's variables), wait for both and
    check that they end with identical weights; return the chief's results."""
    wait([launch(backend, strategy, out_dir, env=worker_env(i)) for i in range(2)])
    chief, other = results(out_dir, processes=2)
    np.testing.assert_array_equal(chief["dist_weights"], other["dist_weights"])
    return chief


def wait(processes, timeout=420):
    for process in processes:
        output, _ = process.communicate(timeout=timeout)
        assert process.returncode == 0, output[-3000:]


def assert_matches_single_device(result, replicas):
    assert int(result["dist_replicas"]) == replicas
    for key in ("losses", "test_loss", "test_accuracy"):
        np.testing.assert_allclose(result[f"dist_{key}"], result[f"single_{key}"], rtol=1e-5)
    for key in ("predictions", "weights"):
        np.testing.assert_allclose(result[f"dist_{key}"], result[f"single_{key}"], atol=1e-4)
    assert result["dist_predictions"].shape == (22, 2)  # padding stripped, nothing lost


def results(out_dir, processes=1):
    return [np.load(out_dir / f"{index}.npz") for index in range(processes)]


@pytest.mark.slow
@pytest.mark.in_step
@pytest.mark.tf_only
def test_mirrored_on_two_logical_cpus(tmp_path):
    wait([launch("tensorflow", "mirrored", tmp_path, "--logical-cpus", "2")])
    assert_matches_single_device(results(tmp_path)[0], replicas=2)


@pytest.mark.slow
@pytest.mark.in_step
@pytest.mark.tf_only
def test_multi_worker_mirrored_with_two_processes(tmp_path):
    """Keras 3.15's fit fails here without zoo.train._multi_worker_fix (see its docstring)."""
    ports = free_ports(2)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    chief = run_two_workers("tensorflow", "multi_worker_mirrored", tmp_path, lambda i: {
        "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})
    })  # fmt: skip
    assert_matches_single_device(chief, replicas=2)
    assert (tmp_path / "dist" / "history.csv").is_file()  # the chief's run folder
    assert (tmp_path / "dist" / "worker1" / "history.csv").is_file()  # worker 1's own


@pytest.mark.slow
@pytest.mark.in_step
@pytest.mark.jax_only
@pytest.mark.parametrize("strategy, replicas", [("data_parallel", 4), ("model_parallel", 2)])
def test_jax_distributions_on_four_devices(tmp_path, strategy, replicas):
    devices = {"XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    wait([launch("jax", strategy, tmp_path, env=devices)])
    result = results(tmp_path)[0]
    assert_matches_single_device(result, replicas=replicas)
    if strategy == "model_parallel":
        assert int(result["dist_sharded_weights"]) > 0
        assert int(result["single_sharded_weights"]) == 0


@pytest.mark.slow
@pytest.mark.in_step
@pytest.mark.jax_only
def test_multi_process_jax_with_two_processes(tmp_path):
    (port,) = free_ports(1)
    chief = run_two_workers("jax", "data_parallel", tmp_path, lambda i: {
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        "KERAS_DISTRIBUTION_JOB_ADDRESSES": f"localhost:{port}",
        "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
        "KERAS_DISTRIBUTION_PROCESS_ID": str(i),
    })  # fmt: skip
    assert_matches_single_device(chief, replicas=4)
