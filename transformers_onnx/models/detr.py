"""DETR: pixel values and pixel mask; opset 12, validated at atol 1e-5."""

from ..config import VisionOnnxConfig


class DetrOnnxConfig(VisionOnnxConfig):
    """DETR: also takes `pixel_mask` (1 on real pixels, 0 on padding)."""

    image_inputs = ("pixel_values", "pixel_mask")
    atol_for_validation = 1e-5
    default_onnx_opset = 12
