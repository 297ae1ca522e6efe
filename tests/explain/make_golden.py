"""Golden explanations for the cross-backend agreement test (tests/explain/test_golden.py).

Every case builds a tiny model, sets its weights from a numpy `RandomState` (the same
numbers on every backend) and explains generated inputs. `test_cross_backend_agreement`
recomputes each case on the current backend and compares it with `golden.npz`, written once
under TensorFlow by:

    KERAS_BACKEND=tensorflow python -m tests.explain.make_golden
"""

import functools
from pathlib import Path

import keras
import numpy as np

from zoo import build_cnn, build_deepfm, build_wide_deep
from zoo.explain import feature_attributions, grad_cam, integrated_gradients
from zoo.features import DenseFeature, SequenceFeature, SparseFeature
from zoo.models.bert import BertConfig, build_bert_classifier

GOLDEN_PATH = Path(__file__).with_name("golden.npz")
# Agreement with the TensorFlow golden values on every backend: max |got - golden| <=
# CROSS_BACKEND_TOLERANCE * max |golden| per array (float32 arithmetic in another order;
# measured on jax and torch: at most 6e-7 of the scale).
CROSS_BACKEND_TOLERANCE = 1e-5
STEPS = 64  # also what the completeness tests check, on these same (cached) results

TINY_BERT = BertConfig(num_layers=1, hidden_dim=8, num_heads=2, vocabulary_size=20,
                       max_sequence_length=8)  # fmt: skip
RECOMMENDER_FEATURES = [SparseFeature("user", 30, 4), SparseFeature("item", 20, 4),
                        SequenceFeature("genres", 8, max_length=3, embedding_dim=4),
                        DenseFeature("age"), DenseFeature("context", 2)]  # fmt: skip


def set_weights(model, seed, scale=0.3):
    """Give `model` normal(0, scale) weights from `RandomState(seed)`: the same on every backend."""
    rng = np.random.RandomState(seed)
    model.set_weights([rng.normal(scale=scale, size=w.shape).astype("float32")
                       for w in model.get_weights()])  # fmt: skip
    return model


def tiny_cnn(seed=0):
    return set_weights(build_cnn((8, 8, 3), 4, filters=(4, 6), dense_units=8), seed)


def images(n=3, seed=1):
    return np.random.RandomState(seed).normal(size=(n, 8, 8, 3)).astype("float32")


def tiny_bert(seed=2, num_classes=3):
    return set_weights(build_bert_classifier(TINY_BERT, num_classes=num_classes, name="clf"), seed)


def token_batch(n=2, length=6, seed=3):
    rng = np.random.RandomState(seed)
    mask = np.ones((n, length), "int32")
    mask[0, length - 2 :] = 0
    return {"token_ids": rng.randint(1, TINY_BERT.vocabulary_size, (n, length)).astype("int32"),
            "segment_ids": rng.randint(0, 2, (n, length)).astype("int32"),
            "padding_mask": mask}  # fmt: skip


def recommender_batch(n=4, seed=4):
    rng = np.random.RandomState(seed)
    genres = rng.randint(0, 8, (n, 3))
    genres[:, 0] = np.maximum(genres[:, 0], 1)
    return {"user": rng.randint(0, 30, (n, 1)), "item": rng.randint(0, 20, (n, 1)),
            "genres": genres, "age": rng.normal(size=(n, 1)).astype("float32"),
            "context": rng.normal(size=(n, 2)).astype("float32")}  # fmt: skip


def tiny_deepfm(seed=5):
    return set_weights(build_deepfm(RECOMMENDER_FEATURES, hidden_units=(8,)), seed, scale=0.5)


def tiny_wide_deep(seed=6):
    model = build_wide_deep(RECOMMENDER_FEATURES[:2], RECOMMENDER_FEATURES,
                            crosses=[("user", "item")], cross_buckets=50,
                            hidden_units=(8,))  # fmt: skip
    return set_weights(model, seed, scale=0.5)


@functools.cache
def explanations():
    """{case: Attribution or heatmaps} on the current backend, computed once per process
    (the completeness tests check these same results)."""
    cnn, x = tiny_cnn(), images()
    return {
        "cnn_ig": integrated_gradients(cnn, x, steps=STEPS),
        "cnn_grad_cam/default": grad_cam(cnn, x, target=[0, 1, 2]),
        "cnn_grad_cam/block1": grad_cam(cnn, x, layer="cnn_block1_conv"),
        "bert_ig": integrated_gradients(
            tiny_bert(), token_batch(), layer="bert_token_embedding", steps=STEPS
        ),  # fmt: skip
        "deepfm": feature_attributions(tiny_deepfm(), recommender_batch(), steps=STEPS),
        "wide_deep": feature_attributions(tiny_wide_deep(), recommender_batch(), steps=STEPS),
    }


def compute_cases():
    """{key: array} of every golden value, computed on the current backend."""
    results = explanations()
    out = {key: value for key, value in results.items() if key.startswith("cnn_grad_cam")}
    for name in ("cnn_ig", "bert_ig"):
        out[f"{name}/attributions"] = results[name].attributions
        out[f"{name}/target"] = results[name].target
    for name in ("deepfm", "wide_deep"):
        for feature, scores in results[name].scores.items():
            out[f"{name}_features/{feature}"] = scores
    return out


if __name__ == "__main__":
    if keras.backend.backend() != "tensorflow":
        raise SystemExit("Write the golden values under KERAS_BACKEND=tensorflow.")
    cases = compute_cases()
    np.savez_compressed(GOLDEN_PATH, **cases)
    print(f"wrote {GOLDEN_PATH} ({GOLDEN_PATH.stat().st_size} bytes, {len(cases)} arrays)")
