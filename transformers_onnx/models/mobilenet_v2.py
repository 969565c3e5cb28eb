"""MobileNetV2: pixel values; the default feature also returns the pooled output."""

from ..config import VisionOnnxConfig


class MobileNetV2OnnxConfig(VisionOnnxConfig):
    """MobileNetV2: `last_hidden_state` and `pooler_output` by default."""

    pooled_outputs = True
