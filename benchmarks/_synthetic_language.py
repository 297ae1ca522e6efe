"""A generated language in which masked-LM pretraining demonstrably helps classification.

Content words come in two latent groups ("positive" p0..pK, "negative" n0..nK) mixed with
neutral filler words. Every sentence of the unlabelled corpus draws its content words from
one group, so a masked-LM learns which words go together. The labelled task is to tell the
group of a sentence; its small training set uses only the first few words of each group,
while its test set uses only the others. A model fine-tuned from random initialisation has
never seen the test words and guesses; a pretrained one has learned from the corpus which
group they belong to.
"""

import csv
from pathlib import Path

import numpy as np

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def words(groups=16, fillers=16):
    return ([f"p{i}" for i in range(groups)], [f"n{i}" for i in range(groups)],
            [f"f{i}" for i in range(fillers)])  # fmt: skip


def _sentence(rng, group, fillers, content=4, filler=2):
    tokens = list(rng.choice(group, content)) + list(rng.choice(fillers, filler))
    rng.shuffle(tokens)
    return " ".join(tokens)


def write_language(folder, corpus_sentences=4000, train_examples=48, test_examples=400,
                   seen_words=4, seed=0):  # fmt: skip
    """Write vocab.txt, corpus.txt and task/{train,test}.tsv into `folder`."""
    rng = np.random.default_rng(seed)
    positive, negative, fillers = words()
    folder = Path(folder)
    (folder / "task").mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(SPECIAL + positive + negative + fillers) + "\n")
    with open(folder / "corpus.txt", "w") as handle:
        for _ in range(corpus_sentences):
            group = positive if rng.random() < 0.5 else negative
            handle.write(_sentence(rng, group, fillers) + "\n")
    splits = {
        "train": (train_examples, slice(0, seen_words)),
        "test": (test_examples, slice(seen_words, None)),
    }
    for split, (count, subset) in splits.items():
        with open(folder / "task" / f"{split}.tsv", "w", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t")
            writer.writerow(["sentence", "label"])
            for i in range(count):
                label = i % 2
                group = (negative, positive)[label][subset]
                writer.writerow([_sentence(rng, group, fillers), label])
    return folder
