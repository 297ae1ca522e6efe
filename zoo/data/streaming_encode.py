"""A stream of raw table batches encoded for the recommenders, in tf.data.

`encode_stream(encoder, data)` maps a fitted `TabularEncoder` over `({column: tensor}, label)`
batches (e.g. `CriteoStream.dataset(...)`): the same ids and scaled numbers that
`encoder.dataset(...)` gives for the same rows held in memory, computed on tf.data's parallel
threads, so any Keras backend trains on it.

Example:
>>> fit = fit_streaming(specs, stream.dataset(65536, split="train"))        # doctest: +SKIP
>>> train = encode_stream(fit.encoder, stream.dataset(4096, split="train"))  # doctest: +SKIP
>>> model.fit(train, epochs=1)                                               # doctest: +SKIP
"""

import tensorflow as tf


def encode_stream(encoder, data):
    """`data`'s batches as ({feature: tensor}, label), encoded by `encoder` in tf.data."""

    def encode(columns, label):
        # TabularEncoder's own encoding, so a stream and a table encode alike.
        return encoder.encode_batch(columns), label

    return data.map(encode, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
