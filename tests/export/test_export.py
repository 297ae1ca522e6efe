"""zoo.export: every registered model to ONNX (and SavedModel), verified against Keras.

Artifacts are traced as TensorFlow graphs on every backend (in a subprocess off tensorflow),
so the registry-wide test runs on the tensorflow backend only (`tf_only`): on jax and torch it
would trace the same graphs again, one subprocess per model, for ~3 minutes of CI. The
jax/torch path (subprocess, weights reloaded under tensorflow, artifact checked against this
backend's outputs) is tested on every backend by `test_exports_from_this_backend`.
"""

import json
import os

import keras
import numpy as np
import onnx
import pytest

from tests.helpers import with_cost_marks
from zoo import build_bert_classifier, create_model, get_model_spec, list_models
from zoo.errors import ConfigError, ExportError
from zoo.export import (
    FLOAT32_TOLERANCE,
    INT8_TOLERANCE,
    OPSETS,
    SERVING_ENDPOINT,
    VerificationError,
    export,
)
from zoo.export.signature import input_specs, output_names
from zoo.export.verify import example_inputs, run_artifact

ALL_MODELS = list_models()
# gpt_mini and GPT-2 medium, large and xl are the graphs of gpt_nano and gpt2 (exported with
# one block, like every large transformer preset) at other widths: those two stand for them,
# as bert_base does for bert_large (a 1024-wide block: half a minute of tf2onnx).
EXPORTED_MODELS = [name for name in ALL_MODELS if name not in
                   ("gpt_mini", "gpt2_medium", "gpt2_large", "gpt2_xl", "bert_large")]  # fmt: skip


def _smallest_of_each_builder():
    """The registered model with the fewest parameters for each builder function."""
    smallest = {}
    for name in ALL_MODELS:
        spec = get_model_spec(name)
        kept = smallest.get(spec.builder)
        if kept is None or spec.parameter_count < get_model_spec(kept).parameter_count:
            smallest[spec.builder] = name
    return set(smallest.values())


# Both formats serve the same traced function (`zoo.export.writers`), so the SavedModel writer
# runs on one model per builder; its larger presets (resnet32-110, BERT above bert_tiny,
# bilstm_text) repeat that graph deeper or wider and are exported to ONNX only (CI minutes).
SAVED_MODEL_CASES = _smallest_of_each_builder()


# The smallest preset of each transformer family, exported whole.
WHOLE_TRANSFORMERS = ("bert_tiny", "gpt_nano")


def _registered(name):
    """The registered model; BERT and GPT presets above bert_tiny and gpt_nano with one block
    and a 1,000-token vocabulary (same width, heads and block: the other blocks repeat its
    graph, and tf2onnx needs ~2 minutes and 15 GB for bert_base's full weights)."""
    spec = get_model_spec(name)
    if name in WHOLE_TRANSFORMERS:
        return create_model(name)
    if spec.task == "text_encoder":
        return create_model(name, num_layers=1, vocabulary_size=1000)
    if spec.task == "causal_lm":
        from zoo.models.gpt import resolve_gpt_config

        config = resolve_gpt_config(name).replace(num_layers=1, vocabulary_size=1000)
        return create_model(name, preset_or_config=config, name=name)
    return create_model(name)


