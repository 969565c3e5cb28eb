"""PVT: pixel values; opset 12."""

from ..config import VisionOnnxConfig


class PvtOnnxConfig(VisionOnnxConfig):
    """PVT: needs opset 12."""

    default_onnx_opset = 12
