import numpy as np
import tensorflow as tf

from zoo.data.masking import MaskingConfig, mask_tokens

SPECIAL = (0, 1, 2, 3, 4)  # [PAD] [UNK] [CLS] [SEP] [MASK]


def _dataset(n=1500, length=32, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(10, 1000, (n, length)).astype("int32")
    ids[:, 0] = 2
    mask = np.ones((n, length), "int32")
    ends = rng.integers(5, length, n)
    for i, end in enumerate(ends):
        ids[i, end], ids[i, end + 1 :], mask[i, end + 1 :] = 3, 0, 0
    features = {"token_ids": ids, "segment_ids": np.zeros_like(ids), "padding_mask": mask}
    return ids, ends, tf.data.Dataset.from_tensor_slices(features)


CONFIG = MaskingConfig(vocabulary_size=1000, mask_id=4, special_ids=SPECIAL, max_predictions=5)


def test_masking_statistics_and_invariants():
    ids, ends, dataset = _dataset()
    selected = masked = random = kept = real = 0
    for i, (features, labels, weights) in enumerate(
        mask_tokens(dataset, CONFIG, seed=1).as_numpy_iterator()
    ):
        count = ends[i] - 1  # real tokens between [CLS] and [SEP]
        chosen = int(weights.sum())
        assert chosen == min(5, max(1, round(0.15 * count)))
        positions = features["mask_positions"][weights > 0]
        assert len(set(positions)) == chosen and all(1 <= p < ends[i] for p in positions)
        np.testing.assert_array_equal(labels[weights > 0], ids[i, positions])
        assert (labels[weights == 0] == 0).all()
        untouched = np.ones(ids.shape[1], bool)
        untouched[positions] = False
        np.testing.assert_array_equal(features["token_ids"][untouched], ids[i, untouched])
        new = features["token_ids"][positions]
        masked += (new == 4).sum()
        kept += (new == ids[i, positions]).sum()
        random += ((new != 4) & (new != ids[i, positions])).sum()
        selected += chosen
        real += count
    assert abs(selected / real - 0.15) < 0.02
    assert abs(masked / selected - 0.8) < 0.04
    assert abs(random / selected - 0.1) < 0.03 and abs(kept / selected - 0.1) < 0.03


def test_same_seed_same_masks_and_new_masks_each_epoch():
    _, _, dataset = _dataset(n=50)
    first = [f["token_ids"] for f, _, _ in mask_tokens(dataset, CONFIG, seed=3).as_numpy_iterator()]
    again = [f["token_ids"] for f, _, _ in mask_tokens(dataset, CONFIG, seed=3).as_numpy_iterator()]
    np.testing.assert_array_equal(np.stack(first), np.stack(again))
    masked = mask_tokens(dataset, CONFIG, seed=3)
    epoch1 = np.stack([f["token_ids"] for f, _, _ in masked.as_numpy_iterator()])
    epoch2 = np.stack([f["token_ids"] for f, _, _ in masked.as_numpy_iterator()])
    assert not np.array_equal(epoch1, epoch2)


def test_for_tokenizer_sizes_predictions():
    from zoo.data.tokenizer import SPECIAL_TOKENS, WordPieceTokenizer

    tokenizer = WordPieceTokenizer([*SPECIAL_TOKENS, "a", "b"])
    config = MaskingConfig.for_tokenizer(tokenizer, sequence_length=128)
    assert config.max_predictions == 20 and config.mask_id == tokenizer.token_id("[MASK]")
    assert set(config.special_ids) == set(tokenizer.special_ids.values())
