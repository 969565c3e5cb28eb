"""Qwen3: the base decoder, with grouped-query attention and its own head size."""

from ..config import DecoderOnnxConfig


class Qwen3OnnxConfig(DecoderOnnxConfig):
    """Qwen3 as the base decoder config exports it."""
