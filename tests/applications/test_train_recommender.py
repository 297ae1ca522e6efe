import gzip
import json
import os
import subprocess

import keras
import numpy as np
import pytest

import zoo  # noqa: F401  (registers zoo's layers, which load_model needs)
from benchmarks.make_criteo_like import write_criteo_like
from tests.applications.conftest import app_command, assert_exits_2_with_one_line, kill_after_epochs
from tests.data.fake_files import write_criteo, write_movielens_1m
from zoo import get_model_spec
from zoo.data.streaming_stats import StreamingFit
from zoo.data.tabular import SMALL_DATA_RECIPE, training_recipe
from zoo.data.tabular_encoding import TabularEncoder


def _metrics(folder):
    return json.loads((folder / "metrics.json").read_text())


def test_deepfm_finds_the_synthetic_interaction(run_app, tmp_path):
    out = tmp_path / "run"
    result = run_app("train_recommender.py", "--model", "deepfm", "--dataset", "synthetic",
                     "--max-rows", "12000", "--epochs", "4", "--lr", "0.01",
                     "--hidden-units", "32", "32", "--output-dir", str(out), "--quiet")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "test AUC" in result.stdout and "SYNTHETIC" in result.stdout
    metrics = _metrics(out)
    assert metrics["test_auc"] > 0.85, metrics["test_auc"]  # the best possible is about 0.95
    assert 0 < metrics["test_logloss"] < 0.5 and metrics["best"]["monitor"] == "val_auc"
    # The saved encoder and model score new rows the way training did.
    encoder = TabularEncoder.load(out)
    model = keras.saving.load_model(out / "model.keras")
    rows = {"user_id": np.array(["u1", "u1"]), "item_id": np.array(["i1", "i2"]),
            "genres": np.array(["a", "b|c"]), "noise": np.array([0.0, 1.0])}  # fmt: skip
    features, _ = next(iter(encoder.dataset(rows, [0, 0], batch_size=2)))
    assert model.predict(features, verbose=0).shape == (2, 1)


@pytest.mark.backend_independent
def test_movielens_files_with_a_time_split(run_app, tmp_path):
    """ml-1m's files through the application (ml-100k's: tests/data/test_tabular.py)."""
    layout = "ml-1m"
    write_movielens_1m(tmp_path / layout)
    out = tmp_path / "run"
    result = run_app("train_recommender.py", "--dataset", layout.replace("ml-", "movielens_"),
                     "--data-dir", str(tmp_path / layout), "--split", "time", "--epochs", "1",
                     "--hidden-units", "8", "--output-dir", str(out), "--quiet",
                     "--evaluate")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(out)
    assert metrics["num_test"] == 15 and metrics["split"] == "time"
    # --evaluate: AUC and log loss as Keras measured them, and AUC per user.
    report = json.loads((out / "evaluation.json").read_text())["results"]["movielens_1m"]
    assert report["metrics"]["num_examples"] == 15
    assert report["metrics"]["logloss"] == pytest.approx(metrics["test_logloss"], abs=1e-4)
    assert report["metrics"]["group_auc"]["name"] == "user_id"
    assert set(metrics["features"]) == {"user_id", "item_id", "gender", "occupation", "zip",
                                        "genres", "age"}  # fmt: skip
    assert 0 <= metrics["test_auc"] <= 1
    # Every data set but Criteo: the small-data recipe, with --epochs applied.
    assert metrics["recipe"] == SMALL_DATA_RECIPE.replace(epochs=1).to_dict()


def test_each_data_set_trains_with_its_recipe():
    """Criteo: the registered recipe (one epoch of large batches); every smaller data set: the
    small-data recipe measured on MovieLens 100K (3 epochs of Adam 2e-3, batch 256,
    docs/models/recommenders.md)."""
    registered = get_model_spec("deepfm").recipe
    assert training_recipe("criteo", registered) is registered
    for name in ("movielens_100k", "movielens_1m", "csv", "synthetic"):
        assert training_recipe(name, registered) is SMALL_DATA_RECIPE
    small = SMALL_DATA_RECIPE
    assert (small.epochs, small.learning_rate, small.batch_size) == (3, 2e-3, 256)


