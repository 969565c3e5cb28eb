"""DeiT: pixel values."""

from ..config import VisionOnnxConfig


class DeiTOnnxConfig(VisionOnnxConfig):
    """DeiT as the base vision config exports it."""
