"""DeiT: pixel values, as ViT."""

from .vit import ViTOnnxConfig


class DeiTOnnxConfig(ViTOnnxConfig):
    """DeiT as ViT exports it."""
