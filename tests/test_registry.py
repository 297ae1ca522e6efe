import pytest

from zoo import (
    ConfigError,
    UnknownModelError,
    create_model,
    get_model_spec,
    list_models,
    register_model,
)
from zoo.registry import _REGISTRY


def test_list_models_patterns_and_tasks():
    # Natural order, as timm lists them: the depth by value.
    assert list_models("resnet*") == ["resnet9", "resnet20", "resnet32", "resnet44",
                                      "resnet56", "resnet110"]  # fmt: skip
    assert list_models("cnn") == ["cnn"]
    assert list_models(task="no_such_task") == []
    assert "cnn" in list_models(task="image_classification")


def test_spec_has_task_shape_parameters_reference_and_recipe():
    spec = get_model_spec("resnet20")
    assert spec.task == "image_classification"
    assert spec.input_shape == (32, 32, 3)
    assert spec.parameter_count == 271_098
    assert str(spec.reference).startswith("91.25% test accuracy on CIFAR-10")
    assert spec.recipe.schedule == "step"


def test_unknown_name_lists_closest():
    with pytest.raises(UnknownModelError) as error:
        get_model_spec("resnt20")
    assert (
        str(error.value) == "Unknown model 'resnt20'; did you mean resnet20, resnet32, resnet110?"
    )
    with pytest.raises(UnknownModelError, match="see `zoo list`"):
        create_model("completely-different")


def test_create_model_applies_overrides():
    model = create_model("resnet20", num_classes=100, name="r")
    assert model.output_shape == (None, 100)
    assert model.name == "r"


def test_register_model_and_duplicates():
    @register_model("tmp_test_model", task="testing", input_shape=(3,), parameter_count=0, size=2)
    def build_tmp(size=1):
        """A test builder."""
        return size

    try:
        spec = get_model_spec("tmp_test_model")
        assert spec.description == "A test builder."
        assert create_model("tmp_test_model") == 2
        assert create_model("tmp_test_model", size=5) == 5
        with pytest.raises(ConfigError, match="already registered"):
            register_model("tmp_test_model", task="t", input_shape=(1,), parameter_count=0)(
                build_tmp
            )
    finally:
        _REGISTRY.pop("tmp_test_model")


MEASURED_CNN = {
    "dataset": "Fashion-MNIST", "metric": "test accuracy", "value": 91.9, "epochs": 20,
    "backend": "jax", "date": "2030-01-02", "unit": "%", "higher_is_better": True,
    "command": "zoo train image --model cnn --dataset fashion_mnist",
    "baseline": "plain Keras CNN", "baseline_value": 91.1,
}  # fmt: skip


def test_measured_results_come_from_the_quality_benchmarks_module(monkeypatch):
    from zoo import _measured

    monkeypatch.setattr(_measured, "MEASURED", {"cnn": [MEASURED_CNN]})
    (result,) = get_model_spec("cnn").measured
    assert result.value == 91.9 and result.epochs == 20 and result.backend == "jax"
    assert str(result) == ("91.9% test accuracy on Fashion-MNIST (20 epochs, jax, 2030-01-02); "
                           "plain Keras CNN in the same run: 91.1%")  # fmt: skip
    assert get_model_spec("resnet56").measured == ()


def test_every_measured_entry_names_a_registered_model_and_a_full_result():
    """What the quality benchmark wrote into zoo/_measured.py loads as MeasuredResults."""
    from zoo._measured import MEASURED

    for name, entries in MEASURED.items():
        spec = get_model_spec(name)
        assert len(spec.measured) == len(entries)
        for result in spec.measured:
            assert result.epochs >= 1 and result.command.startswith("zoo train ")
            assert result.backend in ("tensorflow", "jax", "torch")


def test_register_model_path_imports_the_builder_only_to_build():
    from zoo.registry import register_model_path

    register_model_path("tmp_path_model", "json:dumps", task="testing", input_shape=(1,),
                        parameter_count=0, description="json.dumps as a builder",
                        obj=[1, 2])  # fmt: skip
    register_model_path("tmp_broken_model", "no_such_package.models:build", task="testing",
                        input_shape=(1,), parameter_count=0, description="broken")  # fmt: skip
    try:
        spec = get_model_spec("tmp_path_model")
        assert spec._builder is None  # nothing imported by registering or reading the spec
        assert create_model("tmp_path_model") == "[1, 2]"
        assert spec.builder.__name__ == "dumps"
        with pytest.raises(ConfigError, match="'no_such_package.models:build'.*cannot be"):
            create_model("tmp_broken_model")
        with pytest.raises(ConfigError, match="already registered"):
            register_model_path("tmp_path_model", "json:loads", task="t", input_shape=(1,),
                                parameter_count=0, description="")  # fmt: skip
    finally:
        _REGISTRY.pop("tmp_path_model")
        _REGISTRY.pop("tmp_broken_model")


def test_fixed_input_sizes_are_declared():
    # A flattened feature map (cnn) and a window-wide linear map (the forecaster) cannot change
    # size after building; the ResNets pool globally and are built at the data's own size.
    fixed = {name for name in list_models() if get_model_spec(name).fixed_input_size}
    assert fixed == {"cnn", "lstm_forecaster"}
    # The cnn's dense layer is sized by the input; a ResNet's weights are not.
    assert create_model("cnn", input_shape=(28, 28, 3)).count_params() != 545_098
    assert create_model("resnet20", input_shape=(28, 28, 3)).count_params() == 271_098
