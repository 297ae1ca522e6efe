"""The same weights give the same explanations on every backend (see make_golden.py)."""

import numpy as np

from tests.explain import make_golden

GOLDEN = dict(np.load(make_golden.GOLDEN_PATH))


def test_cross_backend_agreement():
    """IG on a CNN and on BERT token embeddings, Grad-CAM at two layers, and DeepFM /
    Wide&Deep feature attributions agree with TensorFlow's within CROSS_BACKEND_TOLERANCE."""
    cases = make_golden.compute_cases()
    assert sorted(cases) == sorted(GOLDEN)
    for key, golden in GOLDEN.items():
        got = cases[key]
        assert got.shape == golden.shape, key
        scale = max(float(np.abs(golden).max()), 1e-12)
        difference = float(np.abs(got - golden).max())
        assert difference <= make_golden.CROSS_BACKEND_TOLERANCE * scale, (key, difference, scale)


def test_golden_file_is_small_and_complete():
    assert make_golden.GOLDEN_PATH.stat().st_size < 100_000
    assert "wide_deep_features/user x item" in GOLDEN and "bert_ig/attributions" in GOLDEN
