"""Distribution strategies: one name for each way of spreading training over devices.

| backend    | names                                              |
|------------|----------------------------------------------------|
| tensorflow | `mirrored`, `multi_worker_mirrored` (`TF_CONFIG`), `tpu` |
| jax        | `data_parallel`, `model_parallel` (processes: `KERAS_DISTRIBUTION_*`) |
| any        | `none` (one device), `auto` (the right one for the backend and devices) |

The torch backend trains on one device; any other name than `none`/`auto` is refused there
with a message naming the backends that distribute.

Example:
>>> with distribution_scope("auto") as distribution:  # doctest: +SKIP
...     model = build_bert_classifier("bert_tiny", num_classes=2)
...     model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
>>> distribution.replicas  # doctest: +SKIP
4
"""

import contextlib
import dataclasses
import functools
import json
import os

import keras

from zoo._utils import first_line
from zoo.errors import ConfigError

BACKEND_STRATEGIES = {
    "tensorflow": ("mirrored", "multi_worker_mirrored", "tpu"),
    "jax": ("data_parallel", "model_parallel"),
    "torch": (),
}
STRATEGIES = ("auto", "none", *BACKEND_STRATEGIES["tensorflow"], *BACKEND_STRATEGIES["jax"])
JAX_PROCESS_VARIABLES = (
    "KERAS_DISTRIBUTION_JOB_ADDRESSES",
    "KERAS_DISTRIBUTION_NUM_PROCESSES",
    "KERAS_DISTRIBUTION_PROCESS_ID",
)


@dataclasses.dataclass(frozen=True)
class Distribution:
    """How a run is spread: the strategy's name, data-parallel replicas and processes.

    `strategy` is the `tf.distribute.Strategy` (tensorflow) and `distribution` the
    `keras.distribution.Distribution` (jax); the other is None.
    """

    name: str
    replicas: int = 1
    processes: int = 1
    process_index: int = 0
    strategy: object = None
    distribution: object = None

    @property
    def is_chief(self):
        """True on the one process that writes the run folder's shared files."""
        return self.process_index == 0

    @property
    def pads_evaluation(self):
        """True when evaluation batches must be padded to a whole global batch (JAX splits a
        batch evenly over its devices; TensorFlow's strategies take partial batches)."""
        return self.distribution is not None

    def activate(self):
        """Make this the process's distribution: JAX's trainers read the global one at `fit`
        time (TensorFlow's strategy travels with the model compiled in its scope)."""
        if keras.backend.backend() == "jax":
            keras.distribution.set_distribution(self.distribution)  # None: one device
        return self

    def scope(self):
        """The context models are built and compiled in."""
        if self.strategy is not None:
            return self.strategy.scope()
        if self.distribution is not None:
            return self.distribution.scope()
        return contextlib.nullcontext()

    def check_batch_size(self, batch_size):
        """Refuse a global batch size the replicas cannot share evenly."""
        if batch_size % self.replicas:
            raise ConfigError(
                f"--batch-size {batch_size} is not a multiple of the {self.replicas} replicas of "
                f"--strategy {self.name}; use a multiple of {self.replicas} (the batch size "
                "is global)."
            )
        return batch_size

    def describe(self):
        """The fields `metrics.json` records."""
        return {"strategy": self.name, "replicas": self.replicas, "processes": self.processes}


def get_distribution(name="auto", *, model_parallel_size=2):
    """The `Distribution` for `name` on the current backend (created once per process)."""
    if name not in STRATEGIES:
        raise ConfigError(
            f"--strategy {name!r} is unknown; use one of {', '.join(STRATEGIES)}."
        )
    backend = keras.backend.backend()
    name = resolve_strategy_name(name, backend)
    return _create(backend, name, model_parallel_size)


def distribution_scope(name="auto", *, model_parallel_size=2):
    """Context manager: build and compile models inside it; yields the `Distribution`."""
    distribution = get_distribution(name, model_parallel_size=model_parallel_size)

    @contextlib.contextmanager
    def scope():
        with distribution.scope():
            yield distribution

    return scope()


def get_strategy(name="auto"):
    """The `tf.distribute.Strategy` for `name` (tensorflow backend only)."""
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise ConfigError(
            f"get_strategy returns tf.distribute strategies, which need the tensorflow backend "
            f"(this is {backend}); use distribution_scope(name) on every backend."
        )
    import tensorflow as tf

    return get_distribution(name).strategy or tf.distribute.get_strategy()


def resolve_strategy_name(name, backend):
    """`name` itself when `backend` supports it, the right choice for `auto`, else an error."""
    if name == "none":
        return name
    if name == "auto":
        return _auto_name(backend)
    if name in BACKEND_STRATEGIES[backend]:
        return name
    supporting = [b for b, names in BACKEND_STRATEGIES.items() if name in names]
    if backend == "torch":
        raise ConfigError(
            f"--strategy {name}: the torch backend trains on one device in zoo; distribution "
            f"runs on tensorflow ({', '.join(BACKEND_STRATEGIES['tensorflow'])}) and jax "
            f"({', '.join(BACKEND_STRATEGIES['jax'])}). Use --strategy none on torch."
        )
    raise ConfigError(
        f"--strategy {name} needs the {supporting[0]} backend; on {backend} use one of "
        f"{', '.join(('auto', 'none', *BACKEND_STRATEGIES[backend]))}."
    )


