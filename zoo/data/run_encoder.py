"""A run's fitted input encoder: the one its folder holds when resuming, else a new one.

The training applications learn an encoding from the training rows (the LSTM text vocabulary,
the BERT WordPiece vocabulary, the recommenders' tabular vocabularies) and save it in the run
folder beside `model.keras`; a resumed run must encode its data exactly as before, so it
reloads the saved one instead of fitting again.

Example:
>>> encoder = load_or_fit(run, ENCODER_FILE, load=TextEncoder.load,
...                       fit=lambda: TextEncoder.adapt(texts, 20000, 200))  # doctest: +SKIP
"""

from pathlib import Path


def load_or_fit(run, saved, *, load, fit):
    """The encoder saved at `run.run_dir / saved` (a file inside the folder `load` reads) when
    `run` resumes and wrote one; else `fit()`, saved into that folder with its `.save`."""
    folder = Path(run.run_dir) / Path(saved).parent
    if run.resuming and (Path(run.run_dir) / saved).is_file():
        return load(folder)
    encoder = fit()
    encoder.save(folder)
    return encoder
