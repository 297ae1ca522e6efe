"""Imported GPT-2 weights give the source model's logits (random tiny models built here)."""

import json

import keras
import numpy as np
import pytest

from tests.helpers import to_numpy
from zoo.convert import (
    gpt_config_from_huggingface,
    gpt_from_huggingface,
    gpt_from_keras_hub,
    load_gpt,
)
from zoo.data.gpt_tokenizer import BytePairTokenizer, CharacterTokenizer
from zoo.errors import ConfigError, DataSourceError
from zoo.models.gpt import GPTConfig, gpt_config_of

SIZE = dict(vocabulary=120, layers=2, heads=4, hidden=32, positions=16)
TOKENS = np.random.default_rng(0).integers(0, SIZE["vocabulary"], (2, 9)).astype("int32")


def _inputs():
    return {"token_ids": TOKENS, "padding_mask": np.ones_like(TOKENS)}


def _assert_logits(expected, lm):
    np.testing.assert_allclose(to_numpy(lm(_inputs(), training=False)), expected, atol=1e-4)


def _perturb(values, rng):
    return [v + rng.normal(0, 0.1, v.shape).astype("float32") for v in values]


# --- keras-hub -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_hub_backbone():
    keras_hub = pytest.importorskip("keras_hub")
    backbone = keras_hub.models.GPT2Backbone(
        vocabulary_size=SIZE["vocabulary"], num_layers=SIZE["layers"], num_heads=SIZE["heads"],
        hidden_dim=SIZE["hidden"], intermediate_dim=48, dropout=0.0,
        max_sequence_length=SIZE["positions"],
    )  # fmt: skip
    rng = np.random.default_rng(1)  # LayerNorms and biases away from their 1 / 0 start
    backbone.set_weights(_perturb([to_numpy(w) for w in backbone.weights], rng))
    return backbone


def _keras_hub_logits(backbone):
    hidden = to_numpy(backbone(_inputs()))
    return hidden @ to_numpy(backbone.get_layer("token_embedding").embeddings).T


def test_keras_hub_backbone_object(keras_hub_backbone):
    lm = gpt_from_keras_hub(keras_hub_backbone)
    _assert_logits(_keras_hub_logits(keras_hub_backbone), lm)
    assert gpt_config_of(lm).intermediate_dim == 48


def test_keras_hub_preset_folder_and_load_gpt(keras_hub_backbone, tmp_path):
    keras_hub_backbone.save_to_preset(str(tmp_path))
    expected = _keras_hub_logits(keras_hub_backbone)
    _assert_logits(expected, gpt_from_keras_hub(tmp_path))
    lm, tokenizer = load_gpt(tmp_path)
    _assert_logits(expected, lm)
    assert tokenizer is None  # no assets/tokenizer in this preset
    bpe = BytePairTokenizer.from_texts(["a tiny corpus of text"] * 3, vocabulary_size=270)
    assets = tmp_path / "assets" / "tokenizer"
    bpe.save(assets)
    (assets / "vocab.json").rename(assets / "vocabulary.json")
    assert load_gpt(tmp_path)[1].encode("tiny") == bpe.encode("tiny")


def test_keras_hub_errors(keras_hub_backbone, tmp_path):
    with pytest.raises(DataSourceError, match="no config.json"):
        gpt_from_keras_hub(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"class_name": "BertBackbone"}))
    with pytest.raises(ConfigError, match="holds a BertBackbone, not a GPT2Backbone"):
        gpt_from_keras_hub(tmp_path)
    with pytest.raises(ConfigError, match="not a GPT2Backbone"):
        gpt_from_keras_hub(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))


# --- Hugging Face ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hf_model():
    transformers = pytest.importorskip("transformers")
    import torch

    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=SIZE["vocabulary"], n_positions=SIZE["positions"], n_embd=SIZE["hidden"],
        n_layer=SIZE["layers"], n_head=SIZE["heads"], n_inner=None,
    )  # fmt: skip
    model = transformers.GPT2LMHeadModel(config).eval()
    with torch.no_grad():
        for parameter in model.parameters():  # LayerNorms and biases away from 1 / 0
            parameter.add_(0.1 * torch.randn_like(parameter))
    return model


