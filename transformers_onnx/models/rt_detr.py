"""RT-DETR, RT-DETR v2 and D-FINE: pixel values; class logits and boxes of a fixed number of queries out;
opset 16 (their deformable attention samples with `grid_sample`)."""

from ..config import VisionOnnxConfig


class RTDetrOnnxConfig(VisionOnnxConfig):
    """RT-DETR and its kin: pixel values only (the pixel mask the forward takes changes nothing)."""

    default_onnx_opset = 16
    atol_for_validation = 1e-5
