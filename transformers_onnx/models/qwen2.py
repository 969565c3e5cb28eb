"""Qwen2: the base decoder, with grouped-query attention."""

from ..config import DecoderOnnxConfig


class Qwen2OnnxConfig(DecoderOnnxConfig):
    """Qwen2 as the base decoder config exports it."""
