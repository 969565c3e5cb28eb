"""Conditional DETR: as DETR."""

from .detr import DetrOnnxConfig


class ConditionalDetrOnnxConfig(DetrOnnxConfig):
    """Conditional DETR: the inputs, opset and tolerance of DETR."""
