"""LeViT: pixel values."""

from ..config import VisionOnnxConfig


class LevitOnnxConfig(VisionOnnxConfig):
    """LeViT as the base vision config exports it."""
