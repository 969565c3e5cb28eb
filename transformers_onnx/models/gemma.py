"""Gemma: the base decoder, with its own head size."""

from ..config import DecoderOnnxConfig


class GemmaOnnxConfig(DecoderOnnxConfig):
    """Gemma as the base decoder config exports it."""
