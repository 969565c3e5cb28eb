"""Gemma 2: the base decoder, with alternating sliding-window layers and logit soft-capping."""

from ..config import DecoderOnnxConfig


class Gemma2OnnxConfig(DecoderOnnxConfig):
    """Gemma 2 as the base decoder config exports it."""
