"""What a documentation page's Python examples take for granted, made small and local.

A page's examples name things a reader has (a trained `model`, a run folder, a Hugging Face
checkpoint, CIFAR-10 through tensorflow-datasets). `PAGES` says, for each page with Python
examples, how the test provides them: a setup function that writes files into the working
directory and returns the names the examples use, whether CIFAR-10 and friends come from
`tfds.testing.mock_data`, and the substitutions that shrink the examples' sizes (each must
match the page, so a changed example cannot slip past its test).

Example:
>>> PAGES["guides/training.md"].substitutions  # doctest: +SKIP
(('epochs=30', 'epochs=1'),)
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

VOCABULARY = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "good", "film", "dull"]


@dataclass(frozen=True)
class PageSetup:
    setup: object = None  # callable() -> dict of names, run in the example's directory
    mock_tfds: bool = False  # tensorflow-datasets serves generated examples, no download
    substitutions: tuple = ()  # (text in the page, text the test runs instead)
    tf_only: str = ""  # why the page runs on the tensorflow backend only (marked `tf_only`)


def bert_checkpoints():
    """A keras-hub preset and a Hugging Face checkpoint folder of a tiny BERT, where the
    examples look for them (`path/to/keras-hub-preset`, `path/to/bert-base-uncased`)."""
    import keras_hub
    import torch
    import transformers

    sizes = dict(vocabulary_size=len(VOCABULARY) + 30520, num_layers=2, num_heads=2,
                 hidden_dim=16, intermediate_dim=32, max_sequence_length=32)  # fmt: skip
    keras_hub.models.BertBackbone(**sizes).save_to_preset("path/to/keras-hub-preset")
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=sizes["vocabulary_size"], hidden_size=16, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=32, max_position_embeddings=32,
    )  # fmt: skip
    folder = Path("path/to/bert-base-uncased")
    transformers.BertModel(config).save_pretrained(folder)
    (folder / "vocab.txt").write_text("\n".join(VOCABULARY) + "\n")
    return {}


def gpt2_checkpoint():
    """`path/to/gpt2`: a tiny Hugging Face GPT-2 folder (config.json, model.safetensors,
    vocab.json, merges.txt), as `save_pretrained` and GPT-2's tokenizer files leave it."""
    import torch
    import transformers

    from zoo.data.gpt_tokenizer import BytePairTokenizer

    folder = Path("path/to/gpt2")
    texts = ["The zoo keeper feeds the animals every morning.", "A keeper of the zoo."] * 40
    tokenizer = BytePairTokenizer.from_texts(texts, vocabulary_size=300)
    tokenizer.save(folder)
    torch.manual_seed(0)
    config = transformers.GPT2Config(vocab_size=tokenizer.vocabulary_size, n_positions=64,
                                     n_embd=32, n_layer=2, n_head=2)  # fmt: skip
    transformers.GPT2LMHeadModel(config).save_pretrained(folder)
    return {}


def saved_resnet(folder, depth=20):
    """`folder/model.keras`: an untrained CIFAR ResNet, as a finished run leaves it."""
    from zoo import create_model

    Path(folder).mkdir(parents=True, exist_ok=True)
    model = create_model(f"resnet{depth}")
    model.save(Path(folder) / "model.keras")
    return model


def compression_setup():
    saved_resnet("runs/resnet56_cifar10", depth=56)  # the distillation example's teacher
    return {}


def export_setup():
    """The run folder and the artifacts the serving examples load."""
    from zoo import build_bert
    from zoo.export import export

    model = saved_resnet("runs/resnet20_cifar10")
    export(model, "serving/resnet20", format="saved_model", verify=False)
    encoder = build_bert("bert_tiny", vocabulary_size=30522)
    export(encoder, "bert.onnx", format="onnx", verify=False)
    return {}