@pytest.fixture(scope="module")
def hf_logits(hf_model):
    import torch

    with torch.no_grad():
        out = hf_model(input_ids=torch.tensor(TOKENS, dtype=torch.long),
                       attention_mask=torch.ones(TOKENS.shape, dtype=torch.long))  # fmt: skip
    return out.logits.numpy()


@pytest.fixture
def hf_folder(hf_model, tmp_path):
    hf_model.save_pretrained(tmp_path)
    return tmp_path


def test_huggingface_safetensors_checkpoint(hf_folder, hf_logits):
    assert (hf_folder / "model.safetensors").is_file()
    lm = gpt_from_huggingface(hf_folder, name="imported")
    _assert_logits(hf_logits, lm)
    assert lm.name == "imported_lm" and gpt_config_of(lm).intermediate_dim == 4 * SIZE["hidden"]


def test_huggingface_bin_checkpoint_without_prefix(hf_model, hf_logits, tmp_path):
    import torch

    state = {
        key.removeprefix("transformer."): value
        for key, value in hf_model.state_dict().items()
        if key != "lm_head.weight"
    }  # a GPT2Model's names
    state["h.0.attn.bias"] = torch.tril(torch.ones(1, 1, 16, 16))  # old checkpoints' buffers
    state["h.0.attn.masked_bias"] = torch.tensor(-1e4)
    torch.save(state, tmp_path / "pytorch_model.bin")
    (tmp_path / "config.json").write_text(hf_model.config.to_json_string())
    _assert_logits(hf_logits, gpt_from_huggingface(tmp_path))


def test_load_gpt_huggingface_folder_and_zoo_run(hf_folder, hf_logits, tmp_path):
    BytePairTokenizer.from_texts(["a tiny corpus"] * 3, vocabulary_size=270).save(hf_folder)
    (hf_folder / "tokenizer.json").unlink()  # as a Hugging Face folder has it
    lm, tokenizer = load_gpt(hf_folder)
    _assert_logits(hf_logits, lm)
    assert isinstance(tokenizer, BytePairTokenizer)
    run = tmp_path / "run"
    run.mkdir()
    lm.save(run / "model.keras")
    CharacterTokenizer("abc").save(run / "tokenizer")
    reloaded, run_tokenizer = load_gpt(run)
    _assert_logits(hf_logits, reloaded)
    assert isinstance(run_tokenizer, CharacterTokenizer)
    with pytest.raises(DataSourceError, match="neither a zoo GPT run"):
        load_gpt(tmp_path / "nothing")
    (run / "model_only").mkdir()
    lm.save(run / "model_only" / "model.keras")
    assert load_gpt(run / "model_only")[1] is None
    with pytest.raises(ConfigError, match="has no tokenizer .* generation needs the one"):
        load_gpt(run / "model_only", tokenizer_needed_for="generation")


def test_huggingface_config_mapping_and_errors(hf_folder):
    config = json.loads((hf_folder / "config.json").read_text())
    assert gpt_config_from_huggingface({**config, "activation_function": "gelu"}).activation == (
        "gelu"
    )
    expected = GPTConfig(num_layers=2, hidden_dim=32, num_heads=4, intermediate_dim=128,
                         vocabulary_size=120, max_sequence_length=16)  # fmt: skip
    assert gpt_config_from_huggingface(config) == expected
    for change, message in (
        ({"model_type": "llama"}, "describes a 'llama' model, not GPT-2"),
        ({"activation_function": "relu"}, "activation_function='relu' is not supported"),
        ({"scale_attn_by_inverse_layer_idx": True}, "scale_attn_by_inverse_layer_idx=True"),
        ({"tie_word_embeddings": False}, "tie_word_embeddings=False is not supported"),
    ):
        with pytest.raises(ConfigError, match=message):
            gpt_config_from_huggingface({**config, **change})
    (hf_folder / "config.json").write_text(json.dumps({**config, "n_inner": 48}))
    with pytest.raises(
        ConfigError, match=r"weight block0/intermediate/kernel has shape \(32, 128\)"
    ):
        gpt_from_huggingface(hf_folder)
    (hf_folder / "config.json").unlink()
    with pytest.raises(DataSourceError, match="no config.json"):
        gpt_from_huggingface(hf_folder)
