"""YOLOS: pixel values; opset 12."""

from ..config import VisionOnnxConfig


class YolosOnnxConfig(VisionOnnxConfig):
    """YOLOS: needs opset 12."""

    default_onnx_opset = 12
