"""ViT: pixel values."""

from ..config import VisionOnnxConfig


class ViTOnnxConfig(VisionOnnxConfig):
    """ViT as the base vision config exports it."""
