"""DeBERTa-v2: as DeBERTa."""

from .deberta import DebertaOnnxConfig


class DebertaV2OnnxConfig(DebertaOnnxConfig):
    """DeBERTa-v2: the inputs and opset of DeBERTa."""
