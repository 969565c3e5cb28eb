"""Table Transformer: as DETR."""

from .detr import DetrOnnxConfig


class TableTransformerOnnxConfig(DetrOnnxConfig):
    """Table Transformer: the inputs, opset and tolerance of DETR."""
