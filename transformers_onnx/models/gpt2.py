"""GPT-2: the base decoder."""

from ..config import DecoderOnnxConfig


class GPT2OnnxConfig(DecoderOnnxConfig):
    """GPT-2 as the base decoder config exports it."""
