import numpy as np
import pytest

from tests.explain import make_golden
from tests.explain.test_integrated_gradients import _assert_complete
from zoo.explain import attribution_points


def test_points_are_found_by_walking_the_graph():
    points = {label: feature for _, label, feature in
              attribution_points(make_golden.tiny_wide_deep())}  # fmt: skip
    assert points == {
        "age": "age", "context": "context",
        "wide_deep_user_embedding": "user", "wide_deep_item_embedding": "item",
        "wide_deep_genres_embedding": "genres", "wide_deep_user_linear": "user",
        "wide_deep_item_linear": "item",
        # the cross's ids are hashed (no weights): its first float tensor is its linear weight
        "wide_deep_cross_user_item_linear": "user x item",
    }  # fmt: skip


@pytest.mark.parametrize("name, features", [
    ("deepfm", ["age", "context", "genres", "item", "user"]),
    ("wide_deep", ["age", "context", "genres", "item", "user", "user x item"]),
])  # fmt: skip
def test_recommender_attributions_are_complete_per_feature(name, features):
    result = make_golden.explanations()[name]
    assert sorted(result.scores) == features
    assert all(scores.shape == (4,) for scores in result.scores.values())
    total = sum(result.scores.values())
    np.testing.assert_allclose(np.abs(total - result.output_difference),
                               result.completeness_gap, atol=1e-6)  # fmt: skip
    _assert_complete(result)
    assert result.target.tolist() == [0] * 4  # the single sigmoid unit explains itself
