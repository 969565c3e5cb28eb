"""Swin Transformer: pixel values."""

from ..config import VisionOnnxConfig


class SwinOnnxConfig(VisionOnnxConfig):
    """Swin as the base vision config exports it."""
