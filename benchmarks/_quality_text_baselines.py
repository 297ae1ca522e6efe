"""Plain baselines of zoo's text classifiers for the quality suite, on the zoo run's own split:

* `keras_bilstm`: the Keras example's bidirectional LSTM as a Keras user writes it
  (`TextVectorization` adapted on the training texts, `Embedding` 128, two bidirectional
  `LSTM` 64 layers, a softmax `Dense`; Adam 1e-3, batch 32);
* `keras_hub_bert`: keras-hub's `BertBackbone` in a zoo preset's shape with
  `BertTextClassifier`'s head on the pooled [CLS] output, trained from random initialisation
  with AdamW 5e-4 (constant, Keras's default weight decay), batch 32, reading text through
  keras-hub's own `BertTokenizer` on the zoo run's `tokenizer/vocab.txt` (uncased).

Both read the training and test texts with `zoo.data.text.load_text_classification` and the
zoo application's defaults (10% of the training rows held out, seed 0), so every network
trains on the same rows; the held-out rows are not used. Prints one JSON line: test accuracy
(%), epochs, seconds.

    python benchmarks/_quality_text_baselines.py keras_bilstm --data-dir DIR --epochs 3
    python benchmarks/_quality_text_baselines.py keras_hub_bert --data-dir DIR --epochs 3 \\
        --vocabulary runs/bert_tiny_csv/tokenizer/vocab.txt
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np


def load(args):
    from zoo.data.text import load_text_classification

    splits = load_text_classification(
        "csv", data_dir=args.data_dir, max_train_examples=args.max_train_examples,
        max_test_examples=args.max_test_examples,
    )  # fmt: skip
    return (np.array(splits.train_texts), splits.train_labels, np.array(splits.test_texts),
            splits.test_labels, splits.num_classes)  # fmt: skip


def keras_bilstm(data, args):
    import keras

    train_x, train_y, test_x, test_y, num_classes = data
    vectorize = keras.layers.TextVectorization(max_tokens=args.vocabulary_size,
                                               output_sequence_length=args.sequence_length)
    vectorize.adapt(train_x)
    model = keras.Sequential([
        keras.Input((args.sequence_length,), dtype="int64"),
        keras.layers.Embedding(args.vocabulary_size, 128, mask_zero=True),
        keras.layers.Bidirectional(keras.layers.LSTM(64, return_sequences=True)),
        keras.layers.Bidirectional(keras.layers.LSTM(64)),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])  # fmt: skip
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    ids = lambda texts: keras.ops.convert_to_numpy(vectorize(texts))  # noqa: E731
    model.fit(ids(train_x), train_y, batch_size=32, epochs=args.epochs, verbose=0)
    return model.evaluate(ids(test_x), test_y, verbose=0)[1]


def keras_hub_bert(data, args):
    import keras
    import keras_hub
    from _keras_hub_bert import keras_hub_bert_classifier

    from zoo.models.bert import BERT_PRESETS

    train_x, train_y, test_x, test_y, num_classes = data
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=str(args.vocabulary), lowercase=True)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        tokenizer, sequence_length=args.sequence_length)
    model = keras_hub_bert_classifier(BERT_PRESETS[args.preset], num_classes=num_classes,
                                      vocabulary_size=tokenizer.vocabulary_size(),
                                      preprocessor=preprocessor)  # fmt: skip
    model.compile(optimizer=keras.optimizers.AdamW(5e-4),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])  # fmt: skip
    model.fit(train_x, train_y, batch_size=32, epochs=args.epochs, verbose=0)
    return model.evaluate(test_x, test_y, batch_size=32, verbose=0)[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("network", choices=["keras_bilstm", "keras_hub_bert"])
    parser.add_argument("--data-dir", type=Path, required=True, help="train.tsv and test.tsv")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--sequence-length", type=int, required=True)
    parser.add_argument("--vocabulary-size", type=int, default=20000, help="keras_bilstm")
    parser.add_argument("--vocabulary", type=Path, help="keras_hub_bert: a BERT vocab.txt")
    parser.add_argument("--preset", default="bert_tiny", help="keras_hub_bert: the shape")
    parser.add_argument("--max-train-examples", type=int)
    parser.add_argument("--max-test-examples", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.network == "keras_hub_bert" and args.vocabulary is None:
        parser.error("keras_hub_bert needs --vocabulary")
    import keras

    data = load(args)
    keras.utils.set_random_seed(args.seed)
    start = time.perf_counter()
    accuracy = (keras_bilstm if args.network == "keras_bilstm" else keras_hub_bert)(data, args)
    print(json.dumps({"test_accuracy": round(100 * float(accuracy), 2), "epochs": args.epochs,
                      "num_train": len(data[1]), "num_test": len(data[3]),
                      "seconds": round(time.perf_counter() - start, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
