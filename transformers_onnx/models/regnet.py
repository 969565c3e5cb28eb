"""RegNet: pixel values; the default feature also returns the pooled output."""

from ..config import VisionOnnxConfig


class RegNetOnnxConfig(VisionOnnxConfig):
    """RegNet: `last_hidden_state` (a feature map) and `pooler_output` (batch, channels, 1, 1) by default."""

    pooled_outputs = True
