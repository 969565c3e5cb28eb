"""ResNet: pixel values, validated at atol 1e-3."""

from ..config import VisionOnnxConfig


class ResNetOnnxConfig(VisionOnnxConfig):
    """ResNet: a looser tolerance than the vision default."""

    atol_for_validation = 1e-3
