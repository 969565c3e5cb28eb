"""DINOv2: pixel values."""

from ..config import VisionOnnxConfig


class Dinov2OnnxConfig(VisionOnnxConfig):
    """DINOv2 as the base vision config exports it."""
