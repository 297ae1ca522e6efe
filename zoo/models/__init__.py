"""Model builders; importing this package registers every model."""

from zoo.models.cnn import build_cnn
from zoo.models.resnet import RESNET_PRESETS, ResNetConfig, build_resnet
from zoo.models.resnet9 import build_resnet9

__all__ = ["RESNET_PRESETS", "ResNetConfig", "build_cnn", "build_resnet", "build_resnet9"]
