"""Imported BERT weights give the source model's outputs (random models built here)."""

import json

import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo.convert import from_huggingface, from_keras_hub
from zoo.errors import ConfigError

SIZE = dict(vocabulary=120, layers=2, heads=2, hidden=32, intermediate=64, positions=24)


def _inputs():
    rng = np.random.default_rng(0)
    mask = np.ones((2, 11), "int32")
    mask[0, 7:] = 0
    return {
        "token_ids": rng.integers(0, SIZE["vocabulary"], (2, 11)).astype("int32"),
        "segment_ids": rng.integers(0, 2, (2, 11)).astype("int32"),
        "padding_mask": mask,
    }


def _assert_same(expected_sequence, expected_pooled, encoder):
    outputs = encoder(_inputs())
    np.testing.assert_allclose(to_numpy(outputs["sequence_output"]), expected_sequence, atol=1e-4)
    np.testing.assert_allclose(to_numpy(outputs["pooled_output"]), expected_pooled, atol=1e-4)


# --- keras-hub -------------------------------------------------------------------------


@pytest.fixture
def keras_hub_backbone():
    keras_hub = pytest.importorskip("keras_hub")
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=SIZE["vocabulary"], num_layers=SIZE["layers"], num_heads=SIZE["heads"],
        hidden_dim=SIZE["hidden"], intermediate_dim=SIZE["intermediate"],
        max_sequence_length=SIZE["positions"],
    )  # fmt: skip
    rng = np.random.default_rng(1)
    for weight in backbone.weights:  # LayerNorms and biases away from their 1 / 0 start
        weight.assign(to_numpy(weight) + rng.normal(0, 0.1, weight.shape).astype("float32"))
    return backbone


def test_keras_hub_backbone_object(keras_hub_backbone):
    outputs = keras_hub_backbone(_inputs())
    encoder = from_keras_hub(keras_hub_backbone)
    _assert_same(to_numpy(outputs["sequence_output"]), to_numpy(outputs["pooled_output"]), encoder)


def test_keras_hub_preset_directory(keras_hub_backbone, tmp_path):
    keras_hub_backbone.save_to_preset(str(tmp_path / "preset"))
    outputs = keras_hub_backbone(_inputs())
    encoder = from_keras_hub(tmp_path / "preset")
    _assert_same(to_numpy(outputs["sequence_output"]), to_numpy(outputs["pooled_output"]), encoder)


def test_keras_hub_directory_errors(tmp_path):
    from zoo.errors import DataSourceError

    with pytest.raises(DataSourceError, match="no config.json"):
        from_keras_hub(tmp_path)


# --- Hugging Face ----------------------------------------------------------------------


@pytest.fixture
def hf_model():
    transformers = pytest.importorskip("transformers")
    import torch

    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=SIZE["vocabulary"], hidden_size=SIZE["hidden"],
        num_hidden_layers=SIZE["layers"], num_attention_heads=SIZE["heads"],
        intermediate_size=SIZE["intermediate"], max_position_embeddings=SIZE["positions"],
    )  # fmt: skip
    model = transformers.BertModel(config).eval()
    with torch.no_grad():
        for parameter in model.parameters():  # LayerNorms and biases away from 1 / 0
            parameter.add_(0.1 * torch.randn_like(parameter))
    return model


def _hf_outputs(model):
    import torch

    inputs = _inputs()
    with torch.no_grad():
        out = model(
            input_ids=torch.tensor(inputs["token_ids"], dtype=torch.long),
            token_type_ids=torch.tensor(inputs["segment_ids"], dtype=torch.long),
            attention_mask=torch.tensor(inputs["padding_mask"], dtype=torch.long),
        )
    return out.last_hidden_state.numpy(), out.pooler_output.numpy()


def test_huggingface_safetensors_checkpoint(hf_model, tmp_path):
    hf_model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").is_file()
    _assert_same(*_hf_outputs(hf_model), from_huggingface(tmp_path))


def test_huggingface_pytorch_bin_checkpoint(hf_model, tmp_path):
    import torch

    # transformers 5 writes safetensors only; older checkpoints hold a torch pickle.
    torch.save(hf_model.state_dict(), tmp_path / "pytorch_model.bin")
    (tmp_path / "config.json").write_text(hf_model.config.to_json_string())
    _assert_same(*_hf_outputs(hf_model), from_huggingface(tmp_path))


def test_huggingface_gamma_beta_naming_and_bert_prefix(hf_model, tmp_path):
    from safetensors.numpy import save_file

    state = {}
    for key, value in hf_model.state_dict().items():
        key = key.replace("LayerNorm.weight", "LayerNorm.gamma").replace(
            "LayerNorm.bias", "LayerNorm.beta"
        )
        state[f"bert.{key}"] = value.numpy()
    save_file(state, str(tmp_path / "model.safetensors"))
    (tmp_path / "config.json").write_text(hf_model.config.to_json_string())
    _assert_same(*_hf_outputs(hf_model), from_huggingface(tmp_path))


def test_masked_lm_checkpoint_without_pooler(tmp_path):
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(
        vocab_size=SIZE["vocabulary"], hidden_size=SIZE["hidden"], num_hidden_layers=1,
        num_attention_heads=SIZE["heads"], intermediate_size=SIZE["intermediate"],
        max_position_embeddings=SIZE["positions"],
    )  # fmt: skip
    transformers.BertForMaskedLM(config).save_pretrained(tmp_path)
    encoder = from_huggingface(tmp_path)
    assert encoder.count_params() > 0


def test_mismatch_names_the_first_bad_weight(hf_model, tmp_path):
    hf_model.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config["intermediate_size"] = 48
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        ConfigError, match=r"weight block0/intermediate/kernel has shape \(32, 64\)"
    ):
        from_huggingface(tmp_path)


def test_unsupported_configs(hf_model, tmp_path):
    hf_model.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "hidden_act": "relu"}))
    with pytest.raises(ConfigError, match="hidden_act='relu' is not supported"):
        from_huggingface(tmp_path)


def test_imported_encoder_is_a_plain_zoo_model(hf_model, tmp_path):
    hf_model.save_pretrained(tmp_path / "hf")
    encoder = from_huggingface(tmp_path / "hf")
    encoder.save(tmp_path / "encoder.keras")
    reloaded = keras.saving.load_model(tmp_path / "encoder.keras")
    _assert_same(*_hf_outputs(hf_model), reloaded)
