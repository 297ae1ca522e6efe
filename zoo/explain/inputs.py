"""Read the examples `zoo explain` explains, preprocessed as the run's model was trained.

* Images (`.png`, `.jpg`, `.jpeg`, `.bmp`, `.gif`, or `.npy` of raw pixels, one image or a
  batch): resized to the model's input and normalised with the run's channel statistics
  (`metrics.json`).
* Text (`.txt`, one example a line): encoded with the run folder's vocabulary
  (`text_encoder.json`, zoo train text) or BERT tokenizer (`tokenizer/`, zoo train bert).
* Recommender rows (`.json`, an object or a list of objects of raw column values): encoded with
  the run folder's `tabular_encoder.json` (zoo train recommender).

Example:
>>> examples = read_examples("cat.png", model, run)  # doctest: +SKIP
>>> examples.kind, examples.inputs.shape  # doctest: +SKIP
('image', (1, 32, 32, 3))
"""

import dataclasses
import json
from pathlib import Path

import numpy as np

from zoo.data._reading import DEFAULT_ENCODING, read_lines, read_text
from zoo.data.image_check import problem_of
from zoo.errors import DataSourceError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
MAX_EXAMPLES = 16


@dataclasses.dataclass
class Examples:
    """Model-ready `inputs`, their `kind` ("image", "text", "tabular") and what to draw:
    images in display form, each text's tokens (padding dropped), or None."""

    kind: str
    inputs: object
    display: list
    names: list


def _run_file(run, name, what):
    if run.run_dir is None or not (run.run_dir / name).exists():
        raise DataSourceError(
            f"{what} are encoded as the model was trained: pass its run folder (with {name}), "
            f"not {run.model_path}."
        )
    return run.run_dir / name


def _raw_images(path):
    """(batch, height, width[, channels]) pixels: an .npy holds one image (h, w), (h, w, c)
    or a batch (n, h, w) of grey / (n, h, w, c); an image file holds one."""
    if path.suffix == ".npy":
        try:
            images = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:
            raise DataSourceError(
                f"{path} is not a readable numpy .npy file ({error}); save it again with np.save."
            ) from None
        single = images.ndim == 2 or (images.ndim == 3 and images.shape[-1] in (1, 3, 4))
        if images.ndim not in (2, 3, 4):
            raise DataSourceError(
                f"{path} holds an array of shape {images.shape}; save an image (height, width"
                "[, channels]) or a batch of them."
            )
        return images[None] if single else images
    import tensorflow as tf

    try:
        image = tf.io.decode_image(tf.io.read_file(str(path)), expand_animations=False)
    except tf.errors.OpError:
        raise DataSourceError(
            f"{path} {problem_of(path)}; give a PNG, JPEG, BMP or GIF image that opens."
        ) from None
    return image.numpy()[None]


def read_images(path, model, run):
    """`Examples` of an image file, normalised with the run's statistics."""
    import tensorflow as tf

    normalization = run.record.get("normalization")
    if not normalization:
        raise DataSourceError(
            "Images are normalised with the training data's channel statistics: pass the run "
            f"folder (its metrics.json records them), not {run.model_path}."
        )
    height, width, channels = model.input_shape[1:]
    images = _raw_images(path)[:MAX_EXAMPLES]
    if images.ndim == 3:
        images = images[..., None]
    images = tf.convert_to_tensor(images)
    if images.shape[-1] == 1 and channels == 3:
        images = tf.image.grayscale_to_rgb(images)
    elif images.shape[-1] in (3, 4) and channels == 1:
        images = tf.image.rgb_to_grayscale(images[..., :3])
    elif images.shape[-1] == 4:
        images = images[..., :3]
    images = tf.image.resize(tf.cast(images, tf.float32), (height, width), antialias=True)
    pixels = np.clip(np.round(images.numpy()), 0, 255)
    mean = np.asarray(normalization["mean"], np.float32)
    std = np.asarray(normalization["std"], np.float32)
    inputs = ((pixels - mean) / std).astype(np.float32)
    names = [f"{path.stem}_{i}" if len(pixels) > 1 else path.stem for i in range(len(pixels))]
    return Examples("image", inputs, list(pixels / 255.0), names)


def read_texts(path, run, encoding=DEFAULT_ENCODING):
    """`Examples` of a text file (one example a line), encoded with the run's vocabulary."""
    lines = [line.strip() for line in read_lines(path, encoding)]
    lines = [line for line in lines if line][:MAX_EXAMPLES]
    if not lines:
        raise DataSourceError(f"{path} holds no text; write one example a line.")
    names = [f"line{i + 1}" for i in range(len(lines))]
    if run.run_dir is not None and (run.run_dir / "text_encoder.json").is_file():
        from zoo.data.text_encoder import TextEncoder

        encoder = TextEncoder.load(run.run_dir)
        ids = encoder.encode(lines)
        tokens = [[encoder.vocabulary[i] for i in row if i] for row in ids]
        return Examples("text", ids, tokens, names)
    from zoo.data.tokenizer import WordPieceTokenizer

    tokenizer = WordPieceTokenizer.load(_run_file(run, "tokenizer", "Texts"))
    length = run.record.get("sequence_length", 128)
    features = tokenizer.encode(lines, sequence_length=length)
    tokens = [[tokenizer.vocabulary[i] for i, real in zip(ids, mask, strict=True) if real]
              for ids, mask in zip(features["token_ids"], features["padding_mask"],
                                   strict=True)]  # fmt: skip
    return Examples("text", features, tokens, names)


def read_rows(path, run):
    """`Examples` of recommender rows (a JSON object or list of them), encoded with the
    run's `tabular_encoder.json`."""
    from zoo.data.tabular_encoding import TabularEncoder

    encoder = TabularEncoder.load(_run_file(run, "tabular_encoder.json", "Rows").parent)
    try:
        rows = json.loads(read_text(path, advice="JSON is UTF-8 text: re-save it as UTF-8."))
    except json.JSONDecodeError as error:
        raise DataSourceError(f"{path} is not JSON ({error.msg}, line {error.lineno}).") from None
    rows = ([rows] if isinstance(rows, dict) else list(rows))[:MAX_EXAMPLES]
    columns = [spec.name for spec in encoder.specs]
    missing = sorted({n for row in rows for n in columns if n not in row})
    if not rows or missing:
        raise DataSourceError(
            f"{path}: every row needs the run's columns {columns}"
            + (f"; missing {missing}." if missing else ".")
        )
    columns = {n: np.asarray([row[n] for row in rows]) for n in columns}
    features, _ = next(iter(encoder.dataset(columns, np.zeros(len(rows)), batch_size=len(rows))))
    features = {name: np.asarray(value) for name, value in features.items()}
    names = [f"row{i + 1}" for i in range(len(rows))]
    return Examples("tabular", features, [None] * len(rows), names)


def read_examples(path, model, run, encoding=DEFAULT_ENCODING):
    """The `Examples` in `path`, by its suffix (see the module docstring); a `.txt` file is
    read as `encoding` text."""
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(f"--input {path} does not exist.")
    suffix = path.suffix.lower()
    if suffix in (*IMAGE_SUFFIXES, ".npy"):
        return read_images(path, model, run)
    if suffix == ".txt":
        return read_texts(path, run, encoding)
    if suffix == ".json":
        return read_rows(path, run)
    raise DataSourceError(
        f"--input {path}: use an image ({', '.join(IMAGE_SUFFIXES)}, .npy), a .txt file (one "
        "text a line) or a .json file of recommender rows."
    )
