import keras
import pytest

from zoo import RESNET_PRESETS, ConfigError, ResNetConfig, build_resnet, get_model_spec

WEIGHTED = (keras.layers.Conv2D, keras.layers.Dense)


def _weighted_layers(model):
    return [layer for layer in model.layers if isinstance(layer, WEIGHTED)]


@pytest.mark.parametrize("depth", [20, 32, 56])
def test_depth_counts_weighted_layers(depth):
    model = build_resnet(depth)
    assert len(_weighted_layers(model)) == depth  # 6n+1 convolutions and the classifier


def test_paper_parameter_counts():
    # He et al. 2015, Table 6: 0.27M, 0.85M, 1.7M.
    assert round(build_resnet(20).count_params() / 1e6, 2) == 0.27
    assert round(get_model_spec("resnet56").parameter_count / 1e6, 2) == 0.86
    assert round(get_model_spec("resnet110").parameter_count / 1e6, 1) == 1.7


def test_option_a_has_no_shortcut_parameters_and_b_projects():
    a = build_resnet(20, shortcut="A")
    b = build_resnet(20, shortcut="B")
    assert b.count_params() > a.count_params()
    assert "resnet20_stage2_block1_shortcut_conv" in [layer.name for layer in b.layers]
    assert a.get_layer("resnet20_stage2_block1_shortcut").count_params() == 0


def test_stage_shapes():
    model = build_resnet(20, include_top=False)
    assert model.get_layer("resnet20_stage1_block3_out").output.shape[1:] == (32, 32, 16)
    assert model.get_layer("resnet20_stage2_block1_out").output.shape[1:] == (16, 16, 32)
    assert model.output_shape == (None, 8, 8, 64)


def test_preset_names_and_configs():
    assert build_resnet("resnet32").name == "resnet32"
    wide = build_resnet(ResNetConfig(depth=8, widths=(8, 16, 32)), num_classes=3)
    assert wide.output_shape == (None, 3)
    assert sorted(RESNET_PRESETS) == ["resnet110", "resnet20", "resnet32", "resnet44", "resnet56"]


def test_registered_reference_is_the_paper():
    reference = get_model_spec("resnet20").reference
    assert (reference.dataset, reference.value) == ("CIFAR-10", 91.25)
    assert "He et al. 2015" in reference.source


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"depth": 21}, "depth=21 is not 6n\\+2"),
        ({"depth": 2}, "depth=2"),
        ({"depth": "resnet57"}, "unknown preset 'resnet57'"),
        ({"shortcut": "C"}, "shortcut='C'"),
        ({"num_classes": -1}, "num_classes"),
        ({"input_shape": (2, 2, 3)}, "height and width >= 4"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        build_resnet(**kwargs)


def test_any_input_size_without_top():
    model = build_resnet(20, input_shape=(None, None, 3), include_top=False, pooling="avg")
    assert model.output_shape == (None, 64)
