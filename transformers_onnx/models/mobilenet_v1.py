"""MobileNetV1: pixel values; the default feature also returns the pooled output."""

from ..config import VisionOnnxConfig


class MobileNetV1OnnxConfig(VisionOnnxConfig):
    """MobileNetV1: `last_hidden_state` and `pooler_output` by default."""

    pooled_outputs = True
