"""ConvNeXt V2: pixel values; the default feature also returns the pooled output."""

from ..config import VisionOnnxConfig


class ConvNextV2OnnxConfig(VisionOnnxConfig):
    """ConvNeXt V2: `last_hidden_state` (a feature map) and `pooler_output` by default."""

    pooled_outputs = True
