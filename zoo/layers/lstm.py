"""LSTM with a native sequence kernel on torch, where Keras loops over time steps in Python."""

import keras

from zoo import _kernels


@keras.saving.register_keras_serializable(package="zoo")
class LSTM(keras.layers.LSTM):
    """`keras.layers.LSTM`, computing the same function faster on the torch backend.

    On torch without a GPU, Keras runs an LSTM one time step at a time in Python, and with a
    padding mask through its generic loop. This layer calls torch's own LSTM kernel for the
    whole sequence instead (see `zoo._kernels.lstm_sequence`), for right-padded masks too
    (what `TextVectorization` produces), with the same weights, configuration and outputs.
    Other configurations (recurrent dropout, custom activations, left padding, returned or
    stateful states), and the other backends, use Keras's layer unchanged.

    Example:
    >>> import numpy as np
    >>> LSTM(8, return_sequences=True)(np.zeros((2, 5, 3), "float32")).shape
    (2, 5, 8)
    """

    def _native_kernel_applies(self, training):
        cell = self.cell
        return (
            keras.backend.backend() == "torch"
            and not self.return_state
            and not self.stateful
            and not self.unroll
            and cell.use_bias
            and not self.recurrent_dropout
            and not (training and self.dropout)
            and cell.activation is keras.activations.tanh
            and cell.recurrent_activation is keras.activations.sigmoid
        )

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if self._native_kernel_applies(training):
            single_mask = mask[0] if isinstance(mask, (list, tuple)) else mask
            result = _kernels.lstm_sequence(
                sequences,
                initial_state[0],
                initial_state[1],
                single_mask,
                keras.ops.convert_to_tensor(self.cell.kernel),
                keras.ops.convert_to_tensor(self.cell.recurrent_kernel),
                keras.ops.convert_to_tensor(self.cell.bias),
                go_backwards=self.go_backwards,
                zero_output_for_mask=self.zero_output_for_mask,
            )
            if result is not None:
                return result
        return super().inner_loop(sequences, initial_state, mask, training=training)
