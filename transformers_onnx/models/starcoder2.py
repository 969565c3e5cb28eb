"""StarCoder2: the base decoder, with grouped-query and sliding-window attention."""

from ..config import DecoderOnnxConfig


class Starcoder2OnnxConfig(DecoderOnnxConfig):
    """StarCoder2 as the base decoder config exports it."""
