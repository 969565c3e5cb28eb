"""MobileNetV2: pixel values; the default feature also returns the pooled output. TensorFlow's "SAME" padding as
MobileNetV1's config computes it."""

from ..config import Patch, VisionOnnxConfig
from .mobilenet_v1 import tf_same_padding


class MobileNetV2OnnxConfig(VisionOnnxConfig):
    """MobileNetV2: `last_hidden_state` and `pooler_output` by default."""

    pooled_outputs = True
    patches = (Patch("transformers.models.mobilenet_v2.modeling_mobilenet_v2:apply_tf_padding", tf_same_padding),)
