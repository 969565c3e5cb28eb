"""Swin Transformer: pixel values, as ViT (Swin V2 and Donut's Swin encoder too)."""

from .vit import ViTOnnxConfig


class SwinOnnxConfig(ViTOnnxConfig):
    """Swin as ViT exports it."""
