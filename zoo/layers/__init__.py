"""Backend-agnostic layers (keras.ops only), one concept per file."""

from zoo.layers.batch_normalization import BatchNormalization
from zoo.layers.biased_sum import BiasedSum
from zoo.layers.factorization_machine import FactorizationMachine
from zoo.layers.hashed_cross import HashedCross
from zoo.layers.hashed_dropout import HashedDropout
from zoo.layers.last_token import LastToken
from zoo.layers.lstm import LSTM
from zoo.layers.masked_lm_head import MaskedPositionsTransform, VocabularyBias
from zoo.layers.mlp import MLP
from zoo.layers.position_embedding import PositionEmbedding
from zoo.layers.reversible_embedding import ReversibleEmbedding
from zoo.layers.self_attention import MultiHeadSelfAttention
from zoo.layers.sequence_pooling import SequencePooling
from zoo.layers.temporal_linear import TemporalLinear
from zoo.layers.transformer_encoder import TransformerEncoderBlock
from zoo.layers.window_normalization import WindowDenormalization, WindowNormalization
from zoo.layers.zero_pad_shortcut import ZeroPadShortcut

__all__ = [
    "BatchNormalization",
    "BiasedSum",
    "FactorizationMachine",
    "HashedCross",
    "HashedDropout",
    "LastToken",
    "MLP",
    "SequencePooling",
    "TemporalLinear",
    "LSTM",
    "MaskedPositionsTransform",
    "MultiHeadSelfAttention",
    "PositionEmbedding",
    "ReversibleEmbedding",
    "TransformerEncoderBlock",
    "VocabularyBias",
    "WindowDenormalization",
    "WindowNormalization",
    "ZeroPadShortcut",
]
