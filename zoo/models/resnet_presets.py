"""CIFAR ResNet configurations (`ResNetConfig`, `RESNET_PRESETS`) and their registry entries
(metadata only: importing this module imports no backend)."""

import dataclasses

from zoo.errors import ConfigError
from zoo.registry import ReferenceResult, register_model_path
from zoo.train.recipe import TrainingRecipe

SHORTCUTS = ("A", "B")


@dataclasses.dataclass(frozen=True)
class ResNetConfig:
    """Depth (6n+2), shortcut type and the widths of the three stages.

    Shortcut "A" subsamples and zero-pads (no parameters, the paper's CIFAR choice);
    "B" projects with a strided 1x1 convolution and batch norm where shapes change.
    """

    depth: int = 20
    shortcut: str = "A"
    widths: tuple = (16, 32, 64)

    def __post_init__(self):
        if (
            isinstance(self.depth, bool)
            or not isinstance(self.depth, int)
            or (self.depth < 8 or (self.depth - 2) % 6)
        ):
            raise ConfigError(
                f"build_resnet: depth={self.depth!r} is not 6n+2 with n >= 1; "
                "use 20, 32, 44, 56, 110 or another 6n+2."
            )
        if self.shortcut not in SHORTCUTS:
            raise ConfigError(
                f"build_resnet: shortcut={self.shortcut!r} is not supported; use 'A' or 'B'."
            )
        if len(self.widths) != 3 or any(not isinstance(w, int) or w < 1 for w in self.widths):
            raise ConfigError(
                f"build_resnet: widths={self.widths!r} must be three positive integers."
            )

    @property
    def blocks_per_stage(self):
        return (self.depth - 2) // 6


RESNET_PRESETS = {f"resnet{depth}": ResNetConfig(depth) for depth in (20, 32, 44, 56, 110)}

# He et al. 2015, Table 6 (CIFAR-10 test accuracy, option A, mean over 5 runs for 110).
_PAPER_ACCURACY = {20: 91.25, 32: 92.49, 44: 92.83, 56: 93.03, 110: 93.39}
_PARAMETER_COUNTS = {20: 271_098, 32: 466_426, 44: 661_754, 56: 857_082, 110: 1_736_058}


def _register_presets():
    for preset, config in RESNET_PRESETS.items():
        register_model_path(
            preset,
            "zoo.models.resnet:build_resnet",
            task="image_classification",
            input_shape=(32, 32, 3),
            parameter_count=_PARAMETER_COUNTS[config.depth],
            reference=ReferenceResult(
                dataset="CIFAR-10",
                metric="test accuracy",
                value=_PAPER_ACCURACY[config.depth],
                source="He et al. 2015, Deep Residual Learning, Table 6",
            ),
            # The paper: SGD 0.1, momentum 0.9, weight decay 1e-4, batch 128, divided by 10
            # at 32k and 48k of 64k iterations (= 164 epochs of 50k images); ResNet-110
            # warms up at 0.01 for its first ~400 iterations.
            recipe=TrainingRecipe(
                epochs=164,
                batch_size=128,
                learning_rate=0.1,
                weight_decay=1e-4,
                schedule="step",
                warmup_fraction=0.006 if config.depth >= 110 else 0.0,
            ),
            description=f"CIFAR ResNet-{config.depth} v1, option A shortcuts (He et al. 2015).",
            depth=preset,
        )


_register_presets()
