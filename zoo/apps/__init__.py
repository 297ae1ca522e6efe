"""The training applications behind `zoo train {image,text,bert,gpt,timeseries,recommender}`.

Each module holds one task's `parse_args(argv, prog)` and `main(argv, prog)`; start them with
`zoo.apps.launch.launch(task, argv)` (or the `zoo train` command, or the recipes in the
checkout's `applications/`), which chooses the Keras backend from `--backend` before Keras is
imported. Importing this package imports nothing else.
"""

TASKS = {
    "image": "image classifiers (cnn, CIFAR ResNets, ResNet-9): CIFAR, MNIST, folders",
    "text": "LSTM text classifiers: IMDB, SST-2, your own text files",
    "bert": "BERT: masked-LM pretraining on a corpus, or fine-tuning to classify text",
    "gpt": "GPT: causal-LM pretraining on a corpus, or fine-tuning (more text, or classify)",
    "timeseries": "LSTM forecasters on a CSV time series, beside naive baselines",
    "recommender": "click-through-rate recommenders (DeepFM, Wide&Deep): MovieLens, Criteo, CSV",
}
