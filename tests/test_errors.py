"""A `ZooError` raised where TensorFlow runs Python (a tf.data generator) reaches the user as
the same one line, not as TensorFlow's traceback."""

import pytest
import tensorflow as tf

from zoo._cli import exit_on_user_error
from zoo.errors import DataSourceError, zoo_error_within

pytestmark = pytest.mark.backend_independent


def _reading(error):
    def rows():
        yield 1
        raise error

    return tf.data.Dataset.from_generator(rows, output_signature=tf.TensorSpec((), tf.int32))


def test_a_zoo_error_inside_tf_data_exits_with_its_one_line(capsys):
    data = _reading(DataSourceError("a.parquet, line 3 column 'price' holds inf"))
    with pytest.raises(tf.errors.OpError) as wrapped:
        list(data.as_numpy_iterator())
    assert zoo_error_within(wrapped.value) == "a.parquet, line 3 column 'price' holds inf"

    @exit_on_user_error
    def main():
        list(data.as_numpy_iterator())

    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    assert capsys.readouterr().err == "error: a.parquet, line 3 column 'price' holds inf\n"


def test_any_other_error_keeps_its_traceback():
    assert zoo_error_within(ValueError("DataSourceError: not from TensorFlow")) is None

    @exit_on_user_error
    def main():
        list(_reading(RuntimeError("a bug")).as_numpy_iterator())

    with pytest.raises(tf.errors.OpError):
        main()
