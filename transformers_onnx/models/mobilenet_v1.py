"""MobileNetV1: pixel values; the default feature also returns the pooled output. TensorFlow's "SAME" padding is
computed from the traced image size, so the graph pads images of any height and width as the model does."""

from ..config import Patch, VisionOnnxConfig


def tf_same_padding(features, conv_layer):
    """transformers' `apply_tf_padding` without Python branches on the image size, which tracing froze to the
    size of the dummy image (a 48×40 image then came out one row short)."""
    import torch

    pads = []
    for size, stride, kernel, dilation in zip(
        features.shape[:-3:-1], conv_layer.stride[::-1], conv_layer.kernel_size[::-1], conv_layer.dilation[::-1]
    ):
        remainder = torch.as_tensor(size) % stride
        total = (kernel - torch.where(remainder == 0, torch.full_like(remainder, stride), remainder)).clamp(min=0)
        pads += [total // 2 * dilation, (total - total // 2) * dilation]
    return torch.nn.functional.pad(features, pads, "constant", 0.0)


class MobileNetV1OnnxConfig(VisionOnnxConfig):
    """MobileNetV1: `last_hidden_state` and `pooler_output` by default."""

    pooled_outputs = True
    patches = (Patch("transformers.models.mobilenet_v1.modeling_mobilenet_v1:apply_tf_padding", tf_same_padding),)
