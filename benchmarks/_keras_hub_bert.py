"""keras-hub's BERT in the shape of a zoo preset: the reference implementation the
benchmarks set zoo's BERT beside (throughput and quality).

Example:
>>> from zoo.models.bert import BERT_PRESETS
>>> config = BERT_PRESETS["bert_tiny"]
>>> model = keras_hub_bert_classifier(config, vocabulary_size=8000)  # doctest: +SKIP
>>> model = keras_hub_bert_dense_classifier(config)  # doctest: +SKIP
"""


def keras_hub_bert_backbone(config, *, vocabulary_size=None):
    """`keras_hub.models.BertBackbone` of `config`'s shape (a `zoo.models.bert.BertConfig`)."""
    import keras_hub

    return keras_hub.models.BertBackbone(
        vocabulary_size=vocabulary_size or config.vocabulary_size, num_layers=config.num_layers,
        num_heads=config.num_heads, hidden_dim=config.hidden_dim,
        intermediate_dim=config.intermediate_dim, max_sequence_length=config.max_sequence_length,
        dropout=config.dropout,
    )  # fmt: skip


def keras_hub_bert_classifier(config, *, num_classes=2, vocabulary_size=None, preprocessor=None):
    """`keras_hub.models.BertTextClassifier` (dropout and a dense layer on the pooled [CLS]
    output) over a `BertBackbone` of `config`'s shape (a `zoo.models.bert.BertConfig`)."""
    import keras_hub

    backbone = keras_hub_bert_backbone(config, vocabulary_size=vocabulary_size)
    return keras_hub.models.BertTextClassifier(backbone, num_classes=num_classes,
                                               preprocessor=preprocessor)  # fmt: skip


def keras_hub_bert_dense_classifier(config, *, num_classes=2, dropout=0.1):
    """A `BertBackbone` of `config`'s shape with zoo's classification head on its
    `pooled_output`: dropout, then a `Dense(num_classes)` (logits) initialised as zoo's
    (`build_bert_classifier`): the same head, so a throughput comparison compares backbones."""
    import keras

    backbone = keras_hub_bert_backbone(config)
    pooled = backbone(backbone.input)["pooled_output"]
    x = keras.layers.Dropout(dropout, name="classifier_dropout")(pooled)
    logits = keras.layers.Dense(
        num_classes, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02),
        name="logits",
    )(x)  # fmt: skip
    return keras.Model(backbone.input, logits, name="keras_hub_bert_dense_classifier")
