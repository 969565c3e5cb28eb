"""SegFormer: pixel values; opset 12."""

from ..config import VisionOnnxConfig


class SegformerOnnxConfig(VisionOnnxConfig):
    """SegFormer: needs opset 12."""

    default_onnx_opset = 12
