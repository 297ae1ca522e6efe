"""keras-hub's BERT sentence classifier in the shape of a zoo preset: the reference
implementation the benchmarks set zoo's BERT beside (throughput and quality).

Example:
>>> from zoo.models.bert import BERT_PRESETS
>>> config = BERT_PRESETS["bert_tiny"]
>>> model = keras_hub_bert_classifier(config, vocabulary_size=8000)  # doctest: +SKIP
"""


def keras_hub_bert_classifier(config, *, num_classes=2, vocabulary_size=None, preprocessor=None):
    """`keras_hub.models.BertTextClassifier` (dropout and a dense layer on the pooled [CLS]
    output) over a `BertBackbone` of `config`'s shape (a `zoo.models.bert.BertConfig`)."""
    import keras_hub

    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=vocabulary_size or config.vocabulary_size, num_layers=config.num_layers,
        num_heads=config.num_heads, hidden_dim=config.hidden_dim,
        intermediate_dim=config.intermediate_dim, max_sequence_length=config.max_sequence_length,
        dropout=config.dropout,
    )  # fmt: skip
    return keras_hub.models.BertTextClassifier(backbone, num_classes=num_classes,
                                               preprocessor=preprocessor)  # fmt: skip