@pytest.mark.slow
def test_wide_deep_on_criteo_files_with_hashing_and_a_cross(run_app, tmp_path):
    write_criteo(tmp_path / "criteo" / "train.txt", rows=400)
    out = tmp_path / "run"
    result = run_app("train_recommender.py", "--model", "wide_deep", "--dataset", "criteo",
                     "--data-dir", str(tmp_path / "criteo"), "--hash-buckets", "64",
                     "--crosses", "C1:C2", "--hidden-units", "16", "--batch-size", "64",
                     "--epochs", "1", "--in-memory", "--output-dir", str(out),
                     "--quiet")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(out)
    assert metrics["num_train"] == 320 and metrics["model"] == "wide_deep"
    assert "streamed" not in metrics
    model = keras.saving.load_model(out / "model.keras")
    assert "wide_deep_cross_C1_C2" in [layer.name for layer in model.layers]


# The application's glue (stream, counting pass, run folder) is the same on every backend;
# tests/data/test_streaming_encode.py trains a recommender on the stream on each backend.
@pytest.mark.backend_independent
def test_criteo_streams_from_gz_files_with_a_row_bound(run_app, tmp_path):
    text = write_criteo(tmp_path / "log.txt", rows=400).read_bytes()
    (tmp_path / "criteo").mkdir()
    (tmp_path / "criteo" / "day_0.gz").write_bytes(gzip.compress(text))
    out = tmp_path / "run"
    result = run_app("train_recommender.py", "--dataset", "criteo", "--data-dir",
                     str(tmp_path / "criteo"), "--max-rows", "300", "--hidden-units", "8",
                     "--batch-size", "64", "--epochs", "2", "--output-dir", str(out),
                     "--shard-by", "files", "--cache-encoded", "--quiet")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Counted" in result.stdout and "ran out of data" not in result.stderr
    metrics = _metrics(out)
    assert metrics["streamed"] and metrics["max_rows"] == 300 and metrics["shard_by"] == "files"
    assert metrics["cache_encoded"] and not (out / "encoded_cache").exists()  # removed at the end
    assert metrics["files"] == [str(tmp_path / "criteo" / "day_0.gz")]
    assert 190 <= metrics["num_train"] <= 290  # 80% of 300 rows by a hash of each row
    saved = StreamingFit.load(out)  # what a resumed run reads instead of counting again
    assert saved.rows == metrics["num_train"] and len(saved.encoder.specs) == 39
    assert 0 <= metrics["test_auc"] <= 1


