"""`zoo explain MODEL --input FILE`: pictures of why a model predicted what it did.

    zoo explain runs/resnet20_cifar10 --input cat.png          # Grad-CAM + integrated gradients
    zoo explain runs/bert_tiny_sst2 --input reviews.txt        # token attributions, attention
    zoo explain runs/deepfm_movielens_100k --input rows.json   # per-feature attributions

Pictures go to `RUN/explanations/` (or `--output-dir`), one per example and method, with
`explanations.json` holding the numbers: predicted class and probability, the explained
target, integrated gradients' completeness gap, the top features or tokens.
"""

from pathlib import Path

import keras
import numpy as np

from zoo._cli import positive_int
from zoo._run_folder import load_model, read_run
from zoo._utils import write_json_atomic
from zoo.data._reading import add_encoding_argument
from zoo.errors import ConfigError
from zoo.evaluate.evaluator import to_probabilities
from zoo.explain.attention import (
    attention_maps,
    attention_rollout,
)
from zoo.explain.feature_attribution import feature_attributions
from zoo.explain.grad_cam import grad_cam, last_convolutional_layer
from zoo.explain.inputs import read_examples
from zoo.explain.integrated_gradients import integrated_gradients
from zoo.explain.pictures import (
    save_attention_maps,
    save_feature_scores,
    save_heatmap_overlay,
    save_rollout,
    save_token_scores,
)
from zoo.layers.transformer_encoder import TransformerEncoderBlock
from zoo.models._image_classifier import PREDICTIONS_LAYER

TOP = 5  # features / tokens listed per example in explanations.json


def _probabilities(model, inputs):
    outputs = model.predict(inputs, verbose=0)
    if isinstance(outputs, dict):
        outputs = outputs.get(PREDICTIONS_LAYER, next(iter(outputs.values())))
    outputs = np.asarray(outputs, "float32").reshape(len(outputs), -1)
    return to_probabilities(model, outputs)


def _prediction(probabilities, target):
    """(predicted class, its probability, the target's probability) of one example."""
    if probabilities.shape[0] == 1:  # one sigmoid unit
        return int(probabilities[0] > 0.5), float(probabilities[0]), float(probabilities[0])
    predicted = int(np.argmax(probabilities))
    return predicted, float(probabilities[predicted]), float(probabilities[target])


def _top(names, scores):
    order = np.argsort(-np.abs(scores))[:TOP]
    return [[str(names[i]), float(scores[i])] for i in order]


def _scaled(heat):
    peak = float(np.max(heat))
    return heat / peak if peak > 0 else heat


def _explain_images(model, examples, targets, args, output):
    attribution = integrated_gradients(model, examples.inputs, target=targets, steps=args.steps)
    try:
        last_convolutional_layer(model)
        cams = grad_cam(model, examples.inputs, target=targets)
    except ValueError:
        cams = None  # not convolutional: integrated gradients only
    records = []
    for i, name in enumerate(examples.names):
        image = examples.display[i]
        pictures = [save_heatmap_overlay(image, _scaled(np.abs(attribution.scores[i])),
                                         output / f"{name}_integrated_gradients.png",
                                         title="integrated gradients (|attribution|)")]
        if cams is not None:
            pictures.append(save_heatmap_overlay(image, cams[i], output / f"{name}_grad_cam.png",
                                                 title="Grad-CAM"))  # fmt: skip
        records.append({"pictures": pictures, **_completeness(attribution, i)})
    return records


def _token_embedding(model):
    """The embedding layer that reads the token ids (BERT's token table, the LSTM's)."""
    inputs = {id(tensor): tensor for tensor in model.inputs}
    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding) and id(layer.input) in inputs:
            if len(model.inputs) == 1 or layer.input.name == "token_ids":
                return layer
    raise ConfigError(f"{model.name!r} has no embedding layer reading its token ids to explain.")