def _auto_name(backend):
    if backend == "tensorflow":
        if len(_tf_config().get("cluster", {}).get("worker", [])) > 1:
            return "multi_worker_mirrored"
        import tensorflow as tf

        return "mirrored" if len(tf.config.list_logical_devices("GPU")) > 1 else "none"
    if backend == "jax":
        if _jax_process_count_requested() > 1:
            return "data_parallel"
        import jax

        return "data_parallel" if jax.device_count() > 1 else "none"
    return "none"


@functools.cache
def _create(backend, name, model_parallel_size):
    if name == "none":
        return Distribution(name)
    if backend == "tensorflow":
        return _create_tensorflow(name)
    return _create_jax(name, model_parallel_size)


def _tf_config():
    try:
        return json.loads(os.environ.get("TF_CONFIG") or "{}")
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"TF_CONFIG is not valid JSON ({error}); see the scaling guide."
        ) from None


def _create_tensorflow(name):
    import tensorflow as tf

    if name == "mirrored":
        # All GPUs; without GPUs all (logical) CPU devices, so simulated devices are used.
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        strategy = tf.distribute.MirroredStrategy([device.name for device in devices])
        return Distribution(name, replicas=strategy.num_replicas_in_sync, strategy=strategy)
    if name == "multi_worker_mirrored":
        config = _tf_config()
        if not config.get("cluster", {}).get("worker") or "task" not in config:
            raise ConfigError(
                "--strategy multi_worker_mirrored needs TF_CONFIG with cluster.worker (one "
                "host:port per worker) and task {type: worker, index: i}; see the scaling guide."
            )
        from zoo.train import _multi_worker_fix

        _multi_worker_fix.install()
        try:
            strategy = tf.distribute.MultiWorkerMirroredStrategy()
        except RuntimeError as error:  # "Collective ops must be configured at program startup"
            raise ConfigError(
                "--strategy multi_worker_mirrored must be set up before TensorFlow runs any "
                "op: create the TrainingRun (or call get_distribution) before loading data "
                f"({error})."
            ) from None
        workers = len(config["cluster"]["worker"])
        return Distribution(name, replicas=strategy.num_replicas_in_sync, processes=workers,
                            process_index=int(config["task"].get("index", 0)),
                            strategy=strategy)  # fmt: skip
    return _create_tpu()


def _create_tpu():
    import tensorflow as tf

    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
            tpu=os.environ.get("TPU_NAME", "")
        )
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        raise ConfigError(
            f"--strategy tpu: no TPU found ({first_line(error, 120)}); set TPU_NAME "
            "or run on a TPU VM. TensorFlow's TPU builds stop at 2.20: install "
            "tensorflow-tpu==2.20.* there."
        ) from None
    strategy = tf.distribute.TPUStrategy(resolver)
    return Distribution("tpu", replicas=strategy.num_replicas_in_sync, strategy=strategy)


def _jax_process_count_requested():
    return int(os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES") or 1)


def _initialize_jax_processes():
    """Join the other processes (`KERAS_DISTRIBUTION_*` variables) before any JAX work."""
    import jax

    if _jax_process_count_requested() <= 1:
        return
    missing = [v for v in JAX_PROCESS_VARIABLES if not os.environ.get(v)]
    if missing:
        raise ConfigError(
            f"multi-process JAX needs {', '.join(JAX_PROCESS_VARIABLES)}; "
            f"{', '.join(missing)} unset (see the scaling guide)."
        )
    # CPU devices of different processes talk through gloo (GPUs and TPUs bring their own).
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    keras.distribution.initialize()


def _create_jax(name, model_parallel_size):
    import jax

    _initialize_jax_processes()
    devices = jax.device_count()
    processes, process_index = jax.process_count(), jax.process_index()
    if name == "data_parallel":
        distribution = keras.distribution.DataParallel()
        return Distribution(name, replicas=devices, processes=processes,
                            process_index=process_index, distribution=distribution)  # fmt: skip
    from zoo.train.layout import (
        BATCH_AXIS,
        MODEL_AXIS,
        CheckedModelParallel,
        model_parallel_layout_map,
    )

    if devices % model_parallel_size:
        raise ConfigError(
            f"--model-parallel-size {model_parallel_size} does not divide the {devices} "
            f"devices; use a divisor of {devices}."
        )
    mesh = keras.distribution.DeviceMesh(
        (devices // model_parallel_size, model_parallel_size), (BATCH_AXIS, MODEL_AXIS)
    )
    distribution = CheckedModelParallel(
        layout_map=model_parallel_layout_map(mesh), batch_dim_name=BATCH_AXIS
    )
    return Distribution(name, replicas=devices // model_parallel_size, processes=processes,
                        process_index=process_index, distribution=distribution)  # fmt: skip