@pytest.mark.backend_independent
def test_a_streamed_log_splits_by_time_over_its_day_files(run_app, tmp_path):
    for day in range(3):
        write_criteo_like(tmp_path / "days" / f"day_{day}.gz", 150 + 10 * day, seed=day)
    train = ["train_recommender.py", "--dataset", "criteo", "--split", "time",
             "--validation-split", "0.3", "--test-split", "0.3", "--hidden-units", "8",
             "--batch-size", "64", "--epochs", "1", "--quiet"]  # fmt: skip
    out = tmp_path / "run"
    result = run_app(*train, "--data-dir", str(tmp_path / "days"), "--output-dir", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(out)
    # day_0 trains, day_1 validates, day_2 tests: the training rows are day_0's, all of them
    # (too few files for the split: tests/data/test_streaming.py)
    assert metrics["split"] == "files in order" and metrics["num_train"] == 150


@pytest.mark.parametrize("reading", [
    "memory",
    # streamed: the glue is the same on every backend (test_streaming_encode.py trains on a
    # stream on each)
    pytest.param("stream", marks=pytest.mark.backend_independent),
    pytest.param("parquet", marks=pytest.mark.backend_independent),
])  # fmt: skip
def test_csv_with_features_on_the_command_line(run_app, tmp_path, reading):
    rng = np.random.default_rng(0)
    lines = ["user,tags,price,clicked"]
    for _ in range(200):
        user = rng.integers(0, 5)
        lines.append(f"u{user},{'|'.join(rng.choice(list('abc'), 2))},{rng.random():.3f},"
                     f"{int(user < 2)}")  # fmt: skip
    source = tmp_path / "clicks.csv"
    source.write_text("\n".join(lines) + "\n")
    if reading == "parquet":
        pyarrow_csv = pytest.importorskip("pyarrow.csv")
        pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
        source = tmp_path / "clicks.parquet"
        pyarrow_parquet.write_table(pyarrow_csv.read_csv(tmp_path / "clicks.csv"), source)
    out = tmp_path / "run"
    result = run_app("train_recommender.py", "--dataset", "csv", "--csv", str(source),
                     "--label", "clicked", "--features",
                     "user:sparse", "tags:sequence:max_length=2", "price:dense",
                     "--embedding-dim", "4", "--hidden-units", "--epochs", "3", "--lr", "0.05",
                     "--batch-size", "32", "--output-dir", str(out), "--quiet",
                     *(["--stream"] if reading == "stream" else []))  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = _metrics(out)
    assert metrics["test_auc"] > 0.9  # the label is the user's: the linear term has it
    assert metrics.get("streamed", False) == (reading != "memory")
    if reading != "memory":  # 80% of the rows by a hash of each, counted in one pass
        assert 140 <= metrics["num_train"] <= 180 and "Counted" in result.stdout
        assert metrics["files"] == [str(source)]


# The resume mechanism (RunBackup through TrainingRun) is tested on every backend by
# train_cifar's and train_bert's kill tests; what this application adds (its saved
# vocabularies) does not depend on the backend, so one backend runs this slow test.
@pytest.mark.tf_only
@pytest.mark.slow
def test_killed_run_resumes_with_its_vocabularies(tmp_path):
    out = tmp_path / "run"
    command = app_command("train_recommender.py", "--dataset", "synthetic", "--max-rows",
                          "4000", "--batch-size", "64", "--epochs", "4", "--hidden-units", "8",
                          "--output-dir", str(out), "--quiet")  # fmt: skip
    killed_at = kill_after_epochs(command, out, epochs=1)
    saved = (out / "tabular_encoder.json").read_text()
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Resuming from epoch {killed_at}" in result.stdout
    assert (out / "tabular_encoder.json").read_text() == saved
    assert _metrics(out)["resumed_from_epoch"] == killed_at


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "dcn"], "argument --model: invalid choice: 'dcn'"),
        (["--dataset", "criteo"], "criteo data set is read from its files"),
        (["--dataset", "csv", "--csv", "x.csv"], "needs --csv FILE, --label COLUMN and --features"),
        (["--dataset", "csv", "--csv", "x.csv", "--stream"], "needs --csv FILE (or folder, or"),
        (["--dataset", "csv", "--stream", "--in-memory"], "--stream and --in-memory contradict"),
        (["--dataset", "synthetic", "--stream"], "--stream reads files of --dataset csv or"),
        (["--dataset", "synthetic", "--shard-by", "files"], "--shard-by files shards a streamed"),
        (["--dataset", "criteo", "--in-memory", "--cache-encoded"], "--cache-encoded keeps a"),
        (["--dataset", "csv", "--csv", "x.parquet", "--in-memory"], "Parquet files are streamed"),
        (["--dataset", "csv", "--csv", "x.csv", "--label", "y", "--features", "a:sparse",
          "--stream", "--encoding", "latin-1"], "--stream reads UTF-8 files"),
        (["--dataset", "synthetic", "--features", "user:tensor"], "kind='tensor' is not supported"),
        (["--dataset", "synthetic", "--crosses", "user_id:item_id"], "--crosses is for wide_deep"),
        (["--dataset", "synthetic", "--model", "wide_deep", "--crosses", "user_id:noise"],
         "cross ('user_id', 'noise') must name two or more SparseFeatures"),
        (["--dataset", "synthetic", "--embedding-dim", "0"], "--embedding-dim: must be a positive"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys, tmp_path):
    argv = [*argv, "--epochs", "1", "--output-dir", str(tmp_path / "run")]
    assert_exits_2_with_one_line("train_recommender.py", argv, message, capsys)


def test_offline_movielens_says_where_to_put_files(run_app, tmp_path):
    os.environ["TFDS_DATA_DIR"] = str(tmp_path / "tfds")
    try:
        result = run_app("train_recommender.py", "--output-dir", str(tmp_path / "run"),
                         timeout=120)  # fmt: skip
    finally:
        del os.environ["TFDS_DATA_DIR"]
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert "ml-100k.zip extracted" in last and "--data-dir" in last