def sequence_setup():
    """`runs/bilstm_text_imdb`: a text run's encoder and model, as train_text.py leaves them."""
    from zoo import create_model
    from zoo.data.text_encoder import TextEncoder

    texts = ["a gripping funny film", "dull and lifeless", "a film of a gripping story"]
    encoder = TextEncoder.adapt(texts, vocabulary_size=20, sequence_length=16)
    folder = Path("runs/bilstm_text_imdb")
    encoder.save(folder)
    model = create_model("bilstm_text", vocabulary_size=encoder.vocabulary_size,
                         sequence_length=16)  # fmt: skip
    model.save(folder / "model.keras")
    return {}


def explanation_setup():
    """The models and inputs the explanation examples take as given."""
    from zoo import build_bert_classifier, build_cnn, build_deepfm
    from zoo.features import DenseFeature, SparseFeature

    rng = np.random.default_rng(0)
    ids = rng.integers(5, 100, (2, 8)).astype("int32")
    mask = np.ones_like(ids)
    mask[1, 6:] = 0
    features = [SparseFeature("user_id", vocabulary_size=10, embedding_dim=4),
                SparseFeature("item_id", vocabulary_size=12, embedding_dim=4),
                DenseFeature("age")]  # fmt: skip
    return {
        "model": build_cnn(input_shape=(28, 28, 1), num_classes=10),
        "images": rng.normal(size=(2, 28, 28, 1)).astype("float32"),
        "bert": build_bert_classifier("bert_tiny", num_classes=2, vocabulary_size=100),
        "inputs": {
            "token_ids": ids * mask,
            "segment_ids": np.zeros_like(ids),
            "padding_mask": mask,
        },  # fmt: skip
        "deepfm": build_deepfm(features, hidden_units=(8,)),
        "rows": {
            "user_id": np.array([[1], [2]], "int32"),
            "item_id": np.array([[3], [4]], "int32"),
            "age": np.array([[0.5], [-1.0]], "float32"),
        },  # fmt: skip
    }


TF_ONLY_EXPORT = ("the examples are plain TensorFlow and ONNX Runtime; export from jax and "
                  "torch (a TensorFlow subprocess) is tested in tests/export")  # fmt: skip

PAGES = {
    "../README.md": PageSetup(setup=bert_checkpoints),
    "index.md": PageSetup(),
    "getting-started.md": PageSetup(),
    "models/images.md": PageSetup(
        tf_only="the examples build ResNet-56, ResNet-110 and both Inceptions (80 s on jax); "
                "tests/models builds every registered image model on every backend"),
    "models/bert.md": PageSetup(
        setup=bert_checkpoints,
        substitutions=(
            ('from_preset("bert_tiny_en_uncased")', 'from_preset("path/to/keras-hub-preset")'),
        ),  # a Kaggle download
    ),  # fmt: skip
    "models/gpt.md": PageSetup(setup=gpt2_checkpoint),
    "models/sequence.md": PageSetup(setup=sequence_setup),
    "models/recommenders.md": PageSetup(),
    "guides/data.md": PageSetup(mock_tfds=True),
    "guides/training.md": PageSetup(mock_tfds=True, substitutions=(("epochs=30", "epochs=1"),)),
    "guides/scaling.md": PageSetup(),
    "guides/compression.md": PageSetup(
        setup=compression_setup,
        mock_tfds=True,
        tf_only="pruning, distillation and quantization of the page's models (35 s on jax); "
                "tests/compress and the applications' compression tests run them on every "
                "backend",
        substitutions=(
            ("end_step=2000, frequency=100", "end_step=2, frequency=1"),
            ("epochs=10", "epochs=1"),
            ("epochs=30", "epochs=1"),
        ),
    ),  # fmt: skip
    "guides/export.md": PageSetup(
        setup=export_setup, tf_only=TF_ONLY_EXPORT
    ),  # fmt: skip
    "guides/evaluation.md": PageSetup(
        setup=explanation_setup,
        tf_only="every evaluation report and explanation of the page (22 s on jax); "
                "tests/evaluate and tests/explain run each on every backend"),
}
