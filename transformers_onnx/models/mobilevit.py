"""MobileViT: pixel values; the default feature also returns the pooled output."""

from ..config import VisionOnnxConfig


class MobileViTOnnxConfig(VisionOnnxConfig):
    """MobileViT: `last_hidden_state` and `pooler_output` by default."""

    pooled_outputs = True