def _onnx_dimensions(path):
    graph = onnx.load(str(path), load_external_data=False).graph
    return {
        value.name: [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
        for value in graph.input
    }


def _assert_open_dimensions_stay_open(model, path):
    dimensions = _onnx_dimensions(path)
    for spec in input_specs(model):
        exported = dimensions[spec.name]
        for keras_size, onnx_size in zip(spec.shape, exported, strict=True):
            if keras_size is None:
                assert isinstance(onnx_size, str), (spec.name, exported)
            else:
                assert onnx_size == keras_size, (spec.name, exported)


def _saved_model_signatures(path):
    """The signature definitions in `saved_model.pb`, read without loading the functions."""
    from tensorflow.core.protobuf import saved_model_pb2

    saved = saved_model_pb2.SavedModel.FromString((path / "saved_model.pb").read_bytes())
    return dict(saved.meta_graphs[0].signature_def)


@pytest.mark.tf_only
@pytest.mark.parametrize("name", with_cost_marks(EXPORTED_MODELS))
def test_every_registered_model_exports_verified(name, tmp_path):
    model = _registered(name)
    onnx_report = export(model, tmp_path / f"{name}.onnx", format="onnx")
    reports = [onnx_report]
    if name in SAVED_MODEL_CASES:
        reports.append(export(model, tmp_path / name, format="saved_model"))
    for report in reports:
        check = report.verification
        assert check.max_abs_difference <= check.tolerance, check
        assert check.batch_sizes == (1, 3)  # the batch dimension is dynamic
        assert report.outputs == output_names(model)
        assert list(report.inputs) == [spec.name for spec in input_specs(model)]
    assert onnx_report.opset == 17
    _assert_open_dimensions_stay_open(model, tmp_path / f"{name}.onnx")
    if name in SAVED_MODEL_CASES:
        signatures = _saved_model_signatures(tmp_path / name)  # verify fed `serve` by name
        for signature in (signatures[SERVING_ENDPOINT], signatures["serving_default"]):
            assert sorted(signature.inputs) == sorted(onnx_report.inputs)
            assert sorted(signature.outputs) == sorted(onnx_report.outputs)


def _assert_matches(model, path, format, atol):
    names = [spec.name for spec in input_specs(model)]
    arrays = example_inputs(model, batch_size=5, sequence_length=7, seed=3)
    actual = run_artifact(path, format, arrays, names)
    if isinstance(model.input, dict):
        inputs = dict(zip(names, arrays, strict=True))
    else:
        inputs = keras.tree.pack_sequence_as(model.input, arrays)
    expected = model.predict(inputs, verbose=0)
    if not isinstance(expected, dict):
        expected = dict(zip(output_names(model), keras.tree.flatten(expected), strict=True))
    for name, value in expected.items():
        np.testing.assert_allclose(actual[name], value, atol=atol)


@pytest.mark.skipif(keras.backend.backend() == "tensorflow",
                    reason="tensorflow: the registry-wide test exports in process")  # fmt: skip
def test_exports_from_this_backend(tmp_path):
    """A BERT classifier saved on this backend, exported in both formats; the artifacts
    match this backend's outputs at another batch size and sequence length."""
    model = build_bert_classifier("bert_tiny", num_classes=3)
    model.save(tmp_path / "bert.keras")
    for format, path in [("onnx", tmp_path / "bert.onnx"), ("saved_model", tmp_path / "bert")]:
        report = export(tmp_path / "bert.keras", path, format=format)
        assert report.model_backend == keras.backend.backend()
        assert report.traced_by.startswith("tensorflow")
        _assert_matches(model, path, format, atol=1e-4)
    token_ids = _onnx_dimensions(tmp_path / "bert.onnx")["token_ids"]
    assert all(isinstance(size, str) for size in token_ids)  # batch and sequence length open


@pytest.mark.tf_only
def test_int8_onnx_is_quantized_and_within_its_tolerance(tmp_path):
    model = create_model("bert_tiny")
    report = export(model, tmp_path / "bert.onnx", format="onnx", precision="int8")
    check = report.verification
    assert report.precision == "int8" and check.tolerance >= INT8_TOLERANCE
    assert FLOAT32_TOLERANCE < check.max_abs_difference <= check.tolerance  # really quantized
    ops = {node.op_type for node in onnx.load(str(tmp_path / "bert.onnx")).graph.node}
    assert ops & {"DynamicQuantizeMatMul", "MatMulInteger", "DynamicQuantizeLinear"}, ops


@pytest.mark.tf_only
def test_keras_int8_quantized_model_exports_its_int8_weights(tmp_path):
    from zoo.compress.quantization import quantize

    model = create_model("bert_tiny")
    quantize(model, "int8")
    report = export(model, tmp_path / "bert.onnx", format="onnx")
    assert report.verification.max_abs_difference <= report.verification.tolerance
    initializers = onnx.load(str(tmp_path / "bert.onnx")).graph.initializer
    assert any(tensor.data_type == onnx.TensorProto.INT8 for tensor in initializers)


def test_existing_path_is_refused_and_left_untouched(tmp_path):
    target = tmp_path / "model.onnx"
    target.write_text("keep me")
    with pytest.raises(ConfigError, match="already exists; choose another path or pass overwrite"):
        export(create_model("cnn"), target, format="onnx")
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("opset", [13, 19, 21])
def test_unsupported_opset_names_the_range(opset, tmp_path):
    with pytest.raises(ConfigError, match=f"opset {opset} is not supported; tf2onnx writes "
                                          f"opsets {OPSETS[0]} to {OPSETS[-1]}"):  # fmt: skip
        export(create_model("cnn"), tmp_path / "m.onnx", format="onnx", opset=opset)
    assert not list(tmp_path.iterdir())


def test_bad_arguments_are_named(tmp_path):
    model = create_model("cnn")
    with pytest.raises(ConfigError, match="format"):
        export(model, tmp_path / "m", format="tflite")
    with pytest.raises(ConfigError, match="applies to ONNX only"):
        export(model, tmp_path / "m", format="saved_model", opset=17)
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ConfigError, match="is not a Keras model file"):
        export(tmp_path / "notes.txt", tmp_path / "m.onnx", format="onnx")
    fake = tmp_path / "fake.keras"
    fake.write_text("not a zip")
    with pytest.raises(ConfigError, match="is not a Keras model file"):
        export(fake, tmp_path / "m.onnx", format="onnx")
    with pytest.raises(ConfigError, match="does not exist"):
        export(tmp_path / "missing.keras", tmp_path / "m.onnx", format="onnx")