def _explain_texts(model, examples, targets, args, output):
    embedding = _token_embedding(model)
    attribution = integrated_gradients(model, examples.inputs, target=targets, steps=args.steps,
                                       layer=embedding.name)  # fmt: skip
    bert = any(isinstance(layer, TransformerEncoderBlock) for layer in model.layers)
    maps = rollout = None
    if bert:
        maps = attention_maps(model, examples.inputs)
        rollout = attention_rollout(maps, examples.inputs["padding_mask"])
    records = []
    for i, (name, tokens) in enumerate(zip(examples.names, examples.display, strict=True)):
        scores = attribution.scores[i][: len(tokens)]
        pictures = [save_token_scores(tokens, scores, output / f"{name}_integrated_gradients.png",
                                      title="integrated gradients per token")]  # fmt: skip
        if bert:
            pictures.append(save_attention_maps(maps, tokens, output / f"{name}_attention.png",
                                                example=i))  # fmt: skip
            pictures.append(save_rollout(rollout[i, 0, : len(tokens)], tokens,
                                         output / f"{name}_rollout.png"))  # fmt: skip
        records.append({"pictures": pictures, "top_tokens": _top(tokens, scores),
                        **_completeness(attribution, i)})  # fmt: skip
    return records


def _explain_rows(model, examples, targets, args, output):
    attribution = feature_attributions(model, examples.inputs, target=targets, steps=args.steps)
    names = list(attribution.scores)
    records = []
    for i, name in enumerate(examples.names):
        scores = np.array([attribution.scores[n][i] for n in names])
        picture = save_feature_scores(names, scores, output / f"{name}_features.png",
                                      title="integrated gradients per feature")  # fmt: skip
        records.append({"pictures": [picture], "top_features": _top(names, scores),
                        **_completeness(attribution, i)})  # fmt: skip
    return records


def _completeness(attribution, i):
    return {"output_difference": float(attribution.output_difference[i]),
            "completeness_gap": float(attribution.completeness_gap[i])}  # fmt: skip


EXPLAINERS = {"image": _explain_images, "text": _explain_texts, "tabular": _explain_rows}


def command_explain(args):
    run = read_run(args.model)
    model = load_model(run.model_path)
    examples = read_examples(args.input, model, run, encoding=args.encoding)
    probabilities = _probabilities(model, examples.inputs)
    classes = probabilities.shape[1]
    if args.target is not None and classes > 1 and not 0 <= args.target < classes:
        raise ConfigError(f"--target {args.target} is not a class of this model; use 0 to "
                          f"{classes - 1}.")  # fmt: skip
    targets = (np.full(len(probabilities), args.target) if args.target is not None and classes > 1
               else None if classes == 1 else probabilities.argmax(axis=1))  # fmt: skip
    output = Path(args.output_dir) if args.output_dir else (
        (run.run_dir or run.model_path.parent) / "explanations")
    output.mkdir(parents=True, exist_ok=True)
    records = EXPLAINERS[examples.kind](model, examples, targets, args, output)
    for i, (name, record) in enumerate(zip(examples.names, records, strict=True)):
        target = 0 if targets is None else int(targets[i])
        predicted, confidence, target_probability = _prediction(probabilities[i], target)
        record.update(name=name, predicted=predicted, probability=confidence,
                      target=target, target_probability=target_probability,
                      pictures=[path.name for path in record["pictures"]])  # fmt: skip
        print(f"{name}: predicted {predicted} ({confidence:.3f}); "
              f"{', '.join(record['pictures'])}")
    write_json_atomic(output / "explanations.json",
                      {"model": str(run.model_path), "input": str(args.input),
                       "kind": examples.kind, "steps": args.steps, "examples": records})
    print(f"wrote {len(records)} explanation(s) to {output}")


def add_explain_arguments(explain):
    """The arguments of the `zoo explain` sub-command (its parser is `explain`)."""
    explain.add_argument("model", help="a run folder (model.keras, metrics.json, encoders) or "
                                       ".keras file")
    explain.add_argument("--input", required=True,
                         help="an image (.png/.jpg/.npy), a .txt file (one text a line) or a "
                              ".json file of recommender rows")
    explain.add_argument("--target", type=int,
                         help="the class to explain (default: each example's predicted class)")
    explain.add_argument("--steps", type=positive_int, default=64,
                         help="integrated gradients' integration steps")
    explain.add_argument("--output-dir", help="picture folder (default RUN/explanations)")
    add_encoding_argument(explain)
    explain.set_defaults(handler=command_explain)
