"""Llama: the base decoder, with grouped-query attention."""

from ..config import DecoderOnnxConfig


class LlamaOnnxConfig(DecoderOnnxConfig):
    """Llama as the base decoder config exports it."""
