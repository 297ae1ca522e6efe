"""Loading through tensorflow-datasets without hanging when offline."""

import socket
from urllib.parse import urlparse

from zoo.errors import DataSourceError


def can_reach(url, timeout=5.0):
    """Whether a TCP connection to `url`'s host opens within `timeout` seconds."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        socket.create_connection((parsed.hostname, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def load_tfds_splits(tfds_name, splits, download_url, files_hint, as_supervised=True):
    """`tfds.load` the `splits` of `tfds_name`; fail fast with the offline fix.

    tensorflow-datasets retries a failed download for minutes; when the data set is not
    prepared yet and its host is unreachable, this raises at once with a message naming
    the files to put in a folder for `--data-dir` (`files_hint`).
    """
    import tensorflow_datasets as tfds

    builder = tfds.builder(tfds_name)
    if not builder.is_prepared() and not can_reach(download_url):
        raise DataSourceError(
            f"{tfds_name}: not in the tensorflow-datasets folder ({builder.data_dir}) and "
            f"{urlparse(download_url).hostname} is unreachable. Offline, put "
            f"{files_hint} in a folder and pass --data-dir FOLDER."
        )
    try:
        datasets = tfds.load(tfds_name, split=list(splits), as_supervised=as_supervised)
    except Exception as error:  # tfds raises many kinds; the message tells the fix
        raise DataSourceError(
            f"{tfds_name}: tensorflow-datasets failed ({type(error).__name__}: {error}). "
            f"Put {files_hint} in a folder and pass --data-dir FOLDER."
        ) from None
    return datasets, builder.info
