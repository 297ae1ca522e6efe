"""Where `zoo evaluate` reads a model and its test sets from.

The model comes from a run folder or a `.keras` file (`zoo._run_folder`); a bare `.keras`
file does not say what it predicts, so the command asks for `--task` then.

A test set is an image data set (`load_image_test_set`: a registered name, or its published
files in a folder, normalised with the run's statistics), a text data set (encoded with the
run folder's vocabulary or tokenizer, `text_test_set`), or an `.npz` file that works
for any model: one array per model input, keyed by the input's name (`x` for a single-input
model), labels under `y` (class ids, clicks, or windows x horizon for forecasters), and for
forecasters optional baselines under `baseline_<name>`.

Example:
>>> np.savez("test.npz", x=images, y=labels)  # doctest: +SKIP
>>> dataset, extras = npz_test_set("test.npz", model)  # doctest: +SKIP
"""

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from zoo.errors import DataSourceError


def takes_dict(model):
    """Whether `model` is called on a dict of named inputs (a Sequential never is)."""
    return not isinstance(model, keras.Sequential) and isinstance(model.input, dict)


def _input_names(model):
    if takes_dict(model):
        return list(model.input)
    return [tensor.name for tensor in model.inputs]


def npz_test_set(path, model, *, batch_size=256):
    """A batched `(inputs, y)` dataset from an `.npz` file, and its `baseline_*` arrays.

    Inputs are keyed by the model's input names (`x` also works for a single input)."""
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(f"Test set {path} does not exist.")
    try:
        arrays = dict(np.load(path, allow_pickle=False))
    except (OSError, ValueError) as error:
        raise DataSourceError(f"{path} is not a numpy .npz file ({error}).") from None
    names = _input_names(model)
    if "y" not in arrays:
        raise DataSourceError(f"{path} has no labels: save them under 'y' (np.savez(..., y=...)).")
    if len(names) == 1 and names[0] not in arrays and "x" in arrays:
        arrays[names[0]] = arrays.pop("x")
    missing = [name for name in names if name not in arrays]
    if missing:
        raise DataSourceError(
            f"{path} lacks the model's input(s) {missing}; save one array per input under its "
            f"name ({', '.join(names)})" + (" or 'x'" if len(names) == 1 else "") + "."
        )
    inputs = {name: arrays[name] for name in names}
    if not takes_dict(model):
        inputs = inputs[names[0]] if len(names) == 1 else tuple(inputs[n] for n in names)
    labels = arrays["y"]
    sizes = {len(array) for array in keras.tree.flatten(inputs)} | {len(labels)}
    if len(sizes) != 1:
        raise DataSourceError(f"{path}: its arrays have different lengths {sorted(sizes)}.")
    dataset = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(batch_size)
    baselines = {key[len("baseline_"):]: value for key, value in arrays.items()
                 if key.startswith("baseline_")}  # fmt: skip
    description = {"dataset": path.name, "data_source": str(path), "num_test": len(labels)}
    return dataset, {"baselines": baselines, "labels": labels, "description": description}


def image_statistics(record, dataset, data_dir, image_shape, skip_bad_files=False):
    """The channel mean and std the model was trained with: the run's, else (a bare model)
    those of `dataset`'s training split."""
    normalization = record.get("normalization")
    if normalization:
        return normalization["mean"], normalization["std"]
    from zoo.data import load_image_data

    data = load_image_data(dataset, data_dir=data_dir, image_shape=image_shape,
                           validation_split=0.0, augment=False,
                           skip_bad_files=skip_bad_files)  # fmt: skip
    return data.mean, data.std


def text_test_set(run, name, *, data_dir=None, batch_size=256, max_examples=None,
                  encoding="utf-8"):  # fmt: skip
    """The test split of text data set `name`, encoded as the run's model was trained: with
    its `text_encoder.json` (zoo train text) or its `tokenizer/` (zoo train bert finetune).
    Returns `(dataset, class_names, description)`."""
    from zoo.data.text import load_text_classification

    run_dir = run.run_dir
    encoder_file = run_dir / "text_encoder.json" if run_dir else None
    tokenizer_dir = run_dir / "tokenizer" if run_dir else None
    if not (encoder_file and encoder_file.is_file()) and not (
        tokenizer_dir and tokenizer_dir.is_dir()
    ):
        raise DataSourceError(
            f"Text test sets are encoded with the run's vocabulary: pass the run folder (with "
            f"text_encoder.json or tokenizer/), not {run.model_path}."
        )
    splits = load_text_classification(name, data_dir=data_dir, validation_split=0.0,
                                      seed=run.record.get("seed", 0),
                                      max_test_examples=max_examples,
                                      encoding=encoding)  # fmt: skip
    texts, labels = splits.test_texts, splits.test_labels
    if encoder_file.is_file():
        from zoo.data.text_encoder import TextEncoder

        dataset = TextEncoder.load(run_dir).dataset(texts, labels, batch_size=batch_size)
    else:
        from zoo.data.bert_inputs import classification_dataset
        from zoo.data.tokenizer import WordPieceTokenizer

        dataset = classification_dataset(
            texts, labels, WordPieceTokenizer.load(tokenizer_dir), batch_size=batch_size,
            sequence_length=run.record.get("sequence_length", 128), training=False,
        )  # fmt: skip
    description = {"dataset": name, "data_source": splits.source, "data_dir": str(data_dir or ""),
                   "synthetic": splits.synthetic, "num_test": len(labels)}  # fmt: skip
    return dataset, list(splits.class_names), description