def test_unwritable_path_is_refused(tmp_path):
    (tmp_path / "file").write_text("a file, not a folder")
    with pytest.raises(ConfigError, match="cannot create the folder"):
        export(create_model("cnn"), tmp_path / "file" / "m.onnx", format="onnx")
    if os.geteuid() != 0:  # root writes into read-only folders
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ConfigError, match="cannot write to"):
            export(create_model("cnn"), locked / "m.onnx", format="onnx")


def test_onnx_conversion_too_big_for_memory_is_refused_up_front(tmp_path, monkeypatch):
    import zoo.export.writers as writers

    monkeypatch.setattr(writers, "TF2ONNX_MEMORY_FACTOR", 10**9)
    with pytest.raises(ExportError, match="GB of memory .* Export a SavedModel"):
        export(create_model("cnn"), tmp_path / "m.onnx", format="onnx")
    assert not list(tmp_path.iterdir())


@pytest.mark.tf_only
def test_failed_verification_leaves_nothing_behind(tmp_path, monkeypatch):
    import zoo.export.exporter as exporter

    target = tmp_path / "out" / "model.onnx"
    monkeypatch.setattr(exporter, "FLOAT32_TOLERANCE", -1.0)  # any difference fails
    with pytest.raises(VerificationError, match="differs from the Keras model by"):
        export(create_model("cnn"), target, format="onnx")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.tf_only
def test_overwrite_replaces_an_artifact(tmp_path):
    target = tmp_path / "saved"
    export(create_model("cnn", num_classes=3), target, format="saved_model")
    report = export(create_model("cnn", num_classes=4), target, format="saved_model",
                    overwrite=True)  # fmt: skip
    assert report.verification is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved"]


@pytest.mark.tf_only  # the command parses and calls `export`, whose jax/torch path is above
def test_zoo_export_command(tmp_path, capsys):
    from zoo.cli import main

    create_model("lstm_forecaster").save(tmp_path / "forecaster.keras")
    main(["export", str(tmp_path / "forecaster.keras"), "--format", "onnx", "--opset", "15",
          "--json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert report["path"] == str(tmp_path / "forecaster.onnx") and report["opset"] == 15
    assert report["verification"]["max_abs_difference"] <= report["verification"]["tolerance"]
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(tmp_path / "forecaster.keras"), "--format", "onnx"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "already exists" in error
