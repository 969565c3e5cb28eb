"""ResNet: pixel values, validated at atol 1e-3."""

from ..config import VisionOnnxConfig


class ResNetOnnxConfig(VisionOnnxConfig):
    """ResNet: a looser tolerance than the vision default; `last_hidden_state` is a feature map (batch, channels,
    height, width), so only its batch axis is dynamic by name."""

    atol_for_validation = 1e-3
    pooled_outputs = True
