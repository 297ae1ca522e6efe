"""Explanations of zoo models on any backend: gradients, integrated gradients, Grad-CAM,
per-feature attributions for recommenders, BERT attention maps with attention rollout, and
PNG pictures of them.

Example:
>>> from zoo.explain import grad_cam, integrated_gradients
>>> attribution = integrated_gradients(model, images, steps=64)  # doctest: +SKIP
>>> heatmaps = grad_cam(model, images)  # doctest: +SKIP
"""

from zoo.explain.attention import (
    attention_maps,
    attention_rollout,
)
from zoo.explain.feature_attribution import attribution_points, feature_attributions
from zoo.explain.grad_cam import grad_cam, last_convolutional_layer
from zoo.explain.gradients import value_and_gradients
from zoo.explain.integrated_gradients import (
    COMPLETENESS_TOLERANCE,
    Attribution,
    integrated_gradients,
)
from zoo.explain.pictures import (
    save_attention_maps,
    save_feature_scores,
    save_heatmap_overlay,
    save_rollout,
    save_token_scores,
)
from zoo.explain.targets import resolve_target

__all__ = [
    "COMPLETENESS_TOLERANCE",
    "Attribution",
    "attention_maps",
    "attention_rollout",
    "attribution_points",
    "feature_attributions",
    "grad_cam",
    "integrated_gradients",
    "last_convolutional_layer",
    "resolve_target",
    "save_attention_maps",
    "save_feature_scores",
    "save_heatmap_overlay",
    "save_rollout",
    "save_token_scores",
    "value_and_gradients",
]
