"""The shared shape of the declared layer-name contracts of the transformer families
(`BertLayerNames`, `GPTLayerNames`): names derived from the model's prefix, one block name
per layer, the prefix found again from a built model's token embedding, and the token and
position embeddings both families build under those names."""

import dataclasses

import keras

from zoo.errors import ConfigError


def layer_name(suffix):
    """A property naming the layer `{prefix}_{suffix}`."""
    return property(lambda self: f"{self.prefix}_{suffix}", doc=f"PREFIX_{suffix}")


@dataclasses.dataclass(frozen=True)
class TransformerLayerNames:
    """Base of the families' layer names: `prefix` plus the declared `layer_name`s."""

    prefix: str

    token_embedding = layer_name("token_embedding")
    position_embedding = layer_name("position_embedding")

    family = "transformer"  # for error messages

    def declared(self):
        """Every declared single-layer name, `{attribute: layer name}` (blocks aside)."""
        return {attribute: getattr(self, attribute)
                for klass in reversed(type(self).__mro__)
                for attribute, value in vars(klass).items()
                if isinstance(value, property)}  # fmt: skip

    def block(self, index):
        """The i-th transformer block (`TransformerEncoderBlock`)."""
        return f"{self.prefix}_block{index}"

    @classmethod
    def of(cls, model):
        """The names of the model inside `model`, found by its token embedding (a
        `ReversibleEmbedding` named `PREFIX_token_embedding`)."""
        from zoo.layers import ReversibleEmbedding

        suffix = "_token_embedding"
        for layer in model.layers:
            if isinstance(layer, ReversibleEmbedding) and layer.name.endswith(suffix):
                return cls(layer.name.removesuffix(suffix))
        raise ConfigError(f"{model.name!r} is not a zoo {cls.family} model (no token embedding).")

    def config_fields(self, model, *extra_layers):
        """The config fields every transformer family shares (shape, vocabulary, positions,
        activation, initializer range), read from `model`'s layers, and the layers named by
        the `extra_layers` attributes; `ConfigError` when one is missing."""
        from zoo.layers import TransformerEncoderBlock

        try:
            tokens = model.get_layer(self.token_embedding)
            positions = model.get_layer(self.position_embedding)
            extra = [model.get_layer(getattr(self, attribute)) for attribute in extra_layers]
        except ValueError:
            raise ConfigError(f"{model.name!r} is not a zoo {self.family} model.") from None
        blocks = [layer for layer in model.layers if isinstance(layer, TransformerEncoderBlock)]
        first = blocks[0]
        fields = {
            "num_layers": len(blocks), "hidden_dim": tokens.output_dim,
            "num_heads": first.num_heads, "intermediate_dim": first.intermediate_dim,
            "vocabulary_size": tokens.input_dim, "max_sequence_length": positions.sequence_length,
            "activation": first.activation,
            "initializer_range": getattr(tokens.embeddings_initializer, "stddev", 0.02),
        }  # fmt: skip
        return fields, first, extra

    def embed(self, config, token_ids, dtype):
        """Build the tied token embedding and the learned position embedding on `token_ids`
        (initialised with `config.initializer_range`); return (token embedding layer,
        token vectors, position vectors)."""
        from zoo.layers import PositionEmbedding, ReversibleEmbedding

        def initializer():
            return keras.initializers.TruncatedNormal(stddev=config.initializer_range)

        token_embedding = ReversibleEmbedding(
            config.vocabulary_size, config.hidden_dim, embeddings_initializer=initializer(),
            dtype=dtype, name=self.token_embedding,
        )  # fmt: skip
        tokens = token_embedding(token_ids)
        positions = PositionEmbedding(
            config.max_sequence_length, initializer=initializer(), dtype=dtype,
            name=self.position_embedding,
        )(tokens)  # fmt: skip
        return token_embedding, tokens, positions
