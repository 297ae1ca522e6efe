"""Streamed batches encoded for the recommenders: as the in-memory path, on every backend."""

import keras
import numpy as np
import pytest

from benchmarks.make_criteo_like import write_criteo_like
from zoo.data.streaming import CriteoStream
from zoo.data.streaming_encode import encode_stream
from zoo.data.streaming_stats import fit_streaming
from zoo.data.tabular import criteo_specs
from zoo.data.tabular_files import read_criteo
from zoo.models.recommenders import build_deepfm


def test_encoded_stream_equals_the_in_memory_encoding(tmp_path):
    path = write_criteo_like(tmp_path / "day_0.txt", 600, seed=2, chunk=512)
    stream = CriteoStream.open(path)
    encoder = fit_streaming(criteo_specs(4, min_frequency=2), stream.dataset(256)).encoder
    columns = read_criteo(path)
    labels = columns.pop("label")
    expected = list(encoder.dataset(columns, labels, batch_size=200).as_numpy_iterator())
    streamed = list(encode_stream(encoder, stream.dataset(200)).as_numpy_iterator())
    assert len(streamed) == len(expected) == 3
    for (got, got_label), (want, want_label) in zip(streamed, expected, strict=True):
        assert np.array_equal(got_label, want_label)
        for name, values in want.items():
            assert got[name].dtype == values.dtype and np.array_equal(got[name], values), name
    assert int(streamed[0][0]["C3"].max()) > 1  # known values, not only unknown ids


@pytest.mark.slow  # DeepFM trains for two epochs, on every backend
def test_a_recommender_trains_on_the_stream(tmp_path):
    path = write_criteo_like(tmp_path / "day_0.txt", 1024, seed=4, chunk=512)
    stream = CriteoStream.open(path)
    fit = fit_streaming(criteo_specs(4, min_frequency=2), stream.dataset(512, split="train"))
    model = build_deepfm(fit.encoder.features, hidden_units=(8,))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    # The pass counted the training rows: epochs of a known number of whole batches.
    train = stream.dataset(128, split="train", shuffle_buffer=256, drop_remainder=True).repeat()
    history = model.fit(encode_stream(fit.encoder, train), epochs=2, verbose=0, shuffle=False,
                        steps_per_epoch=fit.rows // 128)  # fmt: skip
    assert np.isfinite(history.history["loss"]).all() and len(history.history["loss"]) == 2
    validation = encode_stream(fit.encoder, stream.dataset(128, split="validation"))
    predictions = np.concatenate(
        [model.predict_on_batch(x) for x, _ in validation.as_numpy_iterator()]
    )
    assert predictions.shape[1] == 1 and 50 < len(predictions) < 160
    assert keras.backend.backend() in ("tensorflow", "jax", "torch")
